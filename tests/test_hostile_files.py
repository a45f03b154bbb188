"""Hostile or unlucky files: no input stops, hangs or corrupts a build, and nothing outside
the project is touched. Each case: the file, then the exit status, the one line naming
it, the other articles built, the previous site intact and nothing of the editor's lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from .site_helpers import snapshot
from .test_bad_input import add_seed, error_lines


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
    """Change an input, so that the next build is not skipped as up to date."""
    (project / "content" / "zh" / "extra.md").write_text(
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
    touch_content(project)
    (project / "content" / "zh" / "extra.md").write_text(
        "---\ntitle: 又一篇\n---\n\n正文。\n", encoding="utf-8"
    )
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
    touch_content(project)
    status, out = run(project)
    assert status == 0
    kept = project / ".cache" / "site-unknown-1"
    assert tree(kept) == before
    assert ".cache/site-unknown-1: a site/ no build of this cache made" in out
    assert (site / "zh" / "articles" / "extra" / "index.html").exists()
    assert not (site / "CNAME").exists()
