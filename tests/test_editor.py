"""The editor's day: what the site holds (`list`), taking an article out (`remove`),
saying a translation was checked (`reviewed`), options anywhere on the command line,
work waiting for a person never failing a --strict deploy, progress on a terminal."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from briefing.cli import main
from briefing.content import article_to_markdown, read_article, source_hash
from briefing.progress import Progress
from briefing.translate.stage import output_hash

from .conftest import REPO

ZCG = "2022-02-27-d9ab3b7d"  # editorial English in the repo
OTHER = "2022-05-26-326a0657"
UNDATED = "undated-89793ac4"  # its raw page also carries undated-89793ac4-2
LATEST = "2025-06-06-6ecaf2db"
SIX = "2022-06-02-70a5743f"


@pytest.fixture
def site_project(project: Path) -> Path:
    """The repo's content (raw pages, Chinese and editorial English) in a scratch project."""
    shutil.copytree(REPO / "content", project / "content", dirs_exist_ok=True)
    return project


def zh_file(root: Path, article_id: str) -> Path:
    return root / "content" / "zh" / f"{article_id}.md"


def en_file(root: Path, article_id: str) -> Path:
    return root / "content" / "en" / f"{article_id}.md"


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def change_chinese(root: Path, article_id: str) -> None:
    path = zh_file(root, article_id)
    path.write_text(path.read_text(encoding="utf-8") + "\n编辑补充的一段。\n", encoding="utf-8")


def machine_english(root: Path, article_id: str, warnings: list[str] | None = None) -> Path:
    """Make the English of an article machine English, as the translate stage writes it
    (its provenance from the same functions), from the article's current Chinese."""
    zh = read_article(zh_file(root, article_id), "zh")
    path = en_file(root, article_id)
    english = read_article(path, "en")
    english.extra["translation"] = {
        "method": "machine",
        "engine": "argos-translate 1.11.0",
        "model": "translate-zh_en 1.9",
        "beam_size": 4,
        "source_hash": source_hash(zh),
        "output_hash": output_hash(english),
        **({"warnings": warnings} if warnings else {}),
    }
    path.write_text(article_to_markdown(english), encoding="utf-8")
    return path


def list_json(run, root: Path, *args: str) -> dict[str, dict]:
    status, out = run(root, "list", "--json", *args)
    assert status == 0, out
    return {entry["id"]: entry for entry in json.loads(out)}


# --- options before or after the command -----------------------------------------------------


def test_strict_before_or_after_the_command_fails_a_build_with_errors(site_project, run):
    (site_project / "content" / "zh" / "broken.md").write_text("no front-matter\n", "utf-8")
    for args in (("--strict", "build"), ("build", "--strict"), ("--strict",)):
        status, out = run(site_project, *args)
        assert status == 1, args
        assert "error: content/zh/broken.md: no front-matter" in out
        assert "--strict: 1 warnings or errors; failing the build" in out
    assert run(site_project, "build")[0] == 0  # without --strict, reported and carried on


def test_quiet_and_verbose_before_the_command_are_heard(site_project, run):
    status, out = run(site_project, "-q", "build")
    assert status == 0 and out == ""
    status, out = run(site_project, "-v", "status")
    assert status == 0


