"""`python build.py` as an editor uses it: ingest once, never overwrite, say what happened."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import REPO, SEEDS


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_help_lists_the_commands():
    out = subprocess.run(
        [sys.executable, "build.py", "--help"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    for command in ("build", "ingest", "explain", "--strict", "-q", "-v"):
        assert command in out


def test_build_py_ends_at_once_with_the_status_and_every_line_the_build_printed(tmp_path):
    """build.py ends its process without Python's teardown (cli.exit_at_once): what the
    build printed is all there, its status is the exit status, and the site is whole."""
    root = tmp_path / "project"
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    for name in ("site.toml", "build.py"):
        shutil.copy(REPO / name, root / name)
    (root / "content" / "raw" / "empty.txt").write_bytes(b"")

    # Output buffered as on an editor's machine (this one may set PYTHONUNBUFFERED).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}

    def build_py(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "build.py", *args], cwd=root, env=env, capture_output=True, text=True
        )

    done = build_py()
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "error: content/raw/empty.txt: empty file"
    assert lines[-1].startswith("site: ") and "files in site" in lines[-1]
    assert (root / "site" / "sitemap.xml").read_text(encoding="utf-8").endswith("</sitemapindex>\n")
    strict = build_py("--strict")
    assert strict.returncode == 1
    assert strict.stderr.splitlines()[-1].startswith("error: --strict: ")
    listed = build_py("list")  # printed to a pipe: held in stdout's buffer till the end
    assert listed.returncode == 0
    articles = len(list((root / "content" / "zh").glob("*.md")))
    assert len(listed.stdout.splitlines()) == articles + 1
    assert listed.stdout.splitlines()[-1].startswith(f"{articles} articles: ")


def test_build_ingests_every_seed_and_leaves_raw_files_alone(seeded_project, run):
    raw = seeded_project / "content" / "raw"
    before = digests(raw)
    status, out = run(seeded_project)
    assert status == 0  # reported, not fatal without --strict
    zh = sorted(p.name for p in (seeded_project / "content" / "zh").glob("*.md"))
    assert len(zh) == 6  # five pages, one of which carries a second article
    assert "6 Chinese articles (6 newly ingested" in out
    assert digests(raw) == before


# What the site's editor changed in the ingested seeds: the outlet's name that
# mojibake damaged (and its warning), and the review notes once checked.
EDITOR_EDITS = {
    "2022-05-26-326a0657.md": [
        ("via: 山西经济日??", "via: 山西经济日报"),
        (", 'via: lost characters (mojibake) in ''山西经济日??''']", "]"),
    ],
    "undated-89793ac4.md": [("review: [title guessed, no date, no source]\n", "")],
    "undated-89793ac4-2.md": [("review: [appended to another article's page]\n", "")],
}


def test_committed_content_is_what_ingest_makes_of_the_seeds(seeded_project, run):
    run(seeded_project)
    zh = seeded_project / "content" / "zh"
    ours = {p.name: p.read_text(encoding="utf-8") for p in zh.glob("*.md")}
    committed = {
        p.name: p.read_text(encoding="utf-8") for p in (REPO / "content" / "zh").glob("*.md")
    }
    assert ours.keys() == committed.keys()
    for name, text in ours.items():
        for made, edited in EDITOR_EDITS.get(name, []):
            assert made in text, name
            text = text.replace(made, edited)
        assert text == committed[name], name
    assert {p.name for p in SEEDS.glob("*.txt")} == {
        p.name for p in (seeded_project / "content" / "raw").iterdir()
    }


def test_second_build_changes_nothing(seeded_project, run):
    run(seeded_project)
    zh = seeded_project / "content" / "zh"
    before = {p.name: p.stat().st_mtime_ns for p in zh.iterdir()}
    status, out = run(seeded_project)
    assert status == 0  # reported, not fatal without --strict
    assert "0 newly ingested, 5 raw files ingested earlier" in out
    assert {p.name: p.stat().st_mtime_ns for p in zh.iterdir()} == before


def test_an_edited_article_is_never_overwritten(seeded_project, run):
    run(seeded_project)
    article = next((seeded_project / "content" / "zh").glob("2022-02-27-*.md"))
    edited = article.read_text(encoding="utf-8").replace("晋商故里", "晋商故里(编辑改)")
    article.write_text(edited, encoding="utf-8")
    run(seeded_project)
    run(seeded_project, "ingest")
    assert article.read_text(encoding="utf-8") == edited


def test_changed_raw_file_is_reported_not_reingested(seeded_project, run):
    run(seeded_project)
    raw = next((seeded_project / "content" / "raw").glob("000_*.txt"))
    article = next((seeded_project / "content" / "zh").glob("2022-02-27-*.md"))
    before = article.read_text(encoding="utf-8")
    raw.write_text(raw.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    status, out = run(seeded_project)
    assert status == 0  # reported, not fatal without --strict
    assert f"warning: content/raw/{raw.name}: changed since it was ingested" in out
    assert "--reingest" in out
    assert article.read_text(encoding="utf-8") == before


def test_reingest_redoes_a_file_and_keeps_the_edited_version(seeded_project, run):
    run(seeded_project)
    raw = next((seeded_project / "content" / "raw").glob("000_*.txt"))
    article = next((seeded_project / "content" / "zh").glob("2022-02-27-*.md"))
    fresh = article.read_text(encoding="utf-8")
    article.write_text(fresh.replace("晋商故里", "晋商故里(改)"), encoding="utf-8")
    status, out = run(seeded_project, "ingest", "--reingest", str(raw))
    assert status == 0
    assert article.read_text(encoding="utf-8") == fresh
    backup = article.with_suffix(".md.bak")
    assert "晋商故里(改)" in backup.read_text(encoding="utf-8")
    assert f"previous version is in content/zh/{backup.name}" in out


def test_markdown_article_dropped_into_zh_is_read(project, run):
    (project / "content" / "zh" / "my-note.md").write_text(
        "---\ntitle: 编辑部手记\ndate: 2024-05-01\nauthors: [编辑部]\n---\n\n第一段。\n\n## 小标题\n\n第二段。\n",
        encoding="utf-8",
    )
    status, out = run(project)
    assert status == 0  # reported, not fatal without --strict
    assert "content: 1 Chinese articles" in out


def test_quiet_prints_only_problems(seeded_project, run):
    status, out = run(seeded_project, "-q")
    assert status == 0
    assert all(line.startswith(("warning:", "error:")) for line in out.splitlines())


def test_explain_shows_the_role_of_every_line(run):
    status, out = run(REPO, "explain", str(next(SEEDS.glob("003_*.txt"))))
    assert status == 0
    assert "kicker" in out and "title of an appended article" in out
    assert "选择就地过节 租房市场有热度" in out


def test_ingest_of_a_file_outside_raw_is_refused(seeded_project, run):
    stray = seeded_project / "stray.txt"
    stray.write_text(
        "标题\n\n正文，很长的一段正文，超过三十个字，用来测试这个命令会不会读取它。\n",
        encoding="utf-8",
    )
    status, out = run(seeded_project, "ingest", str(stray))
    assert status == 1
    assert out.strip() == "error: stray.txt: not a file in content/raw/; nothing ingested"
    assert not list((seeded_project / "content" / "zh").glob("*.md"))


def test_explain_of_a_missing_file_says_so(project, run):
    status, out = run(project, "explain", "nowhere.txt")
    assert status == 1
    assert out.strip() == "error: nowhere.txt: no such file"


def test_a_second_reingest_keeps_the_first_backup(seeded_project, run):
    run(seeded_project)
    raw = next((seeded_project / "content" / "raw").glob("000_*.txt"))
    article = next((seeded_project / "content" / "zh").glob("2022-02-27-*.md"))
    fresh = article.read_text(encoding="utf-8")
    for edit in ("(第一次改)", "(第二次改)"):
        article.write_text(fresh.replace("晋商故里", "晋商故里" + edit), encoding="utf-8")
        run(seeded_project, "ingest", "--reingest", str(raw))
    assert "第一次改" in article.with_suffix(".md.bak").read_text(encoding="utf-8")
    assert "第二次改" in article.with_suffix(".md.bak2").read_text(encoding="utf-8")
    assert article.read_text(encoding="utf-8") == fresh


def test_nothing_changed_means_nothing_is_done(seeded_project, run):
    shutil.copytree(REPO / "content" / "en", seeded_project / "content" / "en", dirs_exist_ok=True)
    assert run(seeded_project)[0] == 0  # ingest warns (mojibake in 002): not skipped next time
    assert run(seeded_project)[0] == 0  # a clean build
    site = seeded_project / "site"
    inode = site.stat().st_ino
    status, out = run(seeded_project)
    assert status == 0
    assert "site is up to date" in out
    assert site.stat().st_ino == inode  # not even swapped
    (seeded_project / "templates" / "about.html").write_text(
        (seeded_project / "templates" / "about.html").read_text(encoding="utf-8") + "\n",
        encoding="utf-8",
    )
    status, out = run(seeded_project)
    assert "site is up to date" not in out
    assert site.stat().st_ino != inode
    shutil.rmtree(site)
    status, out = run(seeded_project)
    assert "site is up to date" not in out and site.is_dir()


def test_files_added_or_removed_since_the_last_build_are_told_from_their_folders(
    seeded_project, run
):
    """freshness.files_added_or_removed: true before any build, false after a clean
    one, true once a file is added to or removed from a folder the build reads (the
    command line then starts the helper before it looks at every file), false for an
    edit in place (the whole check, up_to_date, still sees it)."""
    from briefing import freshness
    from briefing.config import Project

    shutil.copytree(REPO / "content" / "en", seeded_project / "content" / "en", dirs_exist_ok=True)
    project = Project(seeded_project)
    assert freshness.files_added_or_removed(project)
    run(seeded_project)
    assert run(seeded_project)[0] == 0  # (the first one ingested: it wrote articles)
    assert not freshness.files_added_or_removed(project)
    article = sorted((seeded_project / "content" / "zh").glob("*.md"))[0]
    text = article.read_text(encoding="utf-8")
    article.write_text(text + "\n编辑补充的一段文字。\n", encoding="utf-8")
    assert not freshness.files_added_or_removed(project)
    assert not freshness.up_to_date(project)
    status, out = run(seeded_project)
    assert status == 0 and "site is up to date" not in out
    added = article.with_name("2026-01-01-added.md")
    added.write_text(text.replace(f"id: {article.stem}", "id: 2026-01-01-added", 1), "utf-8")
    assert freshness.files_added_or_removed(project)
    status, out = run(seeded_project)
    assert status == 0 and "site is up to date" not in out
    assert (seeded_project / "site" / "zh" / "articles" / "2026-01-01-added").is_dir()
    assert not freshness.files_added_or_removed(project)
    assert "site is up to date" in run(seeded_project)[1]
    (seeded_project / "templates" / "about.html").rename(seeded_project / "about.html")
    assert freshness.files_added_or_removed(project)


def test_a_build_with_nothing_to_do_says_the_last_builds_warnings_again(seeded_project, run):
    shutil.copytree(REPO / "content" / "en", seeded_project / "content" / "en", dirs_exist_ok=True)
    assert run(seeded_project)[0] == 0  # ingests: content/zh changes during this build
    (seeded_project / "content" / "zh" / "broken.md").write_text("no front-matter\n", "utf-8")
    orphan = seeded_project / "content" / "en" / "2020-01-01-orphan.md"
    orphan.write_text("---\nid: 2020-01-01-orphan\ntitle: No Chinese\n---\nText.\n", "utf-8")
    status, first = run(seeded_project)
    assert status == 0
    said = [line for line in first.splitlines() if line.startswith(("warning:", "error:"))]
    assert said[0].startswith("error: content/zh/broken.md: no front-matter")
    assert said[1].startswith("warning: content/en/2020-01-01-orphan.md: ")
    site = seeded_project / "site"
    inode = site.stat().st_ino
    status, out = run(seeded_project)
    assert status == 0
    assert "site is up to date" in out and site.stat().st_ino == inode  # nothing rebuilt
    again = [line for line in out.splitlines() if line.startswith(("warning:", "error:"))]
    assert again == said  # every problem said again, word for word
    status, out = run(seeded_project, "--strict")
    assert status == 1 and "site is up to date" in out  # and --strict still fails on them
    assert f"--strict: {len(said)} warnings or errors; failing the build" in out
