"""The build, stage by stage: read, ingest, translate, enrich, render, write.

`build()` tells the whole story on one screen; each stage is a small named step
below it, and the stages themselves live in their modules (ingest/, translate/,
enrich.py, render/, search/, output.py). Every stage's data is gathered before
the next starts, so cross-links are plain lookups.
"""

from __future__ import annotations

import fcntl
import gc
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, islice
from pathlib import Path

from jinja2 import TemplateError, TemplateSyntaxError

from briefing import freshness, parallel
from briefing.cache import Cache
from briefing.config import LANGUAGES, Project, TranslationSettings, load_site_config
from briefing.content import read_articles
from briefing.enrich import AskedFeatures, Story, ask_features, enrich, load_text_tools
from briefing.errors import BriefingError, InputError, WarningCounter, log
from briefing.files import open_read_only
from briefing.glossary import load_glossary
from briefing.helper import EarlyReads, segmenting_helper
from briefing.ingest.stage import ingest_raw_files
from briefing.model import Article
from briefing.output import CurrentSite, Identity, write_site
from briefing.parallel import Ahead, Answer, Forked, Helper, map_forked
from briefing.progress import Progress
from briefing.related import prepare_whole_map
from briefing.render.assets import fingerprinted_assets
from briefing.render.fingerprints import fingerprint, made_from_fingerprint
from briefing.render.pages import Page, SitePages, bodies_shown, given_bodies
from briefing.render.templates import ITEMS, LISTS, Templates
from briefing.render.urls import Urls
from briefing.search.index import (
    Entry,
    IndexFile,
    SearchIndex,
    WholeIndexNeeded,
    entry_of,
)
from briefing.text import chinese, markdown
from briefing.translate.stage import TranslationReport, translate_stage

# A first build's search entries made at most while it relates its stories (_EntriesAhead):
# some 8 MB held until the index is written (about 200 are made at 1,000 articles).
ENTRIES_AHEAD = 512
# Below this many pages to render, forking workers costs more than it saves.
PARALLEL_PAGES_FROM = 200
# Pages a worker sends back at a time: 32 article pages, or their worth of list
# entries (a list entry is some hundreds of bytes, an article page some kilobytes).
PAGES_A_CHUNK = 32
ENTRIES_AN_ARTICLE_PAGE = 32


@dataclass
class BuildResult:
    """What a build did: for the CLI's summary, the tests and the benchmarks."""

    articles: dict[str, list[Article]] = field(default_factory=dict)  # lang -> articles
    glossary: dict[str, str] = field(default_factory=dict)  # zh term -> English
    ingested: int = 0
    already_ingested: int = 0  # raw files ingested by an earlier build
    failed: int = 0  # input files reported and left out
    unreadable: set[Path] = field(default_factory=set)  # article files that could not be read
    written: list[Path] = field(default_factory=list)  # content files ingest and translate wrote
    read_anew: set[str] = field(default_factory=set)  # ids of articles parsed, not from the cache
    translation: TranslationReport | None = None
    pages: int = 0
    rendered: int = 0
    unchanged: int = 0
    up_to_date: bool = False  # nothing changed: the build stopped before reading anything
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @contextmanager
    def timed(self, stage: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - start


def build(
    project: Project,
    reingest: bool = False,
    only: set[Path] | None = None,
    render: bool = True,
    translate: bool = True,
    translation_settings: TranslationSettings | None = None,
    inputs: str | None = None,
    helper: Helper | None = None,
    early: EarlyReads | None = None,
) -> BuildResult:
    """Ingest new raw pages, read every article, translate what lacks English, then
    (unless `render` is off) enrich the stories and write site/ with its search index.
    `inputs`: freshness.input_fingerprint(project), when the caller has just taken it
    (it costs a stat of every file: 0.2 s at 10,000 articles). `helper`: the caller's
    helper.segmenting_helper, started before it imported this module; else the build
    starts its own when it wants one. `early`: helper.early_reads, the article files
    parsed by processes the caller started then."""
    with build_lock(project), settled_objects():
        whole = render and translate and not reingest and only is None
        if not whole:
            inputs = ""
        elif inputs is None:
            inputs = freshness.input_fingerprint(project)
        if whole and freshness.up_to_date(project, inputs):
            log.info(freshness.UP_TO_DATE)
            return BuildResult(up_to_date=True)
        result = BuildResult()
        with counted_warnings() as warnings, open_cache(project) as cache, ExitStack() as stack:
            with result.timed("read"), uncollected():
                result.glossary = load_glossary(project.glossary_path)
                chinese.use_terms(list(result.glossary))
                if helper is None:
                    helper = stack.enter_context(segmenting_helper(project, render))
                if helper:
                    helper.tell(chinese.use_terms, list(result.glossary))
                if early:
                    # A first build: every story's features are to be made, with jieba's
                    # dictionary loaded here (then forked); loaded while the processes
                    # parse, not after.
                    load_text_tools()
                zh = read_language(project, "zh", result, cache, early)
            with result.timed("ingest"):
                zh = ingest(project, zh, result, reingest, only)
            with result.timed("read"), uncollected():
                en = read_language(project, "en", result, cache, early)
            if translate:
                with result.timed("translate"):
                    en = translate_missing(project, zh, en, result, cache, translation_settings)
            report_content(project, zh, en, result)
            if render:
                with uncollected():
                    make_site(project, result, cache, helper)
        if whole and not result.written:
            # (A build that wrote articles changed its own inputs: what it read is not what
            # is there now, and the next build does not skip.)
            waiting = bool(result.translation and result.translation.pending)
            freshness.remember(project, inputs, warnings.said, waiting)
        elif whole:
            freshness.forget(project)
    log.debug("stage times: %s", ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items()))
    return result


