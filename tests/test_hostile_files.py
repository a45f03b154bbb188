"""Hostile or unlucky files: no input stops, hangs or corrupts a build, and nothing outside
the project is touched. Each case: the file, then the exit status, the one line naming
it, the other articles built, the previous site intact and nothing of the editor's lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .site_helpers import snapshot
from .test_bad_input import add_seed, error_lines
from .test_translate import argos_packages, installed, tiny_package  # noqa: F401


def tree(folder: Path) -> dict[str, str]:
    """Every file under a folder (links as links): its content hash, or where it points."""
    found = snapshot(folder)
    found.update(
        {p.relative_to(folder).as_posix(): "link" for p in folder.rglob("*") if p.is_symlink()}
    )
    return found


@pytest.fixture
def outside(tmp_path_factory) -> Path:
    """A folder of someone else's files, outside the project."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "precious.txt").write_text("not the build's\n", encoding="utf-8")
    (folder / "docs").mkdir()
    (folder / "docs" / "index.html").write_text("<p>another site</p>\n", encoding="utf-8")
    return folder


def touch_content(project: Path) -> None:
    """A new time on an input, so that the next build is not skipped as up to date."""
    settings = project / "site.toml"
    later = settings.stat().st_mtime_ns + 1_000_000_000
    os.utime(settings, ns=(later, later))


def add_article(project: Path, article_id: str = "extra") -> None:
    (project / "content" / "zh" / f"{article_id}.md").write_text(
        "---\ntitle: 补充\ndate: 2022-03-01\n---\n\n补充的一段正文。\n", encoding="utf-8"
    )


# --- the site folder ----------------------------------------------------------------------


def test_site_as_a_link_to_another_folder_is_refused_and_the_folder_untouched(
    project, run, outside
):
    add_seed(project)
    before = tree(outside)
    (project / "site").symlink_to(outside)
    for _ in range(2):  # the second build used to empty the folder
        status, out = run(project)
        assert status == 1
        assert error_lines(out)[-1] == (
            f"error: site: is a link to {outside}; the build replaces site/ as a whole, so it "
            f"must be a real folder: remove the link and publish site/ itself "
            f"(or copy it to {outside})"
        )
        touch_content(project)
    assert tree(outside) == before
    assert (project / "site").is_symlink()
    assert "Traceback" not in out


def test_a_link_left_in_place_of_the_previous_copy_is_removed_not_followed(project, run, outside):
    add_seed(project)
    assert run(project)[0] == 0
    previous = project / ".cache" / "site-previous"
    previous.rmdir()
    previous.symlink_to(outside, target_is_directory=True)
    before = tree(outside)
    touch_content(project)
    assert run(project)[0] == 0
    add_article(project)
    assert run(project)[0] == 0
    assert tree(outside) == before
    assert (project / "site" / "zh" / "articles" / "extra" / "index.html").exists()


def test_a_site_folder_no_build_made_is_kept_aside_never_emptied(project, run):
    add_seed(project)
    site = project / "site"
    (site / "notes").mkdir(parents=True)
    (site / "CNAME").write_text("briefing.example.org\n", encoding="utf-8")
    (site / "notes" / "todo.txt").write_text("mine\n", encoding="utf-8")
    before = tree(site)
    assert run(project)[0] == 0
    add_article(project)
    status, out = run(project)
    assert status == 0
    kept = project / ".cache" / "site-unknown-1"
    assert tree(kept) == before
    assert ".cache/site-unknown-1: a site/ no build of this cache made" in out
    assert (site / "zh" / "articles" / "extra" / "index.html").exists()
    assert not (site / "CNAME").exists()


# --- provenance ---------------------------------------------------------------------------


def test_raw_file_name_in_gbk_is_recorded_so_that_it_reads_back(project, run):
    seed = add_seed(project)
    gbk_name = os.fsencode(project / "content" / "raw") + b"/" + "新闻稿".encode("gbk") + b".txt"
    os.rename(seed, gbk_name)
    assert run(project)[0] == 0
    (article,) = (project / "content" / "zh").glob("*.md")
    text = article.read_text(encoding="utf-8")
    assert "original: raw/%D0%C2%CE%C5%B8%E5.txt\n" in text
    edited = text + "\n编辑加上的一段。\n"
    article.write_text(edited, encoding="utf-8")
    for _ in range(2):  # each build used to re-ingest it and push the edit to .bak, .bak2 ...
        status, out = run(project)
        assert status == 0
        assert [line for line in error_lines(out) if ": stale: " not in line] == []
        touch_content(project)
    assert article.read_text(encoding="utf-8") == edited
    assert sorted(p.name for p in (project / "content" / "zh").iterdir()) == [article.name]
    page = project / "site" / "zh" / "articles" / article.stem / "index.html"
    assert "编辑加上的一段。" in page.read_text(encoding="utf-8")


def test_an_ingested_article_that_cannot_be_read_is_never_replaced(project, run):
    add_seed(project)
    assert run(project)[0] == 0
    (article,) = (project / "content" / "zh").glob("*.md")
    broken = article.read_text(encoding="utf-8").replace("title: ", "title: [", 1)
    article.write_text(broken, encoding="utf-8")  # a person's edit, with a mistake
    status, out = run(project)
    assert status == 0
    problems = error_lines(out)
    assert problems[0].startswith(
        f"error: content/zh/{article.name}: front-matter is not valid YAML (line 5)"
    )
    assert problems[1] == (
        f"error: content/raw/{next((project / 'content' / 'raw').iterdir()).name}: "
        f"content/zh/{article.name} exists but could not be read (see above); not replaced: "
        "fix it, or delete it to ingest this page again"
    )
    assert article.read_text(encoding="utf-8") == broken
    assert sorted(p.name for p in article.parent.iterdir()) == [article.name]


@pytest.mark.usefixtures("installed")  # a model that would translate it
def test_an_english_file_that_cannot_be_read_is_never_translated_over(project, run):
    add_seed(project)
    english = next((project / "content" / "en").glob("*.md"))
    broken = english.read_text(encoding="utf-8").replace("title: ", "title: [", 1)
    english.write_text(broken, encoding="utf-8")  # a person's translation, with a mistake
    status, out = run(project)
    assert status == 0
    assert error_lines(out)[0].startswith(
        f"error: content/en/{english.name}: front-matter is not valid YAML"
    )
    assert english.read_text(encoding="utf-8") == broken
    assert sorted(p.name for p in english.parent.iterdir()) == [english.name]