def test_help_says_options_go_before_or_after_the_command():
    out = subprocess.run(
        [sys.executable, "build.py", "--help"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert "`python build.py --strict build` and" in out
    assert "`python build.py build --strict` are the same" in out
    for command in ("list", "remove", "reviewed", "translate", "status"):
        assert f"    {command} " in out


# --- work waiting for a person is not a failure ----------------------------------------------


def test_strict_fails_on_errors_not_on_translations_waiting(site_project, run):
    en_file(site_project, OTHER).unlink()  # pending: no model in the tests
    change_chinese(site_project, ZCG)  # stale
    machine_english(site_project, SIX, warnings=["lost in translation: 66 km²"])
    status, out = run(site_project, "--strict")
    assert status == 0, out
    assert "warning:" not in out and "error:" not in out
    assert "1 article has no English (shown as 'translation pending')" in out
    assert f"content/en/{ZCG}.md: stale" in out


def test_a_clean_build_is_redone_for_an_edit_that_keeps_size_and_time(site_project, run):
    change_chinese(site_project, ZCG)  # stale: said, but the build is clean
    assert run(site_project)[0] == 0
    assert "site is up to date" in run(site_project)[1]
    path = en_file(site_project, ZCG)
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Jinzhong", "JINZHONG", 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    status, out = run(site_project)
    assert status == 0
    assert "site is up to date" not in out
    page = site_project / "site" / "en" / "articles" / ZCG / "index.html"
    assert "JINZHONG" in page.read_text(encoding="utf-8")


# --- list ------------------------------------------------------------------------------------


def test_list_shows_every_article_newest_first_with_the_state_of_its_english(site_project, run):
    en_file(site_project, OTHER).unlink()
    change_chinese(site_project, ZCG)
    machine_english(site_project, SIX)
    edited = machine_english(site_project, UNDATED)
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAn editor's sentence.\n", "utf-8")
    status, out = run(site_project, "list")
    assert status == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == [
        LATEST,
        SIX,
        OTHER,
        ZCG,
        UNDATED,
        f"{UNDATED}-2",
    ]
    states = {line.split()[0]: line.split()[2] for line in lines[:-1]}
    assert states == {
        LATEST: "editorial",
        SIX: "machine",
        OTHER: "pending",
        ZCG: "stale",
        UNDATED: "edited",
        f"{UNDATED}-2": "editorial",
    }
    assert lines[0].split()[1] == "2025-06-06" and "undated" in lines[-2]
    title = read_article(zh_file(site_project, LATEST), "zh").title
    assert lines[0].endswith(title)
    assert lines[-1] == "6 articles: 2 editorial, 1 edited, 1 machine, 1 stale, 1 pending"


def test_list_filters_by_state_and_speaks_json(site_project, run, capsys):
    change_chinese(site_project, ZCG)
    en_file(site_project, OTHER).unlink()
    status, out = run(site_project, "list", "--state", "stale")
    assert status == 0
    assert out.splitlines()[0].startswith(ZCG) and len(out.splitlines()) == 2
    assert out.splitlines()[-1] == "1 article: 1 stale"
    found = list_json(run, site_project, "--state", "stale", "--state", "pending")
    assert set(found) == {ZCG, OTHER}
    assert found[ZCG]["english"] == "stale" and found[OTHER]["english"] == "pending"
    assert found[OTHER]["english_title"] is None
    assert found[ZCG]["date"] == read_article(zh_file(site_project, ZCG), "zh").date
    assert found[ZCG]["english_title"].startswith("Jinzhong, Shanxi")
    with pytest.raises(SystemExit) as refused:
        run(site_project, "list", "--state", "nonsense")
    assert refused.value.code == 2
    assert "invalid choice: 'nonsense'" in capsys.readouterr().err


def test_list_names_what_needs_review_ingest_notes_and_lost_names(site_project, run):
    zh = zh_file(site_project, LATEST)
    zh.write_text(
        zh.read_text(encoding="utf-8").replace("\n---\n", "\nreview: [title guessed]\n---\n", 1),
        encoding="utf-8",
    )
    machine_english(site_project, SIX, warnings=["lost in translation: 66 km², Jinzhong"])
    found = list_json(run, site_project, "--state", "needs-review")
    assert set(found) == {LATEST, SIX}
    assert found[LATEST]["needs_review"] == ["ingest: title guessed"]
    assert found[SIX]["needs_review"] == ["translation: lost in translation: 66 km², Jinzhong"]
    _, out = run(site_project, "list")
    assert "needs-review: translation: lost in translation: 66 km², Jinzhong" in out
    assert out.splitlines()[-1].endswith("; 2 need review")
    _, out = run(site_project, "status")
    assert f"needs review: content/en/{SIX}.md (lost in translation: 66 km², Jinzhong;" in out
    assert f"review: content/zh/{LATEST}.md (title guessed)" in out


# --- reviewed --------------------------------------------------------------------------------


def test_reviewed_makes_a_stale_translation_current_and_says_who_and_when(site_project, run):
    change_chinese(site_project, ZCG)
    run(site_project)
    page = site_project / "site" / "en" / "articles" / ZCG / "index.html"
    assert "this translation may be out of date" in page.read_text(encoding="utf-8")
    body = en_file(site_project, ZCG).read_text(encoding="utf-8").split("\n---\n", 1)[1]
    status, out = run(site_project, "reviewed", ZCG, "--by", "Li Wei")
    assert status == 0
    assert f"content/en/{ZCG}.md: reviewed by Li Wei, current with the Chinese" in out
    text = en_file(site_project, ZCG).read_text(encoding="utf-8")
    assert text.split("\n---\n", 1)[1] == body  # the person's English, to the byte
    provenance = front_matter(en_file(site_project, ZCG))["translation"]
    assert provenance["method"] == "editorial"
    assert provenance["source_hash"] == source_hash(read_article(zh_file(site_project, ZCG), "zh"))
    assert provenance["reviewed_by"] == "Li Wei"
    assert provenance["reviewed_at"] == dt.date.today().isoformat()
    status, out = run(site_project, "--strict")
    assert status == 0 and "stale" not in out
    assert "may be out of date" not in page.read_text(encoding="utf-8")
    assert list_json(run, site_project)[ZCG]["english"] == "reviewed"
    assert f"stale: content/en/{ZCG}.md" not in run(site_project, "status")[1]


def test_reviewed_clears_what_the_machine_lost(site_project, run):
    machine_english(site_project, SIX, warnings=["lost in translation: 66 km²"])
    assert run(site_project, "reviewed", SIX, "--by", "Li Wei")[0] == 0
    provenance = front_matter(en_file(site_project, SIX))["translation"]
    assert "warnings" not in provenance
    assert provenance["method"] == "machine"  # the text is still the machine's
    entry = list_json(run, site_project)[SIX]
    assert entry["english"] == "reviewed" and entry["needs_review"] == []
    assert "needs review" not in run(site_project, "status")[1]


def test_reviewed_is_said_by_git_user_name_or_the_login_name(site_project, run, monkeypatch):
    config = site_project / "gitconfig"
    config.write_text("[user]\n\tname = Wang Fang\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    assert run(site_project, "reviewed", ZCG)[0] == 0
    assert front_matter(en_file(site_project, ZCG))["translation"]["reviewed_by"] == "Wang Fang"
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(site_project / "no-such-gitconfig"))
    for name in ("LOGNAME", "USER"):
        monkeypatch.setenv(name, "editor1")
    assert run(site_project, "reviewed", OTHER)[0] == 0
    assert front_matter(en_file(site_project, OTHER))["translation"]["reviewed_by"] == "editor1"


def test_reviewed_ingest_clears_the_chinese_review_notes_only(site_project, run):
    zh = zh_file(site_project, LATEST)
    zh.write_text(
        zh.read_text(encoding="utf-8").replace("\n---\n", "\nreview: [no source]\n---\n", 1),
        encoding="utf-8",
    )
    english = en_file(site_project, LATEST).read_bytes()
    status, out = run(site_project, "reviewed", "--ingest", LATEST)
    assert status == 0
    assert f"content/zh/{LATEST}.md: ingest's review notes cleared" in out
    assert read_article(zh, "zh").review == []
    assert zh.read_text(encoding="utf-8") == (REPO / "content" / "zh" / f"{LATEST}.md").read_text(
        encoding="utf-8"
    )
    assert en_file(site_project, LATEST).read_bytes() == english


def test_reviewed_without_english_or_with_a_bad_id_is_one_line(site_project, run):
    en_file(site_project, OTHER).unlink()
    status, out = run(site_project, "reviewed", OTHER, "--by", "x")
    assert status == 1
    assert out == (
        f"error: content/en/{OTHER}.md: no English translation to review "
        "(`python build.py translate` makes one)\n"
    )
    status, out = run(site_project, "reviewed", "../../etc/passwd", "--by", "x")
    assert status == 1
    assert out.startswith("error: ../../etc/passwd: not an article id")


# --- remove ------------------------------------------------------------------------------------


def test_remove_takes_an_article_off_the_site_and_keeps_its_files(seeded_project, run):
    run(seeded_project)  # ingest the raw pages
    raw = next((seeded_project / "content" / "raw").glob("000_*.txt"))
    shutil.copy(REPO / "content" / "en" / f"{ZCG}.md", en_file(seeded_project, ZCG))
    run(seeded_project)
    page = seeded_project / "site" / "en" / "articles" / ZCG / "index.html"
    assert page.exists()
    contents = {p: p.read_bytes() for p in (zh_file(seeded_project, ZCG), raw)}
    status, out = run(seeded_project, "remove", ZCG)
    assert status == 0
    kept = seeded_project / "content" / "removed" / ZCG
    assert (
        f"removed {ZCG}: content/zh/{ZCG}.md, content/en/{ZCG}.md, content/raw/{raw.name} "
        f"moved to content/removed/{ZCG}/ (python build.py remove --undo {ZCG} puts them back)"
    ) in out
    for path, data in contents.items():
        assert not path.exists()
        assert (kept / path.relative_to(seeded_project / "content")).read_bytes() == data
    assert (kept / "en" / f"{ZCG}.md").exists()
    note = yaml.safe_load((kept / "removed.yaml").read_text(encoding="utf-8"))
    assert note["files"] == [f"zh/{ZCG}.md", f"en/{ZCG}.md", f"raw/{raw.name}"]
    status, out = run(seeded_project, "--strict")
    assert status == 0, out
    assert "0 newly ingested, 4 raw files ingested earlier" in out
    assert not page.exists() and not zh_file(seeded_project, ZCG).exists()
    assert ZCG not in (seeded_project / "site" / "en" / "index.html").read_text(encoding="utf-8")

    status, out = run(seeded_project, "remove", "--undo", ZCG)
    assert status == 0
    assert not kept.exists()
    for path, data in contents.items():
        assert path.read_bytes() == data
    status, out = run(seeded_project)
    assert "0 newly ingested, 5 raw files ingested earlier" in out
    assert page.exists()


def test_removing_one_article_of_a_page_keeps_the_page_for_the_other(site_project, run):
    raw = site_project / "content" / "raw" / "003_f4212ab4f5ebca0d.txt"
    status, out = run(site_project, "remove", f"{UNDATED}-2")
    assert status == 0
    assert raw.exists()  # undated-89793ac4 still comes from it
    status, out = run(site_project)
    assert "0 newly ingested" in out and not zh_file(site_project, f"{UNDATED}-2").exists()
    run(site_project, "remove", UNDATED)
    assert not raw.exists()
    assert (site_project / "content" / "removed" / UNDATED / "raw" / raw.name).exists()
    status, out = run(site_project)
    assert "4 Chinese articles (0 newly ingested" in out


def test_remove_refuses_what_it_cannot_do_and_moves_nothing(site_project, run):
    before = sorted(p for p in (site_project / "content").rglob("*"))
    status, out = run(site_project, "remove", "no-such-article")
    assert status == 1
    assert (
        out
        == "error: content/zh/no-such-article.md: no article with the id no-such-article (nor English)\n"
    )
    status, out = run(site_project, "remove", "../zh")
    assert status == 1 and out.startswith("error: ../zh: not an article id")
    status, out = run(site_project, "remove", "--undo", ZCG)
    assert status == 1
    assert out == f"error: content/removed/{ZCG}: no removed article {ZCG} here to put back\n"
    assert sorted(p for p in (site_project / "content").rglob("*")) == before


def test_undo_puts_nothing_back_while_a_place_is_taken(site_project, run):
    run(site_project, "remove", ZCG)
    shutil.copy(REPO / "content" / "en" / f"{ZCG}.md", en_file(site_project, ZCG))
    status, out = run(site_project, "remove", "--undo", ZCG)
    assert status == 1
    assert out.startswith(f"error: content/en/{ZCG}.md: is there already: nothing was put back")
    assert not zh_file(site_project, ZCG).exists()
    assert (site_project / "content" / "removed" / ZCG / "zh" / f"{ZCG}.md").exists()


# --- progress on a terminal --------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_long_steps_show_a_bar_on_a_terminal_and_nothing_with_quiet(
    seeded_project, monkeypatch, capsys
):
    monkeypatch.setattr(Progress, "BAR_DELAY", 0.0)  # these steps take a second at most
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main([], root=seeded_project) == 0
    shown = terminal.getvalue()
    assert "ingesting: 100%" in shown and "5/5" in shown and "pages" in shown
    assert "rendering: 100%" in shown
    assert "content: 6 Chinese articles" in shown  # the log is not lost under the bar

    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    (seeded_project / "templates" / "about.html").write_text("{{ title }}\n", "utf-8")
    shutil.rmtree(seeded_project / "content" / "zh")
    assert main(["-q"], root=seeded_project) == 0
    assert "ingesting" not in quiet.getvalue() and "rendering" not in quiet.getvalue()


def test_no_bar_when_stderr_is_not_a_terminal(seeded_project, monkeypatch, run):
    monkeypatch.setattr(Progress, "BAR_DELAY", 0.0)
    status, out = run(seeded_project)
    assert status == 0
    assert "%" not in out and "\r" not in out


# --- the README, as a new user follows it ------------------------------------------------------


def test_readme_sets_up_in_two_commands_and_documents_the_editors_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [
        block.strip()
        for block in readme.split("\n\n")
        if block.startswith("    ") and not block.startswith("    -")
    ]
    assert blocks[:2] == ["pip install -e . && python build.py", "bash scripts/test.sh"]
    assert "python -m venv .venv" in blocks[2]
    assert "An editor drops an article file into `content/raw/`" in readme
    # torch from PyTorch's CPU-only index, before the extra that needs it
    cpu = "pip install torch --index-url https://download.pytorch.org/whl/cpu"
    assert readme.index(cpu) < readme.index('pip install -e ".[translate]"')
    script = (REPO / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "https://download.pytorch.org/whl/cpu" in script and "--no-index" in script
    for command in ("translate", "list", "remove", "remove --undo", "reviewed", "status"):
        assert f"python build.py {command} " in readme, command
    assert "not\non work waiting for a translator or a reviewer" in readme
