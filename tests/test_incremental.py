"""Incremental builds: after any change, the site is the one a build from scratch makes,
and only the pages that show what changed are rendered again."""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

from briefing import cache, parallel, pipeline
from briefing.config import Project
from briefing.errors import InputError, log
from briefing.pipeline import build
from briefing.render import templates
from briefing.search import index as search_index_module

from .conftest import REPO, children_of
from .site_helpers import comparable

sys.path.insert(0, str(REPO / "bench"))


def from_scratch(root: Path, where: Path) -> dict:
    """The site a first build of the same project makes (no cache, no previous site)."""
    if where.exists():
        shutil.rmtree(where)
    shutil.copytree(root, where, ignore=shutil.ignore_patterns(".cache", "site"))
    build(Project(where))
    return comparable(where / "site")


# The pools of forked workers start from these many items in this file's builds (a
# build of the whole corpus, or a change that touches every article, reaches them):
# the same code paths as a large site, on a corpus small enough to build often.
TEST_PARALLEL_FROM = 16
TEST_PARALLEL_PAGES_FROM = 50
# And every list is kept in runs of a few items (templates.story_items), as a large
# site's archive and tags are.
TEST_RUNS_FROM = 2
TEST_RUN_ENDS = 3
# And the cache's rows go into SQLite a few at a time, as a large site's hundreds do
# (Cache.store, the search index's rows), the last batch of each stage at its commit.
TEST_ROWS_AT_ONCE = 3


@pytest.fixture
def corpus(tmp_path, monkeypatch) -> Path:
    from corpus import make_corpus

    monkeypatch.setattr(parallel, "PARALLEL_FROM", TEST_PARALLEL_FROM)
    monkeypatch.setattr(pipeline, "PARALLEL_PAGES_FROM", TEST_PARALLEL_PAGES_FROM)
    monkeypatch.setattr(templates, "RUNS_FROM", TEST_RUNS_FROM)
    monkeypatch.setattr(templates, "RUN_ENDS", TEST_RUN_ENDS)
    monkeypatch.setattr(cache, "STORED_AT_ONCE", TEST_ROWS_AT_ONCE)
    monkeypatch.setattr(search_index_module, "REMEMBERED_AT_ONCE", TEST_ROWS_AT_ONCE)
    root = make_corpus(TEST_PARALLEL_FROM + 6, tmp_path / "corpus")
    build(Project(root))
    return root


def _articles(root: Path, lang: str) -> list[Path]:
    return sorted((root / "content" / lang).glob("*.md"))


def add_article(root: Path) -> None:
    for lang in ("zh", "en"):
        source = _articles(root, lang)[3]
        text = source.read_text(encoding="utf-8")
        text = text.replace(f"id: {source.stem}", "id: 2026-01-01-added", 1)
        (source.parent / "2026-01-01-added.md").write_text(text, encoding="utf-8")


def edit_chinese(root: Path) -> None:
    path = _articles(root, "zh")[5]
    path.write_text(path.read_text(encoding="utf-8") + "\n编辑补充的一段文字。\n", encoding="utf-8")


def edit_english_same_size_and_time(root: Path) -> None:
    """An edit that keeps the file's size and modification time: still seen."""
    path = _articles(root, "en")[7]
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    i = text.rindex("the")
    path.write_text(text[:i] + "THE" + text[i + 3 :], encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def retitle(root: Path) -> None:
    path = _articles(root, "zh")[9]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: ", "title: 新标题", 1), encoding="utf-8")


def delete_article(root: Path) -> None:
    for lang in ("zh", "en"):
        _articles(root, lang)[11].unlink()


def change_template(root: Path) -> None:
    path = root / "templates" / "article.html"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("</article>", "<p>changed</p></article>", 1), encoding="utf-8")


def change_list_items(root: Path) -> None:
    """macros.html's story_item: every page that lists stories, none that uses it by name."""
    path = root / "templates" / "macros.html"
    text = path.read_text(encoding="utf-8")
    assert 'class="story-summary"' in text
    path.write_text(
        text.replace('class="story-summary"', 'class="story-summary x"'), encoding="utf-8"
    )


def change_site_nav(root: Path) -> None:
    """A piece of every page rendered once a language (templates.chrome): every page."""
    path = root / "templates" / "site_nav.html"
    text = path.read_text(encoding="utf-8")
    assert 'class="main-nav"' in text
    path.write_text(text.replace('class="main-nav"', 'class="main-nav x"'), encoding="utf-8")


def change_glossary(root: Path) -> None:
    with open(root / "content" / "glossary.yaml", "a", encoding="utf-8") as handle:
        handle.write("高质量发展: high-quality development\n")