# --- the steps -------------------------------------------------------------------------------


def read_language(
    project: Project,
    lang: str,
    result: BuildResult,
    cache: Cache,
    early: EarlyReads | None = None,
) -> list[Article]:
    """content/<lang>/*.md; files that cannot be read are reported and counted."""
    read = read_articles(project, lang, cache, early.parsed(lang) if early else None)
    # What was parsed (written as it came: Cache.store) is worth keeping whatever happens
    # next, and the commit ends the write that would lock out a worker reading the file.
    cache.commit()
    result.failed += len(read.failed)
    result.unreadable.update(read.failed)
    result.read_anew.update(read.parsed)
    result.articles[lang] = read.articles
    return read.articles


def ingest(
    project: Project,
    zh: list[Article],
    result: BuildResult,
    reingest: bool,
    only: set[Path] | None,
) -> list[Article]:
    """New raw pages become Chinese articles; a re-ingested one replaces its old copy."""
    report = ingest_raw_files(project, zh, reingest=reingest, only=only)
    result.ingested, result.already_ingested = len(report.written), report.already
    result.failed += report.failed
    result.written += [a.file for a in report.written]
    written = {a.id for a in report.written}
    result.read_anew.update(written)
    zh = sorted([*(a for a in zh if a.id not in written), *report.written], key=lambda a: a.id)
    result.articles["zh"] = zh
    return zh


def translate_missing(
    project: Project,
    zh: list[Article],
    en: list[Article],
    result: BuildResult,
    cache: Cache,
    settings: TranslationSettings | None,
) -> list[Article]:
    """Machine English for the articles that need it; never over a person's English, nor
    over an English file that is there but could not be read (reported: a person's to fix)."""
    unreadable = {p.stem for p in result.unreadable if p.parent == project.lang_dir("en")}
    translatable = [a for a in zh if a.id not in unreadable]
    try:
        translation = translate_stage(project, translatable, en, result.glossary, settings)
    except OSError as exc:  # content/en/ not writable (read-only), a full disk
        where = exc.filename or project.lang_dir("en")
        raise BriefingError(
            project.relative(Path(where)), f"cannot write the translation: {exc.strerror or exc}"
        ) from None
    result.translation = translation
    result.written += [project.lang_dir("en") / f"{i}.md" for i in translation.translated]
    result.read_anew.update(translation.translated)
    if not translation.translated:
        return en
    return read_language(project, "en", BuildResult(), cache)


def report_content(project: Project, zh: list[Article], en: list[Article], result: BuildResult):
    """One line on what the site is made of; English with no Chinese article is named."""
    result.articles["en"] = en
    known = {a.id for a in zh}
    for article in en:
        if article.id not in known:
            log.warning(
                "%s: no Chinese article with this id; not published", project.relative(article.file)
            )
    log.info(
        "content: %d Chinese articles (%d newly ingested, %d raw files ingested earlier), "
        "%d English%s",
        len(zh),
        result.ingested,
        result.already_ingested,
        len(en),
        f"; {result.failed} {'file' if result.failed == 1 else 'files'} skipped (see above)"
        if result.failed
        else "",
    )


