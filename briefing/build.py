"""The build, stage by stage: ingest, read, enrich, render, write."""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from stat import S_ISDIR

from jinja2 import TemplateError, TemplateSyntaxError

from briefing import freshness
from briefing.cache import Cache, digest
from briefing.config import LANGUAGES, Project, TranslationSettings, load_site_config
from briefing.content import read_article
from briefing.enrich import Story, enrich
from briefing.errors import BriefingError, InputError, WarningCounter, log
from briefing.glossary import load_glossary
from briefing.ingest import ingest_raw_files
from briefing.inputs import input_files, read_input
from briefing.model import Article
from briefing.output import CurrentSite, write_site
from briefing.parallel import map_forked
from briefing.render.fingerprints import fingerprint
from briefing.render.pages import Page, SitePages
from briefing.render.templates import Templates
from briefing.render.urls import Urls
from briefing.search.index import Entry, SearchIndex, make_entry
from briefing.text import chinese
from briefing.translate.stage import TranslationReport, translate_stage


@dataclass
class BuildResult:
    articles: dict[str, list[Article]] = field(default_factory=dict)  # lang -> articles
    glossary: dict[str, str] = field(default_factory=dict)  # zh term -> English
    ingested: int = 0
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

    translation: TranslationReport | None = None
    failed: int = 0
    unreadable: set[Path] = field(default_factory=set)  # article files that could not be read


@contextmanager
def build_lock(project: Project):
    """One build at a time per project: a second one is refused, not interleaved.

    flock is released by the kernel when the process ends, however it ends,
    so a killed build never leaves a stale lock behind.
    """
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


def build(
    project: Project,
    reingest: bool = False,
    only: set[Path] | None = None,
    render: bool = True,
    translate: bool = True,
    translation_settings: TranslationSettings | None = None,
) -> BuildResult:
    """Ingest new raw files, read all articles, then (unless `render` is off) write site/."""
    with build_lock(project):
        full = render and translate and not reingest and only is None
        inputs = freshness.input_fingerprint(project) if full else ""
        if full and freshness.up_to_date(project, inputs):
            log.info(freshness.UP_TO_DATE)
            return BuildResult(up_to_date=True)
        counter = WarningCounter()
        log.addHandler(counter)
        try:
            result = _build(project, reingest, only, render, translate, translation_settings)
        finally:
            log.removeHandler(counter)
        if full:
            freshness.remember(project, inputs, clean=counter.count == 0)
        return result


def _build(
    project: Project,
    reingest: bool,
    only: set[Path] | None,
    render: bool,
    translate: bool,
    translation_settings: TranslationSettings | None = None,
) -> BuildResult:
    result = BuildResult()
    cache = Cache(project.root / ".cache" / "build.sqlite")
    try:
        _build_with(project, reingest, only, render, translate, result, cache, translation_settings)
    finally:
        cache.close()
    log.debug("stage times: %s", ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items()))
    return result