CHANGES = [
    add_article,
    edit_chinese,
    edit_english_same_size_and_time,
    retitle,
    delete_article,
    change_template,
    change_list_items,
    change_site_nav,
    change_glossary,
]


# The recent file's size (search/index.py): its default, one that the first changes
# fit in and later ones do not (their change goes into the shards with the file's), and
# none (every change goes into the shards).
@pytest.mark.slow
@pytest.mark.parametrize("recent_postings", [search_index_module.RECENT_POSTINGS, 900, 0])
def test_every_incremental_build_makes_the_site_a_fresh_build_makes(
    corpus, tmp_path, monkeypatch, recent_postings
):
    monkeypatch.setattr(search_index_module, "RECENT_POSTINGS", recent_postings)
    logged: list[str] = []
    for change in CHANGES:
        change(corpus)
        logged += _build_logged(corpus)
        assert comparable(corpus / "site") == from_scratch(corpus, tmp_path / "fresh"), change
    # The incremental builds ran their work on forked workers too, where it was much.
    ran = " ".join(logged)
    for work in (
        "stories' features on",
        "search entries on",  # both languages' entries, by one set of workers
        "pages on",
    ):
        assert work in ran, work


def test_an_article_edited_into_the_shards_then_removed_leaves_no_posting(
    corpus, tmp_path, monkeypatch
):
    """The recent file is the difference between the shards and the articles: once a
    change goes into the shards, what the cache kept of the shards' old terms must go
    with it, or removing the article later takes out its old postings and leaves the
    new ones."""
    path = _articles(corpus, "zh")[5]
    for text, recent_postings in (
        ("\n编辑补充的第一段文字。\n", search_index_module.RECENT_POSTINGS),  # the recent file
        ("\n编辑补充的第二段文字。\n", 0),  # into the shards
    ):
        monkeypatch.setattr(search_index_module, "RECENT_POSTINGS", recent_postings)
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
        build(Project(corpus))
        assert comparable(corpus / "site") == from_scratch(corpus, tmp_path / "fresh")
    monkeypatch.setattr(search_index_module, "RECENT_POSTINGS", 10_000)
    for lang in ("zh", "en"):
        (corpus / "content" / lang / path.name).unlink()
    build(Project(corpus))
    assert comparable(corpus / "site") == from_scratch(corpus, tmp_path / "fresh")


class LogLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_an_edit_renders_again_only_the_pages_that_show_the_article(corpus):
    path = _articles(corpus, "zh")[5]
    path.write_text(path.read_text(encoding="utf-8") + "\n编辑补充的一段文字。\n", encoding="utf-8")
    result = build(Project(corpus))
    assert 0 < result.rendered < result.unchanged / 3
    page = corpus / "site" / "zh" / "articles" / path.stem / "index.html"
    assert "编辑补充的一段文字。" in page.read_text(encoding="utf-8")


def test_an_added_article_renders_its_years_sitemap_and_archive_not_the_others(corpus, monkeypatch):
    """sitemap.xml is an index of a sitemap of the pages that are not articles and one of
    each year's articles, and the archive a page of each year's: an article added in a
    year the site has changes that year's sitemap alone (the index lists the same
    sitemaps), and that year's archive page, not every year's."""
    rendered = _noting_rendered(monkeypatch)
    monkeypatch.setattr(pipeline, "PARALLEL_PAGES_FROM", 1000)  # (rendered here: see above)
    added = _articles(corpus, "zh")[3]
    year = re.search(r"^date: '?(\d{4})", added.read_text(encoding="utf-8"), re.M)[1]
    years = sorted((corpus / "site" / "sitemaps").glob("articles-*.xml"))
    assert len(years) >= 3
    add_article(corpus)
    build(Project(corpus))
    sitemaps = [path for path in rendered if path.startswith("sitemaps/articles-")]
    assert sitemaps == [f"sitemaps/articles-{year}.xml"], rendered
    # (Other years' pages too, where a story whose tags the addition changed is.)
    archives = {path for path in rendered if path.startswith("zh/archive/")}
    assert {"zh/archive/index.html", f"zh/archive/{year}/index.html"} <= archives
    assert len(archives) - 1 < len(years), rendered
    assert "sitemap.xml" not in rendered
    assert sorted((corpus / "site" / "sitemaps").glob("articles-*.xml")) == years


def _noting_rendered(monkeypatch) -> list[str]:
    """The paths of the pages rendered in this process from now on."""
    rendered: list[str] = []
    real = templates.Templates.render

    def noting(self, page):
        rendered.append(page.path)
        return real(self, page)

    monkeypatch.setattr(templates.Templates, "render", noting)
    return rendered