def make_site(
    project: Project, result: BuildResult, cache: Cache, helper: Helper | None = None
) -> None:
    """Enrich every story, describe every page, render those that changed, bring the
    search index up to date, and swap the new site/ in. The cache keeps what this
    build did to the site only if its site is put in place."""
    # (The helper makes the features of what was read anew meanwhile.)
    zh, en = result.articles["zh"], result.articles["en"]
    asked = ask_features(zh, en, result.read_anew, result.glossary, helper)
    site = CurrentSite(project.site_dir, cache)  # (it looks at site/'s files meanwhile)
    if site.live_tree is None:  # a first build
        with_english = {article.id for article in en}
        site.make_folders_ahead(SitePages.story_folders([a.id for a in zh], with_english))
    try:
        _make_site(project, result, cache, site, helper, asked)
    finally:
        site.close()


def _make_site(
    project: Project,
    result: BuildResult,
    cache: Cache,
    site: CurrentSite,
    helper: Helper | None,
    asked: AskedFeatures | None,
) -> None:
    entries_ahead: _EntriesAhead | None = None
    try:
        config = load_site_config(project.config_path)
        assets = fingerprinted_assets(project.templates_dir / "static")
        urls = Urls(config, {name: path for name, (path, _) in assets.items()})
        templates = Templates(
            project.templates_dir,
            config,
            urls,
            result.glossary,
            compiled_dir=cache.path.parent / "jinja",
            items=cache,
        )
        if site.live_tree is None:  # a first build's entries, begun once stories have tags
            entries_ahead = _EntriesAhead(urls)
        with result.timed("enrich"):
            stories = enrich(
                result.articles["zh"],
                result.articles["en"],
                result.glossary,
                cache,
                helper,
                asked,
                meanwhile=partial(_ahead_of_the_pages, templates),
                tagged=entries_ahead.start if entries_ahead else None,
            )
        # The features (Cache.store), by content hash: right whatever the rest of the build
        # does; committed before render's workers read the file.
        cache.commit()
        say_pending(stories)
        # (Its index may be made by another process while the pages are rendered.)
        ahead = entries_ahead.work if entries_ahead else None
        with SearchStage(stories, urls, site, cache, helper, ahead) as search:
            site_pages = SitePages(stories, config, templates.strings, urls)

            def site_files() -> Iterator[tuple[str, bytes | None]]:
                # A stream, written as it is made: a page's bytes are not kept in memory.
                with result.timed("render + write pages"):
                    yield from render_pages(
                        site_pages,
                        templates,
                        site,
                        result,
                        cache,
                        helper,
                        search.start_elsewhere,
                        search.after_the_pages,
                    )
                    for path, data in assets.values():  # (named after their content)
                        yield path, None if site.keep(path, path) else data
                with result.timed("search index + write"):
                    yield from search.files()

            with result.timed("site total"):
                result.pages = write_site(site, site_files())
    except TemplateSyntaxError as exc:
        cache.rollback()
        where = project.templates_dir / (exc.name or "")
        raise InputError(where, f"line {exc.lineno}: {exc.message}") from None
    except TemplateError as exc:
        cache.rollback()
        raise InputError(project.templates_dir, f"template error: {exc}") from None
    except BaseException:
        cache.rollback()
        raise
    finally:
        if entries_ahead and entries_ahead.work:
            entries_ahead.work.close()  # (taken by the search stage unless the build failed)
    cache.commit()  # the records now describe the site on disk
    log.info(
        "site: %d files in %s (%d pages rendered, %d unchanged)",
        result.pages,
        project.relative(project.site_dir),
        result.rendered,
        result.unchanged,
    )


def _ahead_of_the_pages(templates: Templates) -> None:
    """What a build whose stories' features are made on every core does meanwhile: the
    step from the features to the pages is this process's alone, and a core waited
    through what it did there that needs no story (importing numpy for the related
    articles, parsing the templates), and each worker of the pages compiled every
    template again."""
    prepare_whole_map()
    templates.prepare()


def say_pending(stories: list[Story]) -> None:
    pending = sum(1 for s in stories if "en" not in s.versions)
    if pending:
        log.info(
            "%s no English yet (shown as translation pending)",
            "1 article has" if pending == 1 else f"{pending} articles have",
        )


