"""Caches that can't go stale: a cached value is keyed by the code that made it, and
a build in a long-running process (`serve`) starts from nothing an earlier build left."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from briefing.cli import main

from .conftest import REPO
from .site_helpers import comparable, snapshot

BUILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from briefing.cli import main
    sys.exit(main(["-q", *sys.argv[3:]], root=Path(sys.argv[2])))
    """
)


def copy_project(root: Path) -> Path:
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "site.toml", root / "site.toml")
    return root


def build_with(code: Path, project: Path) -> None:
    """A build in a new process, with the package found at `code`."""
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(code), str(project)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_upgrading_the_code_of_a_stage_changes_the_pages_it_affects(tmp_path):
    code = tmp_path / "code"
    shutil.copytree(
        REPO / "briefing", code / "briefing", ignore=shutil.ignore_patterns("__pycache__")
    )
    project = copy_project(tmp_path / "project")
    build_with(code, project)
    before = snapshot(project / "site")

    # A new version of enrich.py writes shorter summaries: cached features (summaries
    # among them) were made by the old code and must not be used.
    enrich = code / "briefing" / "enrich.py"
    source = enrich.read_text(encoding="utf-8")
    assert 'SUMMARY_CHARS = {"zh": 110, "en": 240}' in source
    enrich.write_text(
        source.replace('{"zh": 110, "en": 240}', '{"zh": 30, "en": 60}'), encoding="utf-8"
    )
    build_with(code, project)
    after = snapshot(project / "site")

    changed = {path for path in after if before.get(path) != after[path]}
    article = "zh/articles/2022-02-27-d9ab3b7d/index.html"
    assert article in changed  # its description is its summary
    fresh = copy_project(tmp_path / "fresh")
    build_with(code, fresh)
    assert after == snapshot(fresh / "site")  # the same as a first build with the new code
    # and what the old code made is gone from the cache, not kept there for good
    db = sqlite3.connect(project / ".cache" / "build.sqlite")
    (features,) = db.execute("SELECT COUNT(*) FROM cache WHERE ns = 'features'").fetchone()
    db.close()
    assert features == len(list((project / "content" / "zh").glob("*.md")))


def test_a_glossary_term_removed_between_builds_in_one_process_is_gone(tmp_path, capsys):
    project = copy_project(tmp_path / "project")
    glossary = project / "content" / "glossary.yaml"
    assert main(["-q"], root=project) == 0
    # The editor drops a term: the segmenter must stop treating it as one word.
    lines = glossary.read_text(encoding="utf-8").splitlines(keepends=True)
    term = next(line for line in lines if line.startswith("智创谷:"))
    glossary.write_text("".join(line for line in lines if line != term), encoding="utf-8")
    assert main(["-q"], root=project) == 0
    rebuilt = comparable(project / "site")

    fresh = copy_project(tmp_path / "fresh")
    shutil.copy(glossary, fresh / "content" / "glossary.yaml")
    build_with(REPO, fresh)  # a new process, which never knew the term
    assert rebuilt == comparable(fresh / "site")


def test_a_cache_from_before_the_site_records_were_one_value_is_looked_at(tmp_path):
    """The cache of an earlier version kept a row per site file: after the upgrade the
    copies of the site it recorded are looked at (a file only that layout knew of is
    not left in the site), and its table goes."""
    project = copy_project(tmp_path)
    assert main(["-q"], root=project) == 0
    cache = project / ".cache" / "build.sqlite"
    db = sqlite3.connect(cache)
    db.execute("DROP TABLE site_files")
    db.execute(
        "CREATE TABLE site_file (tree INTEGER, path TEXT, fingerprint TEXT, inode INTEGER, "
        "size INTEGER, mtime INTEGER, PRIMARY KEY (tree, path))"
    )
    db.commit()
    db.close()
    (project / ".cache" / "site-previous" / "stale.html").write_text("an older page")
    (project / ".cache" / "last-build.json").unlink()  # build, whatever changed
    assert main(["-q"], root=project) == 0
    assert not (project / "site" / "stale.html").exists()
    assert (project / "site" / "zh" / "index.html").is_file()
    db = sqlite3.connect(cache)
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    records = db.execute("SELECT count(*) FROM site_files").fetchone()[0]
    db.close()
    assert "site_file" not in tables and records >= 1


def test_stored_rows_go_in_a_batch_at_a_time_and_none_is_lost(tmp_path, monkeypatch):
    """Cache.store writes its rows some at a time: what it holds is read back by the same
    process before any batch is full, kept by the commit, and dropped by a rollback."""
    from briefing import cache as cache_module
    from briefing.cache import Cache

    monkeypatch.setattr(cache_module, "STORED_AT_ONCE", 4)
    path = tmp_path / "build.sqlite"
    cache = Cache(path)
    for n in range(10):  # two full batches written, two rows held
        cache.store("features", f"k{n}", {"n": n})
    assert len(cache.stored) == 2
    assert cache.get("features", "k9") == {"n": 9}  # read back, held rows written first
    assert cache.get_many("features", [f"k{n}" for n in range(10)]) == {
        f"k{n}": {"n": n} for n in range(10)
    }
    cache.store("features", "k10", {"n": 10})
    cache.commit()
    cache.store("features", "lost", {"n": -1})
    cache.rollback()
    cache.close()
    again = Cache(path)
    assert sorted(again.get_many("features", [f"k{n}" for n in range(11)] + ["lost"])) == sorted(
        f"k{n}" for n in range(11)
    )
    again.close()