def test_an_added_article_is_segmented_by_the_helper_not_the_build(corpus, monkeypatch):
    """A build of a site built before loads jieba's dictionary in a helper process while
    it reads the articles (pipeline.segmenting_helper); the added article's features and
    search entries are made there, and the build's own process never loads it. (That
    the site is the one a fresh build makes: the test above.)"""
    from briefing.text import chinese

    monkeypatch.setattr(chinese, "_SEGMENTER", None)
    happened: list[tuple[str, object]] = []
    real_ask, real_get_many = parallel.Helper.ask, cache.Cache.get_many

    def noting_ask(self, function, items):
        happened.append((getattr(function, "func", function).__name__, len(items)))
        return real_ask(self, function, items)

    def noting_get_many(self, namespace, keys):
        happened.append((f"cache: {namespace}", len(keys)))
        return real_get_many(self, namespace, keys)

    monkeypatch.setattr(parallel.Helper, "ask", noting_ask)
    monkeypatch.setattr(cache.Cache, "get_many", noting_get_many)
    add_article(corpus)
    result = build(Project(corpus))
    assert result.rendered > 0
    assert chinese._SEGMENTER is None
    # Its features asked for once, as soon as it was read (enrich.ask_features): made
    # while this process looks for the others' in the cache.
    asked = [name for name, _ in happened]
    assert asked.count("features_of") == 1
    assert asked.index("features_of") < asked.index("cache: features")
    assert ("features_of", 1) in happened


def test_the_command_lines_helper_learns_the_glossary_after_it_starts(corpus, monkeypatch):
    """`python build.py` starts the helper before it imports the pipeline or reads the
    glossary (briefing/helper.py), and the build tells it the glossary's words
    (Helper.tell): an added article's pages and index are the ones a fresh build makes,
    and the build's own process loads neither jieba's dictionary nor markdown-it (the
    helper makes the bodies of the pages it renders)."""
    import rjieba

    from briefing.cli import main
    from briefing.text import chinese, markdown

    # As in a new process: no words told, and no segmenter that has seen any (rjieba's
    # own instance took the fixture build's).
    monkeypatch.setattr(chinese, "_SEGMENTER", None)
    monkeypatch.setattr(chinese, "_WANTED_TERMS", ())
    monkeypatch.setattr(rjieba, "_DEFAULT_JIEBA", None)
    markdown._parser.cache_clear()
    # (Rendered here, as a large site's few pages are: the corpus's every other page
    # lists the added article, which the fixture's threshold would render on workers.)
    monkeypatch.setattr(pipeline, "PARALLEL_PAGES_FROM", 1000)
    add_article(corpus)  # with glossary terms jieba's own dictionary splits (智 创谷)
    added = corpus / "content" / "zh" / "2026-01-01-added.md"
    paragraph = "\n山西智创城全力打造智创谷，智创谷与晋创谷联动发展。\n"
    added.write_text(added.read_text(encoding="utf-8") + paragraph, encoding="utf-8")
    assert main(["-q"], root=corpus) == 0
    assert chinese._SEGMENTER is None
    assert markdown._parser.cache_info().currsize == 0
    assert comparable(corpus / "site") == from_scratch(corpus, corpus.parent / "fresh")


FORKED_INDEX = "search index brought up to date by a forked process"


def _build_logged(root: Path) -> list[str]:
    lines = LogLines()
    level = log.level
    log.addHandler(lines)
    log.setLevel(logging.DEBUG)
    try:
        build(Project(root))
    finally:
        log.removeHandler(lines)
        log.setLevel(level)
    return lines.lines


def test_an_added_articles_index_is_made_by_another_process_while_pages_render(
    corpus, tmp_path, monkeypatch
):
    """pipeline.SearchStage: the few entries of an editor's build and the index files
    they change are made by a forked process while the build renders; the build writes
    what it sends back. Where that process fails, or the index must be made afresh,
    the build makes it itself: the site is the same each time."""
    from briefing.search.index import SearchIndex

    add_article(corpus)
    assert FORKED_INDEX in _build_logged(corpus)
    assert comparable(corpus / "site") == from_scratch(corpus, tmp_path / "fresh1")

    # An article edited twice: the second build takes out the postings the first put in
    # (so the cache has what that process made), and the files it kept are kept again.
    docs = corpus / "site" / "search" / "zh" / "doc"
    inodes = {p.name: p.stat().st_ino for p in docs.iterdir()}
    edit_chinese(corpus)
    assert FORKED_INDEX in _build_logged(corpus)
    assert sum(p.stat().st_ino != inodes[p.name] for p in docs.iterdir()) == 1
    path = _articles(corpus, "zh")[5]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("编辑补充的一段文字。", "再次修改后的句子。"), encoding="utf-8")
    assert FORKED_INDEX in _build_logged(corpus)
    assert comparable(corpus / "site") == from_scratch(corpus, tmp_path / "fresh2")

    edit_english_same_size_and_time(corpus)
    with monkeypatch.context() as patched:  # held_writes runs only in the forked process

        def fails(*args: object) -> None:
            raise RuntimeError("the forked process fails")

        patched.setattr(SearchIndex, "held_writes", fails)
        assert FORKED_INDEX not in _build_logged(corpus)
    assert comparable(corpus / "site") == from_scratch(corpus, tmp_path / "fresh3")

    # A shard of the index is not the one last written: the index is made afresh, here.
    next((corpus / "site" / "search" / "zh").glob("shard-*.json.gz")).unlink()
    retitle(corpus)
    assert FORKED_INDEX not in _build_logged(corpus)
    assert comparable(corpus / "site") == from_scratch(corpus, tmp_path / "fresh4")