def render_pages(
    site_pages: SitePages,
    templates: Templates,
    site: CurrentSite,
    result: BuildResult,
    cache: Cache,
    helper: Helper | None = None,
    planned: Callable[[], None] | None = None,
    after: Callable[[], PooledWork | None] | None = None,
) -> Iterator[tuple[str, bytes | None]]:
    """Render the pages whose fingerprint changed; the others are kept from the current
    site. Many pages to render are rendered on every core; few, here, with the bodies
    they show made by the helper (it has markdown-it loaded: importing it and making its
    parser here was a sixteenth of adding an article at 1,000). `planned` is called when
    the pages to render are known, before the helper is asked for anything; `after`
    then, for work the pages' workers go on with (PooledWork) when there are any.

    A story's own pages are described only when one of them is to be rendered: whether
    one changed is known from the stories it is made from (SitePages.story_plan), and
    describing and fingerprinting all 4,000 at 1,000 articles was a ninth of adding one."""
    pages = site_pages.list_pages()
    templates.check({page.template for page in pages} | site_pages.story_templates())
    fresh: list[Page] = []
    for page in pages:
        template = page.template
        if site.keep(
            page.path, fingerprint(page, templates.key_of(template), templates.tags_shown(template))
        ):
            result.unchanged += 1
            yield page.path, None
        else:
            fresh.append(page)
    keys = {name: templates.key_of(name) for name in site_pages.story_templates()}
    tags = {name: templates.tags_shown(name) for name in keys}
    for story in site_pages.stories:
        stale = set()
        known: dict[str, str] = {}  # (its article pages in both languages share one)
        for path, template, made_from in site_pages.story_plan(story):
            found = known.get(template)
            if found is None:
                found = known[template] = made_from_fingerprint(
                    template, keys[template], made_from, tags[template]
                )
            if site.keep(path, found):
                result.unchanged += 1
                yield path, None
            else:
                stale.add(path)
        if stale:
            fresh += [page for page in site_pages.story_pages(story) if page.path in stale]
    if planned:
        planned()
    bodies: list[Article] = []
    made: list[list[str]] | None = None
    if helper and len(fresh) < PARALLEL_PAGES_FROM:
        bodies = bodies_shown(fresh)
        made = helper.map(markdown.body_html, bodies) if bodies else None
    following = after() if after and parallel.forks(len(fresh), PARALLEL_PAGES_FROM) else None
    with given_bodies(bodies, made):
        yield from _rendered(fresh, templates, result, cache, following)


@dataclass
class PooledWork:
    """Work for the pages' workers once the pages are rendered (a full build's search
    entries): one pool for both, so that no core waits while another is forked, and
    the entries are being made while this process still writes the last pages. `take`
    is handed the iterator of its results, in order, to take after the pages'."""

    function: Callable
    items: list
    before_fork: Callable[[], object]
    take: Callable[[Iterator], None]


def _rendered(
    fresh: list[Page],
    templates: Templates,
    result: BuildResult,
    cache: Cache,
    following: PooledWork | None = None,
) -> Iterator[tuple[str, bytes | None]]:
    if following is None:
        rendered = map_forked(
            templates.render_keeping_items,
            fresh,
            "pages",
            chunksize=PAGES_A_CHUNK,
            parallel_from=PARALLEL_PAGES_FROM,
            before_fork=markdown.prepare,
            size=_page_size,
        )
    else:
        joined = _Joined(fresh, following.items)
        made = map_forked(
            _PagesThen(templates, following.function),
            joined,
            "pages and search entries",
            chunksize=PAGES_A_CHUNK,
            parallel_from=PARALLEL_PAGES_FROM,
            before_fork=partial(_both, markdown.prepare, following.before_fork),
            size=_page_or_other_size,
        )
        rendered = islice(made, len(fresh))
        following.take(made)
    # With none stored (a first build, macros.html changed) no worker reads the cache
    # file, and the items go into it as they come; otherwise they wait for the commit.
    keep_item = cache.put if templates.items_stored else cache.store
    runs_used: set[str] = set()
    shown = Progress(len(fresh), "rendering", " pages").over(fresh)
    for page, (data, items, runs) in zip(shown, rendered, strict=True):
        result.rendered += 1
        for key, html in items.items():
            keep_item(ITEMS, key, html)
        for key, run in runs.items():
            if run is not None:
                keep_item(LISTS, key, run)
            runs_used.add(key)
        yield page.path, data
    if following is not None:  # (its results are taken: their chunks were handed out)
        joined.let_go_of_first()
        # And what the pages held goes back to the system before the search index grows
        # (forking the index's own pool did it: 25 MB of the peak at 10,000 articles).
        parallel.give_back_free_heap()
    if fresh:  # items of other templates go (a changed story's older items stay till then)
        cache.prune(ITEMS, f"{templates.items_key}:")
    if runs_used:  # runs no page used go: an added article made its lists' first runs anew
        cache.keep_only(LISTS, list(runs_used))