def _build_with(
    project: Project,
    reingest: bool,
    only: set[Path] | None,
    render: bool,
    translate: bool,
    result: BuildResult,
    cache: Cache,
    translation_settings: TranslationSettings | None = None,
) -> None:
    with result.timed("read"):
        result.glossary = load_glossary(project.glossary_path)
        chinese.use_terms(list(result.glossary))
        zh = load_articles(project, "zh", result, cache)
    with result.timed("ingest"):
        report = ingest_raw_files(project, zh, reingest=reingest, only=only)
    result.ingested, result.failed = len(report.written), result.failed + report.failed
    written = {a.id for a in report.written}  # re-ingested articles replace their old copy
    zh = sorted([*(a for a in zh if a.id not in written), *report.written], key=lambda a: a.id)
    result.articles["zh"] = zh
    with result.timed("read"):
        result.articles["en"] = load_articles(project, "en", result, cache)
    if translate:
        # An English file that is there but could not be read (reported) is a person's to
        # fix: no machine translation is written over it.
        unreadable = {p.stem for p in result.unreadable if p.parent == project.lang_dir("en")}
        translatable = [a for a in zh if a.id not in unreadable]
        with result.timed("translate"):
            try:
                translation = translate_stage(
                    project,
                    translatable,
                    result.articles["en"],
                    result.glossary,
                    translation_settings,
                )
            except OSError as exc:  # content/en/ not writable (read-only), a full disk
                where = exc.filename or project.lang_dir("en")
                raise InputError(
                    project.relative(Path(where)),
                    f"cannot write the translation: {exc.strerror or exc}",
                ) from None
        result.translation = translation
        if translation.translated:
            result.articles["en"] = load_articles(project, "en", BuildResult(), cache)
    known = {a.id for a in zh}
    for article in result.articles["en"]:
        if article.id not in known:
            log.warning(
                "%s: no Chinese article with this id; not published",
                project.relative(article.file),
            )
    log.info(
        "content: %d Chinese articles (%d newly ingested, %d raw files ingested earlier), "
        "%d English%s",
        len(zh),
        len(report.written),
        report.already,
        len(result.articles["en"]),
        f"; {result.failed} {'file' if result.failed == 1 else 'files'} skipped (see above)"
        if result.failed
        else "",
    )
    cache.commit()  # what was read is worth keeping whatever happens next
    if render:
        render_site(project, result, cache)


def render_site(project: Project, result: BuildResult, cache: Cache) -> None:
    """Enrich every story, render the pages that changed, bring the search index up to
    date, and swap the new site/ in. The cache keeps what this build did only if its
    site is put in place."""
    try:
        _render_site(project, result, cache)
    except BaseException:
        cache.rollback()
        raise


def _render_site(project: Project, result: BuildResult, cache: Cache) -> None:
    config = load_site_config(project.config_path)
    with result.timed("enrich"):
        stories = enrich(result.articles["zh"], result.articles["en"], result.glossary, cache)
    pending = [s.id for s in stories if "en" not in s.versions]
    if pending:
        log.info(
            "%s no English yet (shown as translation pending)",
            "1 article has" if len(pending) == 1 else f"{len(pending)} articles have",
        )
    assets = fingerprinted_assets(project.templates_dir / "static")
    urls = Urls(config, {name: path for name, (path, _) in assets.items()})
    templates = Templates(project.templates_dir, config, urls, result.glossary)
    pages = SitePages(stories, config, templates.strings, urls).pages()
    site = CurrentSite(project.site_dir, cache)

    def site_files():
        # A stream, written as it is made: a page's bytes are not kept in memory.
        with result.timed("render + write pages"):
            yield from render_pages(pages, templates, site, result)
            yield from assets.values()
        with result.timed("search index + write"):
            for lang in LANGUAGES:
                yield from search_files(stories, lang, urls, site, cache)

    try:
        with result.timed("site total"):
            result.pages = write_site(site, site_files())
    except TemplateSyntaxError as exc:
        where = project.templates_dir / (exc.name or "")
        raise InputError(where, f"line {exc.lineno}: {exc.message}") from None
    except TemplateError as exc:
        raise InputError(project.templates_dir, f"template error: {exc}") from None
    cache.commit()  # the records now describe the site on disk
    log.info(
        "site: %d files in %s (%d pages rendered, %d unchanged)",
        result.pages,
        project.relative(project.site_dir),
        result.rendered,
        result.unchanged,
    )


def render_pages(
    pages: list[Page], templates: Templates, site: CurrentSite, result: BuildResult
) -> Iterator[tuple[str, bytes | None]]:
    """Render the pages whose fingerprint changed; the others are kept from the current
    site. Many pages to render are rendered on every core."""
    templates.check({page.template for page in pages})
    fresh: list[Page] = []
    for page in pages:
        if site.keep(page.path, fingerprint(page, templates.key)):
            result.unchanged += 1
            yield page.path, None
        else:
            fresh.append(page)
    rendered = map_forked(templates.render, fresh, chunksize=32, parallel_from=PARALLEL_PAGES_FROM)
    for page, data in zip(fresh, rendered, strict=True):
        result.rendered += 1
        yield page.path, data