_TEST_PROCESS = os.getpid()


def _entry_failing_elsewhere(item):
    """search.index.entry_of here, an error in any other process (the helper)."""
    if os.getpid() != _TEST_PROCESS:
        raise RuntimeError("the helper fails")
    return search_index_module.entry_of(item)


def test_an_added_articles_entries_are_made_while_the_pages_are_planned(
    corpus, tmp_path, monkeypatch
):
    """The helper is asked for the added article's search entries without waiting; the
    build plans the pages meanwhile, and takes the entries (starting the index's process
    with them) only then, before it asks the helper for the bodies to render."""
    events: list[str] = []
    ask, list_pages, start = (
        parallel.Helper.ask,
        pipeline.SitePages.list_pages,
        pipeline.SearchStage.start_elsewhere,
    )

    def asked(self, function, items):
        events.append(f"ask {getattr(function, '__name__', '')}")
        return ask(self, function, items)

    def planned(self):
        events.append("plan")
        return list_pages(self)

    def started(self):
        events.append("start")
        return start(self)

    monkeypatch.setattr(parallel.Helper, "ask", asked)
    monkeypatch.setattr(pipeline.SitePages, "list_pages", planned)
    monkeypatch.setattr(pipeline.SearchStage, "start_elsewhere", started)
    add_article(corpus)
    assert FORKED_INDEX in _build_logged(corpus)
    entries = events.index("ask entry_of")
    assert entries < events.index("plan") < events.index("start") < events.index("ask body_html")
    assert comparable(corpus / "site") == from_scratch(corpus, tmp_path / "fresh")


def test_an_added_articles_entries_are_made_here_when_the_helper_fails(
    corpus, tmp_path, monkeypatch
):
    """Entries the helper could not make are made by the build itself, as it writes the
    index: the site is the one a fresh build makes."""
    add_article(corpus)
    with monkeypatch.context() as patched:  # (the helper is forked after this)
        patched.setattr(pipeline, "entry_of", _entry_failing_elsewhere)
        assert FORKED_INDEX not in _build_logged(corpus)
    assert comparable(corpus / "site") == from_scratch(corpus, tmp_path / "fresh")


def test_a_file_that_warned_warns_again_in_every_build_that_reads_it(corpus):
    path = _articles(corpus, "zh")[2]
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\nmood: happy\n", 1))
    warnings: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: warnings.append(record.getMessage())
    log.addHandler(handler)
    try:
        for _ in range(2):
            warnings.clear()
            build(Project(corpus))
            assert any("unknown front-matter key 'mood'" in w for w in warnings)
            edit_chinese(corpus)  # something else changes: the next build reads everything
    finally:
        log.removeHandler(handler)


def test_the_build_after_a_full_one_links_site_in_whole(corpus, tmp_path):
    """The build after a full one starts its copy of the site by linking all of site/
    into it: an unchanged page stays the same file, a file of site/ no build made goes,
    and the site is the one a fresh build of the same content makes."""
    previous = corpus / ".cache" / "site-previous"  # the site/ before the first build
    assert not [p for p in previous.rglob("*") if p.is_file()]
    (corpus / "site" / "stray.html").write_text("not the build's", encoding="utf-8")
    kept = corpus / "site" / "zh" / "about" / "index.html"
    inode = kept.stat().st_ino
    add_article(corpus)
    build(Project(corpus))
    assert not (corpus / "site" / "stray.html").exists()
    assert kept.stat().st_ino == inode  # linked, not written again
    assert comparable(corpus / "site") == from_scratch(corpus, tmp_path / "fresh")