def _page_size(page: Page) -> int:
    """How many article pages' worth of HTML a page is, about: the archive of 10,000
    articles is 3 MB, and 32 such pages in one batch were 50 MB of a worker's memory."""
    return 1 + page.listed // ENTRIES_AN_ARTICLE_PAGE


class _Joined(Sequence):
    """Two lists as one, read in place (the pages, then what follows them)."""

    def __init__(self, first: list, then: list):
        self.first: list | None = first
        self.then, self.split = then, len(first)

    def __len__(self) -> int:
        return self.split + len(self.then)

    def __getitem__(self, index):  # (map_forked reads items one by one)
        if index < self.split:
            return self.first[index]  # type: ignore[index]
        return self.then[index - self.split]

    def let_go_of_first(self) -> None:
        """The first list goes (all of it handed out and its results taken: the pages
        of 10,000 articles, 60,000 descriptions, were kept to the build's end). An item
        of it asked for after this is an error, never the end of the items."""
        self.first = None


class _PagesThen:
    """(In each worker) a page rendered, or the work that follows the pages done: the
    first time, the worker lets go of what rendering held (the list items and runs of
    them it made, megabytes at 10,000 articles) and hands its free heap back, so that
    its entries' work does not grow past what a worker forked for them would hold."""

    def __init__(self, templates: Templates, then: Callable):
        self.templates, self.then = templates, then
        self.rendering = True

    def __call__(self, item: object):
        if isinstance(item, Page):
            return self.templates.render_keeping_items(item)
        if self.rendering:
            self.rendering = False
            self.templates.forget_items()
            parallel.give_back_free_heap()
        return self.then(item)


def _page_or_other_size(item: object) -> int:
    return _page_size(item) if isinstance(item, Page) else 1  # (an entry: a few KB)


def _both(first: Callable[[], object], then: Callable[[], object]) -> None:
    first()
    then()


class _EntriesAhead:
    """A first build's search entries, begun by a forked process (parallel.Ahead) as soon
    as the stories have their tags, which is all an entry needs: the step from the
    stories' features to the pages' workers (related articles, planning the pages) is
    the build's own process's alone, 0.1 s at 1,000 articles with a core idle. The
    search stage takes what it made when the pages' workers start (after_the_pages),
    and they make the rest. The same items as the stage's, in its order: every
    article of each language (a first build makes the whole index). At most
    ENTRIES_AHEAD of them: the build holds them until the index is written, after the
    pages (the 1,572 made at 10,000 articles were 25-35 MB of its peak)."""

    def __init__(self, urls: Urls):
        self.urls = urls
        self.work: Ahead[tuple[Story, str, str], Entry] | None = None

    def start(self, stories: list[Story]) -> None:
        items = [(s, _url_in(s.id, self.urls, lang), lang) for lang in LANGUAGES for s in stories]
        if parallel.forks(len(items)):  # (as the stage's workers will be: else no gap)
            self.work = Ahead(entry_of, items[:ENTRIES_AHEAD])


