"""Hostile or unlucky files: no input stops, hangs or corrupts a build, and nothing outside
the project is touched. Each case: the file, then the exit status, the one line naming
it, the other articles built, the previous site intact and nothing of the editor's lost."""

from __future__ import annotations

import os
import re
import resource
import shutil
import socket
import stat
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from briefing import freshness
from briefing.config import Project
from briefing.serve import watched_state

from .conftest import REPO, serving
from .site_helpers import parse, snapshot
from .test_bad_input import add_seed, error_lines, raw_digests
from .test_translate import argos_packages, installed, tiny_package  # noqa: F401

SEED_ID = "2022-02-27-d9ab3b7d"  # the article of seed 000 (add_seed), English included
SEED_PAGE = f"zh/articles/{SEED_ID}/index.html"
# A guard, not a measure: a build that waits on a FIFO or expands an alias bomb runs
# until it is killed; the test then fails instead of stopping the suite.
HANG = 300


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


@pytest.mark.parametrize("folder", ["content/zh", "content/en", ".cache"])
def test_a_written_folder_that_leads_out_of_the_project_is_refused_and_left_untouched(
    project, run, outside, folder
):
    add_seed(project)
    target = project / folder
    shutil.rmtree(target, ignore_errors=True)
    target.symlink_to(outside, target_is_directory=True)
    before = tree(outside)
    for command in ((), ("ingest",), ("translate",)):
        status, out = run(project, *command)
        assert status == 1
        assert error_lines(out)[-1] == (
            f"error: {folder}: leads out of the project (to {outside}); the build writes "
            "there, so it must be a folder inside the project: replace the link with the "
            "folder itself"
        )
    assert tree(outside) == before
    assert "Traceback" not in out
    # A link that stays inside the project is followed as the folder it is.
    target.unlink()
    (project / "elsewhere-in-project").mkdir()
    target.symlink_to(project / "elsewhere-in-project", target_is_directory=True)
    status, out = run(project)
    assert status == 0, out


def test_a_link_left_in_place_of_the_previous_copy_is_removed_not_followed(project, run, outside):
    add_seed(project)
    assert run(project)[0] == 0
    previous = project / ".cache" / "site-previous"
    shutil.rmtree(previous)  # (the folders a first build made ahead, no files)
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


# --- how the cases are checked --------------------------------------------------------------


@pytest.fixture
def built(project, run) -> Path:
    """A project with one article (and its English), built once: the previous site."""
    add_seed(project)
    assert run(project)[0] == 0
    return project


def in_child(root: Path, *args: str, env: dict | None = None, memory: int | None = None):
    """python build.py ARGS in a child process, for cases that could hang or crash one:
    (exit status, stderr + stdout)."""
    code = (
        "import sys; from pathlib import Path; from briefing.cli import main; "
        "sys.exit(main(sys.argv[2:], root=Path(sys.argv[1])))"
    )

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(root), *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=HANG,
            env={**os.environ, **(env or {})},
            preexec_fn=limit_memory if memory else None,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the build hung (killed after {HANG} s)")
    return done.returncode, done.stderr + done.stdout


def problems(out: str) -> list[str]:
    """The error and warning lines, but the note that new articles have no English yet."""
    return [line for line in error_lines(out) if " have no English " not in line]


def check_file_skipped(project: Path, status: int, out: str, shown: str, message: str) -> None:
    """One bad file: one line naming it, and the build carries on with the others."""
    assert status == 0, out
    problems = error_lines(out)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"error: {shown}: "), problems
    assert message in problems[0], problems
    assert "Traceback" not in out and "internal error" not in out
    assert (project / "site" / SEED_PAGE).exists()


def check_build_stopped(
    project: Path, status: int, out: str, shown: str, message: str, before: dict
) -> None:
    """A bad settings file: the build stops with one line naming it, the site as it was."""
    assert status == 1, out
    problems = error_lines(out)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"error: {shown}: "), problems
    assert message in problems[0], problems
    assert "Traceback" not in out and "internal error" not in out
    assert snapshot(project / "site") == before


# --- values in front-matter -----------------------------------------------------------------