@pytest.mark.parametrize("made", ["all", "half"])
def test_a_first_build_makes_the_folders_of_the_copy_it_leaves_empty(tmp_path, monkeypatch, made):
    """The folders of the stories' pages, made ahead by another process in a first build
    (output.CurrentSite.make_folders_ahead) for the copy the build after it fills with
    links; here waited for (the build stops it where it is at its swap), all of them or
    half. The build after fills them, and a link left in place of one goes, never
    followed: the site is the one a fresh build makes."""
    from corpus import make_corpus

    from briefing import output

    ahead, make = output.CurrentSite.folders_ahead, output._make_folders

    def waited(site):
        if site._folders:
            site._folders.result()
        return ahead(site)

    monkeypatch.setattr(output.CurrentSite, "folders_ahead", waited)
    if made == "half":
        monkeypatch.setattr(
            output, "_make_folders", lambda root, fs: make(root, fs[: len(fs) // 2])
        )
    root = make_corpus(12, tmp_path / "corpus")
    build(Project(root))
    previous, site = root / ".cache" / "site-previous", root / "site"
    assert not [p for p in previous.rglob("*") if not p.is_dir()]  # no files
    folders = {p.relative_to(previous).as_posix() for p in previous.rglob("*")}
    story_folders = {
        f"{lang}/articles/{p.stem}" for p in _articles(root, "zh") for lang in ("zh", "en")
    }
    assert story_folders <= folders if made == "all" else 0 < len(folders & story_folders) < 24
    assert folders <= {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir()}
    outside = tmp_path / "outside"
    outside.mkdir()
    taken = previous / "en" / "articles" / _articles(root, "zh")[0].stem
    shutil.rmtree(taken, ignore_errors=True)  # (it and its parallel view's: no files)
    taken.symlink_to(outside, target_is_directory=True)
    add_article(root)
    build(Project(root))
    assert not list(outside.iterdir())
    assert not (root / ".cache" / "site-previous-folders").exists()
    assert comparable(site) == from_scratch(root, tmp_path / "fresh")


def test_folders_a_killed_first_build_made_ahead_go(corpus):
    """A first build killed before its swap leaves its folders made ahead: the next
    build removes them."""
    left = corpus / ".cache" / "site-previous-folders" / "zh" / "articles"
    left.mkdir(parents=True)
    (left / "x.html").write_text("left", encoding="utf-8")
    add_article(corpus)
    build(Project(corpus))
    assert not left.parent.parent.exists()


def test_the_build_after_a_full_one_renders_while_the_links_are_made(corpus, monkeypatch):
    """Its pages and index are made before it waits for the other process's links
    (output._write_site holds them meanwhile), and written once they are done."""
    from briefing import output

    asked: list[tuple[output.CurrentSite, int]] = []
    cloned = output.CurrentSite.cloned

    def counting(site):
        asked.append((site, len(site.fingerprints)))  # the pages and index files made so far
        return cloned(site)

    monkeypatch.setattr(output.CurrentSite, "cloned", counting)
    add_article(corpus)
    build(Project(corpus))
    ((site, made_before_links),) = asked
    assert made_before_links == len(site.fingerprints) > 200


def test_a_first_build_on_workers_compiles_the_templates_while_the_features_are_made(
    corpus, tmp_path, monkeypatch
):
    """The templates are compiled by the build's own process while workers make the
    features (not by every worker of the pages): a template no page uses that does not
    compile is still no error, and one a page uses is the same error as before (a
    first build that fails makes no site)."""
    prepared: list[set[str]] = []  # the templates compiled, each time
    real_prepare = templates.Templates.prepare

    def prepare(self) -> None:
        real_prepare(self)
        prepared.append({name for _, name in self.env.cache})

    monkeypatch.setattr(templates.Templates, "prepare", prepare)
    fresh = tmp_path / "fresh"
    shutil.copytree(corpus, fresh, ignore=shutil.ignore_patterns(".cache", "site"))
    (fresh / "templates" / "unused.html").write_text("{% if %}", encoding="utf-8")
    build(Project(fresh))
    assert len(prepared) == 1  # once, with the features' workers running
    assert {"article.html", "parallel.html", "macros.html"} <= prepared[0]
    assert "unused.html" not in prepared[0]
    assert comparable(fresh / "site") == comparable(corpus / "site")
    broken = tmp_path / "broken"  # a first build again, its article pages broken
    shutil.copytree(fresh, broken, ignore=shutil.ignore_patterns(".cache", "site"))
    (broken / "templates" / "article.html").write_text("{% if %}broken", encoding="utf-8")
    with pytest.raises(InputError) as failed:
        build(Project(broken))
    assert "templates/article.html: line 1:" in str(failed.value) and len(prepared) == 2
    assert not (broken / "site").exists()


def test_one_pool_of_workers_renders_the_pages_then_makes_the_search_entries(
    corpus, tmp_path, monkeypatch, caplog
):
    """A first build's workers go on from the pages to the search entries (no second
    pool is forked), and the site is the same; a build that fails once the pages are
    written stops them (no worker is left behind)."""
    fresh = tmp_path / "fresh"
    shutil.copytree(corpus, fresh, ignore=shutil.ignore_patterns(".cache", "site"))
    with caplog.at_level(logging.DEBUG, logger=log.name):
        build(Project(fresh))
    pools = [r.getMessage() for r in caplog.records if " on " in r.getMessage()]
    assert any("pages and search entries on" in m for m in pools), pools
    assert not any(m.split(" ", 1)[1].startswith("search entries") for m in pools), pools
    assert comparable(fresh / "site") == comparable(corpus / "site")

    def fail(*args, **kwargs):
        raise RuntimeError("the index cannot be written")

    failing = tmp_path / "failing"
    shutil.copytree(corpus, failing, ignore=shutil.ignore_patterns(".cache", "site"))
    monkeypatch.setattr(search_index_module.SearchIndex, "files", fail)
    children = set(children_of(os.getpid()))  # (other tests' may be running)
    with pytest.raises(RuntimeError):
        build(Project(failing))
    assert set(children_of(os.getpid())) <= children
    assert not (failing / "site").exists()


def test_a_first_build_begins_its_search_entries_once_the_stories_have_tags(
    corpus, tmp_path, monkeypatch, caplog
):
    """While a first build works out the related articles and plans its pages, a forked
    process makes the first search entries (pipeline._EntriesAhead); the pages' workers
    make the rest, and the site is the same. A build that fails meanwhile leaves no
    process behind."""
    from briefing import enrich as enrich_module

    related_map = enrich_module.related_map

    def slow_related_map(*args, **kwargs):
        time.sleep(0.5)  # (time for the entries ahead to be some)
        return related_map(*args, **kwargs)

    monkeypatch.setattr(enrich_module, "related_map", slow_related_map)
    fresh = tmp_path / "fresh"
    shutil.copytree(corpus, fresh, ignore=shutil.ignore_patterns(".cache", "site"))
    with caplog.at_level(logging.DEBUG, logger=log.name):
        build(Project(fresh))
    ahead = [r.getMessage() for r in caplog.records if "made ahead" in r.getMessage()]
    assert len(ahead) == 1 and int(ahead[0].split()[0]) > 0, ahead
    assert comparable(fresh / "site") == comparable(corpus / "site")

    def failing_related_map(*args, **kwargs):
        time.sleep(0.2)
        raise RuntimeError("related articles cannot be worked out")

    monkeypatch.setattr(enrich_module, "related_map", failing_related_map)
    failing = tmp_path / "failing"
    shutil.copytree(corpus, failing, ignore=shutil.ignore_patterns(".cache", "site"))
    children = set(children_of(os.getpid()))  # (other tests' may be running)
    with pytest.raises(RuntimeError):
        build(Project(failing))
    assert set(children_of(os.getpid())) <= children
    assert not (failing / "site").exists()


def test_pages_let_go_of_are_never_taken_for_the_end_of_the_work():
    """The pool's work, pages then entries: once the pages' results are taken the pages
    go, and asking for one after that is an error, not the end of the work (iterating a
    Sequence ends at IndexError: the entries would have been cut short)."""
    joined = pipeline._Joined(["page 1", "page 2"], ["entry 1"])
    assert list(joined) == ["page 1", "page 2", "entry 1"] and len(joined) == 3
    joined.let_go_of_first()
    assert joined[2] == "entry 1" and len(joined) == 3
    with pytest.raises(TypeError):
        joined[1]
    with pytest.raises(TypeError):
        list(joined)


def test_a_build_after_a_full_one_that_fails_leaves_a_copy_the_next_one_uses(corpus, tmp_path):
    """The previous copy is filled with links by another process while the build works
    (output.CurrentSite): a build that fails meanwhile leaves it half made, marked as
    such, and the next build looks at what is there (no folder set aside as unknown)."""
    add_article(corpus)
    macros = corpus / "templates" / "macros.html"
    text = macros.read_text(encoding="utf-8")
    macros.write_text(text + "{% if %}", encoding="utf-8")
    with pytest.raises(InputError):
        build(Project(corpus))
    macros.write_text(text, encoding="utf-8")
    build(Project(corpus))
    assert not list((corpus / ".cache").glob("site-unknown*"))
    assert comparable(corpus / "site") == from_scratch(corpus, tmp_path / "fresh")
    edit_chinese(corpus)  # and the copy the next build changes is whole
    build(Project(corpus))
    assert comparable(corpus / "site") == from_scratch(corpus, tmp_path / "fresh")


# Five glossary terms: a story's tags take its four most telling (enrich.story_tags),
# and which four depends on how many stories use each term.
TELLING = {"晋中": "Jinzhong", "太原": "Taiyuan", "大同": "Datong", "运城": "Yuncheng"}
TELLING["长治"] = "Changzhi"


def _story_file(root: Path, story_id: str, day: str, uses: dict[str, int]) -> None:
    sentences = [
        f"{term}推进第{n}项科技创新工作。" for term, times in uses.items() for n in range(times)
    ]
    sentences += ["企业研发投入持续增长，人才队伍不断壮大。", "园区服务体系日益完善。"]
    (root / "content" / "zh" / f"{story_id}.md").write_text(
        f"---\nid: {story_id}\nlang: zh\ntitle: 科技创新观察{story_id[-2:]}\n"
        f"date: '{day}T10:00:00+08:00'\n---\n\n" + "".join(sentences) + "\n",
        encoding="utf-8",
    )


@pytest.fixture
def moving_tags(project: Path, monkeypatch) -> tuple[Path, list[str]]:
    """A site where one added article moves the tags of a story it shares nothing else
    with: s1 uses all five terms and is tagged with four. 晋中 (in three of eight stories)
    beats 长治 (in two) there; with the added article (晋中 again) 长治 wins. Returns the
    project and the paths its next build renders (here, not on workers)."""
    (project / "content" / "glossary.yaml").write_text(
        "".join(f"{zh}: {en}\n" for zh, en in TELLING.items()), encoding="utf-8"
    )
    _story_file(
        project,
        "2024-03-03-s1",
        "2024-03-03",
        {"晋中": 3, "长治": 2} | {term: 3 for term in ("太原", "大同", "运城")},
    )
    for n, (day, uses) in enumerate(
        [
            ("2024-01-05", {"晋中": 2}),
            ("2024-02-05", {"晋中": 2}),
            ("2024-04-05", {"长治": 2}),
            *((f"2023-0{m}-01", {}) for m in range(1, 5)),
        ]
    ):
        _story_file(project, f"{day}-x{n}", day, uses)
    monkeypatch.setattr(pipeline, "PARALLEL_PAGES_FROM", 1000)
    build(Project(project))
    rendered = _noting_rendered(monkeypatch)
    _story_file(project, "2025-01-01-added", "2025-01-01", {"晋中": 2})
    return project, rendered


def _tag_slugs(page: Path) -> set[str]:
    return set(re.findall(r'href="/zh/tags/([^/"]+)/"', page.read_text(encoding="utf-8")))


def test_a_story_whose_tags_move_is_made_again_not_the_pages_that_list_it(moving_tags, tmp_path):
    """A page's fingerprint has a story's tags only where its templates read them
    (templates.tags_shown): s1's article pages are made again, the pages of its tags
    that stayed (which list it, not its tags) are kept."""
    root, rendered = moving_tags
    page = root / "site" / "zh" / "articles" / "2024-03-03-s1" / "index.html"
    assert {"jinzhong", "taiyuan", "datong", "yuncheng"} <= _tag_slugs(page)
    assert "changzhi" not in _tag_slugs(page)
    build(Project(root))
    assert {"changzhi", "taiyuan", "datong", "yuncheng"} <= _tag_slugs(page)
    assert "jinzhong" not in _tag_slugs(page)
    assert "zh/articles/2024-03-03-s1/index.html" in rendered
    for lang in ("zh", "en"):
        assert f"{lang}/tags/changzhi/index.html" in rendered  # it lists s1 now
        for kept in ("taiyuan", "datong", "yuncheng"):  # they list s1 as before
            assert f"{lang}/tags/{kept}/index.html" not in rendered, rendered
    assert comparable(root / "site") == from_scratch(root, tmp_path / "fresh")


def test_a_template_that_lists_stories_tags_is_made_again_when_they_move(moving_tags, tmp_path):
    """The other side: a tag page that shows each listed story's tags is made again when
    one of them moves, and is the page a fresh build makes."""
    root, rendered = moving_tags
    path = root / "templates" / "tag.html"
    text = path.read_text(encoding="utf-8")
    shown = (
        "{% for s in stories %}<p>{{ s.tags | map(attribute='slug') | join(' ') }}</p>{% endfor %}"
    )
    path.write_text(text.replace("{% endblock %}", shown + "{% endblock %}", 1), encoding="utf-8")
    build(Project(root))  # (every tag page, for the template)
    rendered.clear()
    (root / "content" / "zh" / "2025-01-01-added.md").unlink()
    build(Project(root))  # s1's tags move back: 晋中 in three stories again
    assert "zh/tags/taiyuan/index.html" in rendered
    page = root / "site" / "zh" / "tags" / "taiyuan" / "index.html"
    assert "jinzhong" in page.read_text(encoding="utf-8")
    assert comparable(root / "site") == from_scratch(root, tmp_path / "fresh")


@pytest.mark.parametrize(
    ("source", "own", "listed"),
    [
        ("{{ story.tags_in(lang) | length }}", True, False),  # article.html's own story
        ("{% if story %}{{ t.tags }}{{ t['tags'] }}{% endif %}", False, False),  # strings
        ("{% for story in stories %}{{ story.tags }}{% endfor %}", False, True),
        ("{% macro item(story) %}{{ story.tags }}{% endmacro %}", False, True),
        ("{{ newer.tags }}", False, True),
        ("{{ related[0]['tags'] }}", False, True),
        ("{{ stories | map(attribute='tags') | list }}", False, True),
        ("{% set story = related[0] %}{{ story.tags }}", True, True),  # not its own
        ("{% for s in story.tags %}{{ s }}{% endfor %}", False, True),  # (erring to "read")
    ],
)
def test_whose_tags_a_template_reads(source, own, listed):
    from jinja2 import Environment

    assert templates._tags_read(Environment().parse(source)) == (own, listed)


def test_a_first_builds_articles_are_parsed_by_processes_started_before_its_imports(
    tmp_path, monkeypatch
):
    """`python build.py` with no cache yet starts a process for each language's article
    files before it imports the pipeline (helper.early_reads): the build parses none
    itself, a file changed after it was parsed there is parsed again, and the site is
    the one a build without them makes."""
    from corpus import make_corpus

    from briefing import content, helper
    from briefing.cli import main

    root = make_corpus(20, tmp_path / "corpus")
    parsed_here: list[str] = []
    real_parse_files, real_map = content.parse_files, content.map_forked

    def counting_map(function, items, what, **options):
        parsed_here.extend(str(path.name) for path, _ in items)
        return real_map(function, items, what, **options)

    changed = _articles(root, "zh")[4]

    def then_changed(folder, lang, within):
        found = real_parse_files(folder, lang, within)
        if lang == "zh":  # (changed after its process read it: a new size and time)
            changed.write_text(changed.read_text(encoding="utf-8") + "\n补充。\n", "utf-8")
        return found

    monkeypatch.setattr(content, "map_forked", counting_map)
    monkeypatch.setattr(content, "parse_files", then_changed)
    started, order = [], []
    monkeypatch.setattr(helper.EarlyReads, "__init__", _noting(helper.EarlyReads.__init__, started))
    for name in ("load_text_tools", "read_language"):  # jieba's dictionary loads meanwhile
        real = getattr(pipeline, name)
        monkeypatch.setattr(pipeline, name, _noting(real, order, name))
    assert main(["-q"], root=root) == 0
    assert started and parsed_here == [changed.name]
    assert order[:2] == ["load_text_tools", "read_language"]
    page = root / "site" / "zh" / "articles" / changed.stem / "index.html"
    assert "补充。" in page.read_text(encoding="utf-8")
    assert comparable(root / "site") == from_scratch(root, tmp_path / "fresh")
    # A build with a cache parses early no more.
    started.clear()
    add_article(root)
    assert main(["-q"], root=root) == 0
    assert not started


def _noting(function, calls: list, name: str | None = None):
    def noted(*args, **kwargs):
        calls.append(name or args)
        return function(*args, **kwargs)

    return noted


def test_a_first_build_whose_early_parsing_failed_parses_itself(tmp_path, monkeypatch):
    from corpus import make_corpus

    from briefing import content
    from briefing.cli import main

    root = make_corpus(20, tmp_path / "corpus")
    real = content.parse_files

    def failing_for_english(folder, lang, within):
        if lang == "en":
            raise OSError("the process could not read them")
        return real(folder, lang, within)

    monkeypatch.setattr(content, "parse_files", failing_for_english)
    assert main(["-q"], root=root) == 0
    assert comparable(root / "site") == from_scratch(root, tmp_path / "fresh")


def test_assets_are_kept_like_pages(corpus):
    """The stylesheet, script and icon are named after their content: a build keeps the
    files it wrote (the same file, hard-linked into the copy it makes), and makes again
    one changed by hand."""
    assets = sorted((corpus / "site" / "assets").iterdir())
    assert len(assets) >= 3
    inodes = {p.name: p.stat().st_ino for p in assets}
    edit_chinese(corpus)
    build(Project(corpus))
    assert {p.name: p.stat().st_ino for p in (corpus / "site" / "assets").iterdir()} == inodes
    changed = corpus / "site" / "assets" / assets[0].name
    text = changed.read_bytes()
    changed.unlink()
    changed.write_bytes(text + b"/* by hand */")
    edit_chinese(corpus)
    build(Project(corpus))
    assert changed.read_bytes() == text