class SearchStage:
    """The search index of each language: only what changed is worked on
    (search/index.py), planned once the stories are known.

    A build of a few changed articles (an editor's) keeps one core busy: its index is
    brought up to date by a forked process while this one renders the pages (that
    was a fifth of adding one article at 1,000, 0.3 s). Otherwise, or when that process
    fails or finds the index is to be made afresh, it is made here as its files are
    wanted: the entries of both languages by one set of workers, the English ones while
    the Chinese index is written."""

    def __init__(
        self,
        stories: list[Story],
        urls: Urls,
        site: CurrentSite,
        cache: Cache,
        helper: Helper | None = None,
        ahead: Ahead[tuple[Story, str, str], Entry] | None = None,
    ):
        self.site, self.cache, self.helper = site, cache, helper
        self._ahead = ahead  # the first entries, being made (_EntriesAhead)
        self.indexes = [SearchIndex(cache.db, lang, site) for lang in LANGUAGES]
        self.plans = [
            index.plan(stories, partial(_url_in, urls=urls, lang=index.lang))
            for index in self.indexes
        ]
        self.items = [
            (story, url, index.lang)
            for index, plan in zip(self.indexes, self.plans, strict=True)
            for story, url in plan.changed
        ]
        self._elsewhere: Forked[_Searched | str] | None = None
        # The entries of the few changed articles, by the helper: asked here, and taken
        # before the other process starts (start_elsewhere), which never asks it (one
        # process asks it at a time, and this one renders with it next). Meanwhile this
        # one plans the pages: waiting for them here was 12-19 ms of adding an article.
        self._entries: list[Entry] | None = None
        self._asked: Answer[Entry] | None = None
        self._made: Iterator[Entry] | None = None  # those the pages' workers make
        if helper and site.records and len(self.items) < parallel.PARALLEL_FROM:
            if self.items:
                self._asked = helper.ask(entry_of, self.items)
            else:
                self._entries = []

    def start_elsewhere(self) -> None:
        """Start the process that brings the index up to date, if this build has one
        (a few changed articles): with the helper's entries, before the helper is asked
        anything else."""
        asked, self._asked = self._asked, None
        if asked is not None:
            self._entries = asked.result()
            if self._entries is None:  # the helper failed: made here, as they are wanted
                return
        if self._entries is not None and self._elsewhere is None:
            self.site.settle()
            self._elsewhere = Forked(self._made_elsewhere)

    def after_the_pages(self) -> PooledWork | None:
        """The entries, for the pages' workers to make after the pages (render_pages),
        when they are many and made in this build's own process as they are wanted
        (a whole index: a first build's, or one after many changes)."""
        if self._entries is not None or self._elsewhere is not None or self._asked is not None:
            return None
        if not parallel.forks(len(self.items)):
            return None
        ahead = self._made_ahead()
        rest = self.items[len(ahead) :]
        return PooledWork(entry_of, rest, self._before_fork, partial(self._take, ahead))

    def _take(self, ahead: list[Entry], made: Iterator[Entry]) -> None:
        self._made = chain(ahead, made) if ahead else made

    def _made_ahead(self) -> list[Entry]:
        """The entries of the first items made ahead (_EntriesAhead), stopped now; none
        if their items are not this stage's first ones (then all are made here)."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return []
        made = ahead.stop()
        same = len(made) <= len(self.items) and all(
            theirs[0] is ours[0] and theirs[1:] == ours[1:]
            for theirs, ours in zip(ahead.items[: len(made)], self.items, strict=False)
        )
        if not same:
            return []
        log.debug("%d search entries made ahead", len(made))
        return made

    def _before_fork(self) -> None:
        load_text_tools(segmenter=any(lang == "zh" for _, _, lang in self.items))

    def files(self) -> Iterator[IndexFile]:
        self.start_elsewhere()  # (if render_pages did not)
        elsewhere, self._elsewhere = self._elsewhere, None
        done = elsewhere.result() if elsewhere else None
        if isinstance(done, tuple):
            log.debug("search index brought up to date by a forked process")
            files, writes = done
            for path, data, made_from, kept in files:
                self.site.adopt(path, made_from, kept)
                yield path, data
            for index, held in zip(self.indexes, writes, strict=True):
                index.write(held)
            return
        yield from self._made_here(self.helper)

    def _made_here(self, helper: Helper | None, in_place_only: bool = False) -> Iterator[IndexFile]:
        made: Iterator[Entry]
        if self._entries is not None:
            made = iter(self._entries)
        elif self._made is not None:  # by the pages' workers
            made = self._made
        elif self._ahead is not None:  # begun ahead, the rest here
            ahead = self._made_ahead()
            rest = map_forked(
                entry_of,
                self.items[len(ahead) :],
                "search entries",
                chunksize=32,
                before_fork=self._before_fork,
                helper=helper,
            )
            made = chain(ahead, rest)
        else:
            # 32 entries a chunk (some 300 KB back at a time): at 8, the 1,000 results of a
            # full build at 4,000 articles each cost the main process a hand-over between
            # its threads (0.3 s of its CPU, 4% of the build).
            made = iter(
                map_forked(
                    entry_of,
                    self.items,
                    "search entries",
                    chunksize=32,
                    before_fork=self._before_fork,
                    helper=helper,
                )
            )
        for index, plan in zip(self.indexes, self.plans, strict=True):
            yield from index.files(plan, islice(made, len(plan.changed)), in_place_only)

    def _made_elsewhere(self) -> _Searched | str:
        """(In the forked process) the files, each with what keep() or made() decided of
        it, and what each index would write to the cache; _WHOLE when an index is to be
        made afresh (this process would hold it all: the build makes it as it writes)."""
        reader = open_read_only(self.cache.path)
        for index in self.indexes:
            index.held_writes(reader)
        fingerprints, kept = self.site.fingerprints, self.site.kept
        try:
            files = [
                (path, data, fingerprints.get(path, ""), None if data is not None else kept[path])
                for path, data in self._made_here(None, in_place_only=True)
            ]
        except WholeIndexNeeded:
            return _WHOLE
        return files, [index.writes or [] for index in self.indexes]

    def close(self) -> None:
        """Stop the other process if the build ends before it asks for the files, and
        the pages' workers if they are still making entries."""
        if self._elsewhere:
            self._elsewhere.close()
            self._elsewhere = None
        if self._ahead:
            self._ahead.close()
            self._ahead = None
        made, self._made = self._made, None
        if made is not None and hasattr(made, "close"):
            made.close()

    def __enter__(self) -> SearchStage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# What the forked process of SearchStage gives back: (path, bytes or None, fingerprint,