PARALLEL_PAGES_FROM = 200


def search_files(
    stories: list[Story], lang: str, urls: Urls, site: CurrentSite, cache: Cache
) -> Iterator[tuple[str, bytes | None]]:
    """The search index of one language: only what changed is worked on (search_index.py)."""
    index = SearchIndex(cache.db, lang, site)

    def url_of(story_id: str) -> str:
        return urls.url(f"{lang}/articles/{story_id}/")

    def compute(items: list[tuple[Story, str]]) -> Iterator[Entry]:
        if items and lang == "zh":
            chinese.prepare()  # before the workers fork: they share its dictionary
        return map_forked(partial(_entry, lang=lang), items, chunksize=8)

    yield from index.files(stories, url_of, compute)


def _entry(item: tuple[Story, str], lang: str) -> Entry:
    story, url = item
    return make_entry(story, lang, url)


def fingerprinted_assets(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Static files under names that change with their content (style.3f2a9c1e.css),
    so that browsers may cache them for good."""
    assets = {}
    for found, status in sorted(freshness.walk_files(folder)):
        path = Path(found)
        name = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in name.split("/")) or S_ISDIR(status.st_mode):
            continue  # an editor's lock or swap file, .DS_Store, a link to a folder
        data = read_input(path, folder)
        digest = hashlib.sha256(data).hexdigest()[:10]
        stem, dot, ext = name.rpartition(".")
        assets[name] = (f"assets/{stem}.{digest}.{ext}" if dot else f"assets/{name}", data)
    return assets


def load_articles(
    project: Project, lang: str, result: BuildResult, cache: Cache | None = None
) -> list[Article]:
    """Read content/<lang>/*.md; a bad file is reported and left out, the others load.

    With a cache, a file read before, unchanged since (same inode, size, mtime and
    ctime; ctime cannot be set back by hand) and without warnings then is taken from
    it: unpickling an article costs a fraction of parsing its YAML and Markdown.
    """
    folder = project.lang_dir(lang)
    paths = input_files(folder, "*.md")
    # One entry per file, replaced when the file changes: (identity, article).
    known = cache.get_many("read", [str(p) for p in paths]) if cache else {}
    warnings = WarningCounter()
    log.addHandler(warnings)
    articles = []
    try:
        for path in paths:
            identity = _file_identity(path, lang)
            entry = known.get(str(path))
            if identity and entry and entry[0] == identity:  # type: ignore[index]
                articles.append(entry[1])  # type: ignore[index]
                continue
            seen = warnings.count
            try:
                article = read_article(path, lang, within=project.content_dir)
            except Exception as exc:  # whatever the file holds, it is this file's error
                message = exc.message if isinstance(exc, InputError) else _unexpected(exc)
                log.error("%s: %s", project.relative(path), message)
                result.failed += 1
                result.unreadable.add(path)
                continue
            articles.append(article)
            if cache and identity and warnings.count == seen:
                cache.put("read", str(path), (identity, article))
    finally:
        log.removeHandler(warnings)
    return articles


def _unexpected(exc: Exception) -> str:
    log.debug("reading failed", exc_info=exc)  # the traceback with -v
    return f"could not be read ({type(exc).__name__}: {exc})"


def _file_identity(path: Path, lang: str) -> str | None:
    """What changes whenever the file's content may have: None for a link, whose
    target may change without it."""
    try:
        if path.is_symlink():
            return None
        stat = path.stat()
    except OSError:
        return None
    # digest() covers the code that read it: a cached article read by other code is not used.
    return digest(lang, f"{stat.st_ino}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ctime_ns}")