def test_a_new_cache_file_has_large_pages_and_an_old_one_keeps_its_own(tmp_path):
    """The build's cache is made with CACHE_PAGE pages (its values are KBs each); a file
    made with other pages (an earlier version's) is used as it is, its rows readable."""
    from briefing.cache import Cache
    from briefing.files import CACHE_PAGE

    cache = Cache(tmp_path / "build.sqlite")
    assert cache.db.execute("PRAGMA page_size").fetchone()[0] == CACHE_PAGE == 16384
    cache.close()
    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as db:
        db.execute("PRAGMA page_size = 4096")
        db.execute("CREATE TABLE cache (ns TEXT, key TEXT, value BLOB, PRIMARY KEY (ns, key))")
    cache = Cache(old)
    cache.store("blocks", "a", "x" * 20_000)
    cache.commit()
    assert cache.db.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert cache.get("blocks", "a") == "x" * 20_000
    cache.close()


def test_a_copy_recorded_without_files_is_told_from_one_with_files(tmp_path):
    """Cache.recorded_without_files: what site_records() == {} says, for a copy with no
    files (folders made ahead), with files, with one short record, unknown, damaged."""
    from briefing.cache import Cache

    cache = Cache(tmp_path / "build.sqlite")
    cache.record_site_files(1, {})
    cache.record_site_files(
        2, {f"zh/articles/{n}/index.html": ("f" * 32, n, 9, 9) for n in range(50)}
    )
    cache.record_site_files(3, {"a": ("", 1, 2, 3)})
    cache.db.execute("INSERT INTO site_files VALUES (5, ?)", (b"\xff",))
    for tree in (1, 2, 3, 4, 5):
        assert cache.recorded_without_files(tree) == (cache.site_records(tree) == {}), tree
    assert [cache.recorded_without_files(tree) for tree in (1, 2, 3, 4, 5)] == [
        True,
        False,
        False,
        False,
        False,
    ]
    cache.close()


def test_an_article_from_the_cache_has_its_blocks_read_when_wanted(tmp_path):
    """The read cache keeps an article's blocks apart from its front-matter: an article
    taken from it reads them from the cache when something wants them (here, in a
    forked process, or pickled for the helper), and from its file when the cache has
    lost them or is closed. Each way, the blocks are those the file holds."""
    import pickle

    from briefing import content
    from briefing.cache import Cache
    from briefing.config import Project
    from briefing.parallel import Forked

    project = Project(copy_project(tmp_path))
    assert main(["-q"], root=project.root) == 0
    fresh = {a.id: a.blocks for a in content.read_articles(project, "zh").articles}
    cache = Cache(project.root / ".cache" / "build.sqlite")
    cached = content.read_articles(project, "zh", cache)
    assert len(cached.articles) == len(fresh)
    assert all(a._blocks_from is not None for a in cached.articles)  # none's text read yet
    first, second, *rest = cached.articles
    read_elsewhere = Forked(lambda: [a.blocks for a in rest])
    assert read_elsewhere.result() == [fresh[a.id] for a in rest]
    assert pickle.loads(pickle.dumps(first)).blocks == fresh[first.id]
    cache.db.execute("DELETE FROM cache WHERE ns = ?", (content.BLOCKS,))
    assert second.blocks == fresh[second.id]
    cache.close()  # (an article kept after its build: serve, a script)
    assert rest[0].blocks == fresh[rest[0].id]


def test_an_articles_key_tells_apart_what_it_says_and_only_that():
    """content_key: what every cache entry and page made from an article is keyed by.
    Equal texts and front-matter give one key (whichever objects hold them); any
    difference in the body, a block's kind or the front-matter gives another; a value
    marshal cannot write is keyed all the same."""
    from datetime import date

    from briefing.model import Article, Block

    def article(**changes) -> Article:
        values = dict(
            id="a",
            lang="zh",
            title="标题",
            blocks=[Block("heading", "小标题"), Block("paragraph", "正文。")],
            tags=["山西"],
            extra={"note": "x"},
        )
        values.update(changes)
        return Article(**values)

    key = article().content_key
    same = article(
        title="".join(["标", "题"]),
        blocks=[Block("heading", "小标题"), Block("paragraph", "正文。")],
    )
    assert same.content_key == key
    assert article(path=Path("elsewhere.md")).content_key == key  # where it is: not what it says
    for changed in (
        article(blocks=[Block("paragraph", "小标题"), Block("paragraph", "正文。")]),
        article(blocks=[Block("heading", "小标题"), Block("paragraph", "正文!")]),
        article(blocks=[Block("heading", "小标题正文。")]),
        article(tags=["山西", "晋中"]),
        article(extra={"note": 1}),
        article(date="2022-01-01"),
    ):
        assert changed.content_key != key
    odd = article(extra={"when": date(2022, 1, 1)})
    assert odd.content_key == article(extra={"when": date(2022, 1, 1)}).content_key != key