# identity of a kept file) of each file, and each index's writes to the cache.
_Searched = tuple[
    list[tuple[str, "bytes | None", str, "Identity | None"]], list[list[tuple[str, list[tuple]]]]
]
_WHOLE = "whole"


def _url_in(story_id: str, urls: Urls, lang: str) -> str:
    return urls.url(f"{lang}/articles/{story_id}/")


def check_written_folders(project: Project) -> None:
    """The folders a build writes in (content/zh, content/en, .cache) must lie inside the
    project: one that is a link out of it would have the build write, and replace
    files, wherever it points. A link that stays inside the project is fine."""
    root = project.root.resolve()
    for folder in (project.lang_dir("zh"), project.lang_dir("en"), project.root / ".cache"):
        where = folder.resolve()
        if where != root and root not in where.parents:
            raise InputError(
                folder,
                f"leads out of the project (to {where}); the build writes there, so it must "
                "be a folder inside the project: replace the link with the folder itself",
            )


# --- what a build holds while it runs ----------------------------------------------------------


@contextmanager
def build_lock(project: Project):
    """One build at a time per project: a second one is refused, not interleaved.

    flock is released by the kernel when the process ends, however it ends,
    so a killed build never leaves a stale lock behind.
    """
    check_written_folders(project)
    path = project.root / ".cache" / "build.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_NOFOLLOW: a link planted in its place is not written through
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise BriefingError(project.relative(path), f"cannot be opened: {exc.strerror}") from None
    with open(descriptor, "r+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "?"
            raise BriefingError(
                project.relative(path),
                f"another build is running (pid {owner}); try again when it ends",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def settled_objects():
    """What the build froze (parallel.py freezes what forked workers inherit) is
    unfrozen when it ends, so that a long-running `serve` frees what builds leave."""
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def uncollected():
    """No cycle collection in the stages that hold the build's data: reading, and
    making the site. They hold hundreds of thousands of objects to the build's end
    (articles, features, pages), and every full collection walked all of them to free
    nothing: at 4,000 articles collections took 1.4 s of a 7 s build that added one.
    They make next to no cyclic garbage (a full build's peak memory is the same).
    Ingest and translation, which parse pages and run models, collect as usual;
    forked workers collect their own (parallel.py)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def counted_warnings():
    """Count this build's warnings and errors: a build that warned is not 'clean'."""
    counter = WarningCounter()
    log.addHandler(counter)
    try:
        yield counter
    finally:
        log.removeHandler(counter)


@contextmanager
def open_cache(project: Project):
    cache = Cache(project.build_cache_path)
    try:
        yield cache
    finally:
        cache.close()