LOL = ",".join(['"lol"'] * 9)
ALIAS_BOMB = "\n".join(
    [f"a: &a [{LOL}]"]
    + [
        f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)

BAD_VALUES = {
    "impossible-day": ("date: 2022-02-30", "date '2022-02-30' is not a real date (day is out"),
    "impossible-day-quoted": ("date: '2022-02-30'", "date '2022-02-30' is not a real date"),
    "offset-of-25-hours": (
        "date: 2022-01-01T08:00:00+25:00",
        "date '2022-01-01T08:00:00+25:00' has a UTC offset out of range (-23:59 to +23:59)",
    ),
    "week-date": ("date: '2022-W01-1'", "date '2022-W01-1' is not an ISO 8601 date"),
    "int-tag-on-text": (
        "part: !!int abc",
        "front-matter is not valid YAML (line 3): cannot read 'abc' as int",
    ),
    "timestamp-tag-on-text": (
        "date: !!timestamp x",
        "front-matter is not valid YAML (line 3): cannot read 'x' as a date",
    ),
    "number-of-5000-digits": (
        "part: " + "7" * 5000,
        "front-matter is not valid YAML (line 3): cannot read '7777777777",
    ),
    "part-out-of-range": ("part: 99999", "part must be a whole number from 1 to 999, not 99999"),
    "alias-bomb": (ALIAS_BOMB, "front-matter is not valid YAML (line 4): aliases (*name) are"),
    "nested-100-deep": (
        "deep: " + "[" * 100 + "]" * 100,
        "front-matter is not valid YAML (line 3): nested more than 20 levels deep",
    ),
    "key-that-is-a-number": ("1: one", "front-matter key 1 is not text"),
    "translation-as-text": (
        "translation: machine",
        "translation must be a mapping (method: machine or editorial, ...), not 'machine'",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_a_bad_front_matter_value_is_that_files_one_line_error(built, run, name):
    line, message = BAD_VALUES[name]
    path = built / "content" / "zh" / f"{name}.md"
    text = f"---\ntitle: 标题\n{line}\n---\n\n正文。\n"
    path.write_text(text, encoding="utf-8")
    status, out = run(built)
    check_file_skipped(built, status, out, f"content/zh/{name}.md", message)
    assert path.read_text(encoding="utf-8") == text
    assert not (built / "site" / "zh" / "articles" / name).exists()
    assert run(built, "--strict")[0] == 1


def test_translation_as_text_in_an_english_file_is_an_error_and_status_still_answers(built, run):
    english = built / "content" / "en" / f"{SEED_ID}.md"
    text = re.sub(r"translation:\n(  .*\n)+", "translation: machine\n", english.read_text("utf-8"))
    english.write_text(text, encoding="utf-8")
    status, out = run(built)
    check_file_skipped(
        built,
        status,
        out,
        f"content/en/{SEED_ID}.md",
        "translation must be a mapping (method: machine or editorial, ...), not 'machine'",
    )
    assert english.read_text(encoding="utf-8") == text  # never translated over
    status, out = run(built, "status")
    assert status == 0
    assert f"error: content/en/{SEED_ID}.md: translation must be a mapping" in out
    assert f"missing: content/en/{SEED_ID}.md" in out


def test_front_matter_nested_50000_deep_is_an_error_not_a_crash(built):
    # libyaml composes in C by recursion: this deep, it crashes the process.
    path = built / "content" / "zh" / "deep.md"
    path.write_text(f"---\ntitle: 标题\ndeep: {'[' * 50_000}{']' * 50_000}\n---\n\n正文。\n")
    status, out = in_child(built)
    check_file_skipped(built, status, out, "content/zh/deep.md", "front-matter is not valid YAML")
    assert "nested" in out


def test_an_alias_bomb_is_refused_before_it_expands(built):
    path = built / "content" / "zh" / "bomb.md"
    # The aliases expand to 9**9 items where something walks them: far past this limit.
    path.write_text(f"---\ntitle: 标题\n{ALIAS_BOMB}\n---\n\n正文。\n", encoding="utf-8")
    status, out = in_child(built, memory=1_500_000_000)
    check_file_skipped(built, status, out, "content/zh/bomb.md", "aliases (*name) are not")


def test_too_many_tags_on_one_article_are_cut_with_a_warning(built, run):
    tags = ", ".join(f"标签{i}" for i in range(40))
    (built / "content" / "zh" / "tagged.md").write_text(
        f"---\ntitle: 很多标签\ntags: [{tags}]\n---\n\n正文。\n", encoding="utf-8"
    )
    status, out = run(built)
    assert status == 0
    assert problems(out) == ["warning: content/zh/tagged.md: 40 tags; only the first 12 are used"]
    page = parse(built / "site" / "zh" / "articles" / "tagged" / "index.html")
    shown = {url for tag, url in page.links if tag == "a" and "/zh/tags/t-" in url}
    assert len(shown) == 12


# --- the glossary and settings ------------------------------------------------------------

BAD_GLOSSARY = {
    "empty-term": ('"": Nothing\n', "entry '': the term is empty"),
    "blank-term": ('" ": Blank\n', "entry ' ': the term is empty"),
    "int-tag-on-text": ("智创谷: !!int abc\n", "not valid YAML (line 1): cannot read 'abc' as int"),
    "timestamp-tag": (
        "智创谷: !!timestamp x\n",
        "not valid YAML (line 1): cannot read 'x' as a date",
    ),
    "number-of-5000-digits": (f"智创谷: {'9' * 5000}\n", "cannot read '9999999999"),
    "alias-bomb": (ALIAS_BOMB + "\n", "not valid YAML (line 2): aliases (*name) are not"),
    "twice": ("晋中: Jinzhong\n' 晋中': Jinzhong City\n", "'晋中' is in the glossary twice"),
}


@pytest.mark.parametrize("name", sorted(BAD_GLOSSARY))
def test_a_bad_glossary_value_stops_the_build_with_one_line(built, run, name):
    text, message = BAD_GLOSSARY[name]
    before = snapshot(built / "site")
    (built / "content" / "glossary.yaml").write_text(text, encoding="utf-8")
    status, out = run(built)
    check_build_stopped(built, status, out, "content/glossary.yaml", message, before)


def test_base_url_with_a_double_slash_gives_links_from_the_root(built, run):
    config = built / "site.toml"
    config.write_text(
        re.sub(r"base_url = .*", 'base_url = "https://host//"', config.read_text("utf-8")),
        encoding="utf-8",
    )
    assert run(built)[0] == 0
    page = parse(built / "site" / "zh" / "index.html")
    links = [url for _, url in page.links]
    assert "/zh/tags/" in links
    assert not [url for url in links if url.startswith("//")]
    assert page.meta["og:url"] == "https://host/zh/"


def test_a_site_toml_nested_too_deep_stops_the_build_with_one_line(built, run):
    before = snapshot(built / "site")
    (built / "site.toml").write_text(f"a = {'[' * 3000}{']' * 3000}\n", encoding="utf-8")
    status, out = run(built)
    check_build_stopped(built, status, out, "site.toml", "not valid TOML", before)


@pytest.mark.parametrize("name", ["strings.yaml", "base.html", "article.html"])
def test_a_missing_template_file_stops_the_build_naming_it(built, run, name):
    before = snapshot(built / "site")
    (built / "templates" / name).unlink()
    touch_content(built)
    status, out = run(built)
    message = "is missing" if name == "strings.yaml" else "template is missing ("
    check_build_stopped(built, status, out, f"templates/{name}", message, before)


# --- odd files ------------------------------------------------------------------------------


def test_an_editors_lock_file_is_not_an_input(built, run):
    lock = built / "content" / "zh" / f".#{SEED_ID}.md"
    lock.symlink_to("editor@host.4242:1700000000")  # what Emacs leaves: a dangling link
    status, out = run(built, "--strict")
    assert status == 0, out
    assert error_lines(out) == []


def make_socket(path: Path) -> None:
    here = os.getcwd()
    os.chdir(path.parent)  # a socket's path must be short: bind it by its name
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(path.name)
    finally:
        os.chdir(here)


ODD_FILES = {
    "dangling-link": (
        lambda path: path.symlink_to("nowhere.md"),
        "is a link to nowhere.md, which does not exist; not read",
    ),
    "folder": (lambda path: path.mkdir(), "is a folder, not a file"),
    "socket": (make_socket, "is a socket, not a file; not read"),
    "link-loop": (
        lambda path: path.symlink_to(path.name),
        "is a link that leads back to itself; not read",
    ),
    "fifo": (os.mkfifo, "is a named pipe (FIFO), not a file; not read"),
}


@pytest.mark.parametrize("kind", sorted(ODD_FILES))
def test_an_odd_file_named_like_an_article_is_one_line(built, kind):
    make, message = ODD_FILES[kind]
    path = built / "content" / "zh" / "odd.md"
    make(path)
    status, out = in_child(built)
    check_file_skipped(built, status, out, "content/zh/odd.md", message)
    assert os.path.lexists(path)


def test_a_fifo_named_like_a_raw_page_is_one_line(built):
    os.mkfifo(built / "content" / "raw" / "odd.txt")
    status, out = in_child(built)
    check_file_skipped(
        built, status, out, "content/raw/odd.txt", "is a named pipe (FIFO), not a file"
    )


@pytest.mark.parametrize(
    "where", ["content/glossary.yaml", "site.toml", "templates/strings.yaml", "templates/tag.html"]
)
def test_a_fifo_in_place_of_a_settings_file_stops_the_build_instead_of_hanging(built, where):
    before = snapshot(built / "site")
    path = built / where
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    status, out = in_child(built)
    check_build_stopped(built, status, out, where, "is a named pipe (FIFO), not a file", before)


def test_a_file_removed_while_the_build_reads_is_one_line(built, run, monkeypatch):
    from briefing import content

    doomed = built / "content" / "zh" / "doomed.md"
    doomed.write_text("---\ntitle: 将被删除\n---\n\n正文。\n", encoding="utf-8")
    listed = content.input_files

    def list_then_lose_one(folder, pattern, **options):
        found = listed(folder, pattern, **options)
        doomed.unlink(missing_ok=True)  # an editor deletes it just after the listing
        return found

    monkeypatch.setattr(content, "input_files", list_then_lose_one)
    status, out = run(built)
    check_file_skipped(built, status, out, "content/zh/doomed.md", "no such file")


def test_a_folder_1100_deep_under_content_is_walked(built, run):
    deep = built / "content" / "notes"
    try:
        folder = deep
        for _ in range(1101):  # os.makedirs recurses, one level a call
            folder.mkdir()
            folder = folder / "d"
        touch_content(built)
        status, out = run(built, "--strict")
        assert status == 0, out
        assert "Traceback" not in out
        assert freshness.up_to_date(Project(built))
        assert watched_state(Project(built))
    finally:  # shutil.rmtree recurses, one level a call: rm walks it from a list
        subprocess.run(["rm", "-rf", str(deep)], check=True)


def test_a_raw_file_of_a_gigabyte_is_refused_from_its_size(built):
    huge = built / "content" / "raw" / "huge.txt"
    with open(huge, "wb") as handle:
        handle.truncate(1 << 30)  # sparse: a gigabyte without the disk space
    # Read whole, the file would not fit in the memory the child is given.
    status, out = in_child(built, memory=700_000_000)
    check_file_skipped(
        built,
        status,
        out,
        "content/raw/huge.txt",
        "file is 1,073,741,824 bytes; raw articles are limited to 5,000,000",
    )


# --- writing --------------------------------------------------------------------------------


def test_ingested_articles_get_the_usual_file_mode(project, run):
    add_seed(project)
    umask = os.umask(0o022)
    try:
        assert run(project)[0] == 0
    finally:
        os.umask(umask)
    (article,) = (project / "content" / "zh").glob("*.md")
    assert stat.S_IMODE(article.stat().st_mode) == 0o644


def without_root_powers() -> list[str]:
    """A command prefix under which file modes hold even for root (as they do for anyone
    else): the capabilities that override them are dropped."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to hold")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_a_read_only_content_folder_is_one_line_per_page_and_the_site_builds(built):
    zh = built / "content" / "zh"
    raw = shutil.copy(next(REPO.glob("content/raw/002_*.txt")), built / "content" / "raw")
    before = raw_digests(built)
    zh.chmod(0o555)
    try:
        code = (
            "import sys; from pathlib import Path; from briefing.cli import main; "
            "sys.exit(main([], root=Path(sys.argv[1])))"
        )
        done = subprocess.run(
            [*without_root_powers(), sys.executable, "-c", code, str(built)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=HANG,
        )
    finally:
        zh.chmod(0o755)
    out = done.stderr + done.stdout
    assert done.returncode == 0, out
    assert [line for line in error_lines(out) if line.startswith("error:")] == [
        f"error: content/raw/{Path(raw).name}: cannot write content/zh/2022-05-26-326a0657.md: "
        "Permission denied"
    ]
    assert (built / "site" / SEED_PAGE).exists()
    assert raw_digests(built) == before


# --- what reaches the pages and feeds ------------------------------------------------------

CONTROLS = "\x0b\x0c\x1b\x7f\x85\ufffe\uffff"


def test_control_characters_never_reach_a_feed(built, run):
    seed = next((built / "content" / "raw").glob("000_*.txt"))
    raw = built / "content" / "raw" / "controls.txt"
    text = seed.read_text(encoding="utf-8").replace("贵州", "贵\x1b[1m州", 1)
    raw.write_text(text.replace("。", "。\x0c\x0b\ufffe", 3), encoding="utf-8")
    (built / "content" / "zh" / "escaped.md").write_text(
        '---\ntitle: "转义\\e[31m的\\f标题\\x7f"\nsummary: "摘要\\v\\uFFFE"\n---\n\n正文\x0c。\n',
        encoding="utf-8",
    )
    config = built / "site.toml"
    config.write_text(
        config.read_text("utf-8").replace('title = "山西创新简报"', 'title = "山西\\u000b简报"'),
        encoding="utf-8",
    )
    status, out = run(built)
    assert status == 0, out
    for lang in ("zh", "en"):
        feed = (built / "site" / lang / "feed.xml").read_text(encoding="utf-8")
        ElementTree.fromstring(feed)  # XML 1.0: a control character makes it no XML at all
        assert not set(CONTROLS) & set(feed)
    assert "转义[31m的\n标题" in (built / "site" / "zh" / "feed.xml").read_text("utf-8")
    (ingested,) = [
        path
        for path in (built / "content" / "zh").glob("*.md")
        if "original: raw/controls.txt" in path.read_text(encoding="utf-8")
    ]
    assert not set(CONTROLS) & set(ingested.read_text(encoding="utf-8"))


def test_feed_times_carry_a_utc_offset(built, run):
    (built / "content" / "zh" / "naive.md").write_text(
        "---\ntitle: 没有时区\ndate: 2022-03-01 08:30\n---\n\n正文。\n", encoding="utf-8"
    )
    assert run(built)[0] == 0
    feed = ElementTree.fromstring((built / "site" / "zh" / "feed.xml").read_bytes())
    atom = "{http://www.w3.org/2005/Atom}"
    times = [element.text for element in feed.iter(f"{atom}updated")]
    assert "2022-03-01T08:30:00+08:00" in times
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)", t) for t in times)


def test_images_from_other_sites_become_links(built, run):
    (built / "content" / "zh" / "pictures.md").write_text(
        "---\ntitle: 图片\n---\n\n见图：![卫星图](https://tracker.example/pixel.png)和"
        "![](http://other.example/b.png)。\n",
        encoding="utf-8",
    )
    assert run(built)[0] == 0
    page = parse(built / "site" / "zh" / "articles" / "pictures" / "index.html")
    assert not [url for tag, url in page.links if tag == "img"]
    assert ("a", "https://tracker.example/pixel.png") in page.links
    assert ("a", "http://other.example/b.png") in page.links
    assert "卫星图" in "".join(page.text)


# --- tags -----------------------------------------------------------------------------------


def tag_pages(site: Path, lang: str) -> dict[str, list[str]]:
    """Each tag page of a language: the ids of the articles it lists."""
    found = {}
    for page in (site / lang / "tags").glob("*/index.html"):
        links = parse(page).links
        found[page.parent.name] = sorted(
            {url.split("/articles/")[1].split("/")[0] for _, url in links if "/articles/" in url}
        )
    return found


def write_article(project: Path, article_id: str, title: str, tags: list[str]) -> None:
    (project / "content" / "zh" / f"{article_id}.md").write_text(
        f"---\ntitle: {title}\ntags: [{', '.join(tags)}]\n---\n\n{title}。\n", encoding="utf-8"
    )


def test_glossary_synonyms_are_one_tag_listing_all_their_articles(built, run):
    (built / "content" / "glossary.yaml").write_text(
        "晋中: Jinzhong\n晋中市: Jinzhong\n", encoding="utf-8"
    )
    write_article(built, "city", "晋中市的新闻", ["晋中市"])
    write_article(built, "region", "晋中的新闻", ["晋中"])
    assert run(built)[0] == 0
    for lang in ("zh", "en"):
        pages = tag_pages(built / "site", lang)
        assert pages["jinzhong"] == sorted(["city", "region", SEED_ID])
        assert not [slug for slug in pages if slug.startswith("jinzhong-")]


def test_tags_whose_url_names_meet_get_pages_of_their_own(built, run):
    glossary = {"甲": "C++", "乙": "C#", "丙": "C", "丁": "A B", "戊": "a-b"}
    (built / "content" / "glossary.yaml").write_text(
        "".join(f"{term}: {english!r}\n".replace("'", '"') for term, english in glossary.items()),
        encoding="utf-8",
    )
    for number, term in enumerate(glossary):
        write_article(built, f"article-{number}", f"关于{term}的文章", [term])
    assert run(built)[0] == 0
    pages = tag_pages(built / "site", "en")
    listed = {tuple(ids) for slug, ids in pages.items() if slug.startswith(("c", "a-b"))}
    assert listed == {(f"article-{number}",) for number in range(5)}
    assert pages["c"] == ["article-2"] and pages["a-b"] == ["article-4"]  # C and a-b as named


def test_an_articles_own_tag_and_the_glossarys_term_are_one_tag(built, run):
    (built / "content" / "glossary.yaml").write_text("山西: Shanxi\n", encoding="utf-8")
    write_article(built, "own-tag", "山西的消息", ["山西"])
    assert run(built)[0] == 0
    page = parse(built / "site" / "zh" / "articles" / "own-tag" / "index.html")
    assert [url for _, url in page.links].count("/zh/tags/shanxi/") == 1
    named = [
        path.parent.name
        for path in (built / "site" / "zh" / "tags").glob("*/index.html")
        if "「山西」" in re.search("<title>(.*?)</title>", path.read_text("utf-8"))[1]
    ]
    assert named == ["shanxi"]


# --- the command line and the preview server ------------------------------------------------


def test_explain_to_an_ascii_terminal_escapes_what_it_cannot_show(built):
    seed = next((built / "content" / "raw").glob("000_*.txt"))
    status, out = in_child(built, "explain", str(seed), env={"PYTHONIOENCODING": "ascii"})
    assert status == 0, out
    assert "\\u5c71" in out  # 山
    assert "Traceback" not in out


def test_serve_on_a_port_that_does_not_exist_is_a_usage_error(built, run, capsys):
    with pytest.raises(SystemExit) as exit:
        run(built, "serve", "--port", "70000")
    assert exit.value.code == 2
    assert "argument --port: '70000' is not a port number (0 to 65535)" in capsys.readouterr().err


def test_serve_on_a_port_in_use_is_one_line(built, run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, out = run(built, "serve", "--port", str(port), "--no-watch")
    assert status == 1
    assert error_lines(out) == [
        f"error: 127.0.0.1:{port}: cannot serve here: Address already in use; "
        "choose another port with --port N (or --port 0 for any free one)"
    ]


def test_a_malformed_request_line_is_answered_400(built, capsys):
    answers = []
    with serving(built) as base:
        address = urlsplit(base)
        for line in (b"GET / x HTTP/1.1", b"GET / HTTP/x.y", b"\x16\x03\x01 TLS"):
            with socket.create_connection((address.hostname, address.port)) as client:
                client.sendall(line + b"\r\n\r\n")
                answers.append(client.makefile("rb").read())
    assert answers[0].startswith(b"HTTP/1.0 400 Bad request syntax")
    assert all(b"Error code: 400" in answer for answer in answers)
    assert "Traceback" not in capsys.readouterr().err


def test_watching_survives_a_folder_that_goes_while_it_is_looked_at(built, monkeypatch):
    temporary = built / "content" / "zh" / "tmp-folder"
    (temporary / "inner").mkdir(parents=True)
    scan = os.scandir

    def scan_after_it_went(path):
        if str(path).startswith(str(temporary)):
            shutil.rmtree(temporary, ignore_errors=True)  # the editor's tool removes it
        return scan(path)

    monkeypatch.setattr(freshness.os, "scandir", scan_after_it_went)
    state = watched_state(Project(built))
    assert str(built / "content" / "zh" / f"{SEED_ID}.md") in state
    assert not temporary.exists()
