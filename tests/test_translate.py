"""Machine translation with a tiny but real Argos package, installed by the project's command.

Nothing here touches the network: socket connections fail for these tests.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
import yaml

from briefing.cli import main
from briefing.config import Project, TranslationSettings
from briefing.content import read_articles
from briefing.errors import log
from briefing.pipeline import build
from briefing.translate.engine import Engine, split_sentences
from briefing.translate.model import find_model
from briefing.translate.protect import protect

from .conftest import ARGOS_HOME, REPO
from .tiny_argos import build_tiny_package

ZCG = "2022-02-27-d9ab3b7d"
OTHER = "2022-05-26-326a0657"
GLOSSARY = {"智创谷": "Zhichuang Valley", "山西智创城": "Shanxi Zhichuang City", "晋中": "Jinzhong"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("tests must not use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture(scope="session")
def tiny_package(tmp_path_factory):
    """The tiny model, trained once per test run: under pytest-xdist the workers share
    one (the first to get the lock builds it, in the run's shared temp folder)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build_tiny_package(REPO, ARGOS_HOME / "build")
    shared = tmp_path_factory.getbasetemp().parent / "tiny-argos"
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        package = shared / "tiny_zh_en.argosmodel"
        if not package.exists():
            built = build_tiny_package(REPO, shared / "build")
            os.replace(built, package)
        return package


@pytest.fixture
def argos_packages(monkeypatch, tmp_path):
    """An empty Argos package folder of this test's own (settings are read at import)."""
    from argostranslate import settings
    from argostranslate.translate import get_installed_languages

    folder = tmp_path / "argos-packages"
    folder.mkdir()
    monkeypatch.setattr(settings, "package_data_dir", folder)
    monkeypatch.setattr(settings, "package_dirs", [folder])
    get_installed_languages.cache_clear()
    yield folder
    get_installed_languages.cache_clear()


@pytest.fixture
def installed(argos_packages, tiny_package, project, run):
    status, out = run(project, "install-model", "--from-file", str(tiny_package))
    assert status == 0, out
    return argos_packages


def english(project, article_id):
    text = (project / "content" / "en" / f"{article_id}.md").read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    return text, meta


def with_seeds_without_english(project, *missing):
    shutil.copytree(REPO / "content", project / "content", dirs_exist_ok=True)
    for article_id in missing:
        (project / "content" / "en" / f"{article_id}.md").unlink()


# --- model management ------------------------------------------------------------------


def test_install_from_file_and_doctor(installed, project, run):
    status, out = run(project, "doctor")
    assert status == 0
    assert "argostranslate: 1." in out
    assert "zh->en model: translate-zh_en-tiny 0.1" in out
    assert str(installed) in out


def test_install_without_network_says_why_in_one_line(argos_packages, project, run):
    status, out = run(project, "install-model")
    assert status == 1
    # Argos' own "(URLError(...),)" line is not printed: its words are in ours.
    assert out.count("\n") == 1
    assert out.startswith("error: Argos package index: cannot be read (offline?): ")
    assert "tests must not use the network" in out


def test_install_of_a_broken_file_is_refused(argos_packages, project, run, tmp_path):
    bad = tmp_path / "bad.argosmodel"
    bad.write_bytes(b"not a zip")
    status, out = run(project, "install-model", "--from-file", str(bad))
    assert status == 1
    assert out.strip().startswith("error: bad.argosmodel: not an Argos model package")


# --- the translation path -----------------------------------------------------------------


def test_sentences_split_without_a_model():
    text = "近日，山西省发改委公布了计划。“今年要完成投资！”他说。太原呢？"
    assert split_sentences(text) == [
        "近日，山西省发改委公布了计划。",
        "“今年要完成投资！”",
        "他说。",
        "太原呢？",
    ]


def test_batched_translation_equals_argos_translate(installed):
    import argostranslate.translate

    zh = read_articles(Project(REPO), "zh").articles
    sentences = [s for a in zh[:3] for b in a.blocks[:3] for s in split_sentences(b.text)][:24]
    engine = Engine(find_model())
    ours = engine.translate(sentences)
    theirs = [argostranslate.translate.translate(s, "zh", "en") for s in sentences]
    assert ours == theirs
    assert engine.sentences_sent == len(set(sentences))
    assert engine.model_calls == -(
        -engine.sentences_sent // engine.batch_size
    )  # batched, not one by one


def test_missing_english_is_machine_translated_with_provenance(installed, project, run):
    with_seeds_without_english(project, ZCG)
    status, out = run(project)
    assert status == 0
    assert "translated 1 articles with translate-zh_en-tiny 0.1" in out
    _, meta = english(project, ZCG)
    info = meta["translation"]
    assert info["method"] == "machine"
    assert info["engine"].startswith("argos-translate 1.")
    assert info["model"] == "translate-zh_en-tiny 0.1"
    assert info["source_hash"].startswith("sha256:") and info["output_hash"].startswith("sha256:")
    zh = read_articles(project_obj := Project(project), "zh").articles
    en = {a.id: a for a in read_articles(project_obj, "en").articles}
    source = next(a for a in zh if a.id == ZCG)
    assert [b.kind for b in en[ZCG].blocks] == [b.kind for b in source.blocks]  # aligned
    page = (project / "site" / "en" / "articles" / ZCG / "index.html").read_text(encoding="utf-8")
    assert "Machine translation" in page and "argos-translate" in page


def test_no_change_rebuild_calls_the_model_zero_times(installed, project):
    with_seeds_without_english(project, ZCG)
    first = build(Project(project)).translation
    assert first.translated == [ZCG] and first.sentences_sent == first.sentences > 0
    again = build(Project(project)).translation
    assert again.model_calls == 0 and again.translated == []


def test_a_sentence_translated_once_is_never_sent_again(installed, project):
    with_seeds_without_english(project, ZCG)
    build(Project(project))
    (project / "content" / "en" / f"{ZCG}.md").unlink()  # the English is lost, the memory is not
    report = build(Project(project)).translation
    assert report.translated == [ZCG]
    assert report.model_calls == 0
    assert report.from_memory == report.sentences > 0


def test_changed_chinese_redoes_an_untouched_machine_translation(installed, project):
    with_seeds_without_english(project, ZCG)
    build(Project(project))
    _, before = english(project, ZCG)
    zh = project / "content" / "zh" / f"{ZCG}.md"
    zh.write_text(zh.read_text(encoding="utf-8") + "\n新增的一段文字。\n", encoding="utf-8")
    report = build(Project(project)).translation
    assert report.translated == [ZCG]
    assert report.model_calls == 1
    assert report.sentences_sent == report.sentences - report.from_memory == 1  # the new one
    _, after = english(project, ZCG)
    assert after["translation"]["source_hash"] != before["translation"]["source_hash"]


def test_a_person_edit_of_machine_english_is_never_overwritten(installed, project, run):
    with_seeds_without_english(project, ZCG)
    run(project)
    path = project / "content" / "en" / f"{ZCG}.md"
    edited = path.read_text(encoding="utf-8").rstrip() + "\n\nAn editor's own sentence.\n"
    path.write_text(edited, encoding="utf-8")
    zh = project / "content" / "zh" / f"{ZCG}.md"
    zh.write_text(zh.read_text(encoding="utf-8") + "\n新增的一段文字。\n", encoding="utf-8")
    status, out = run(project)
    assert status == 0
    assert path.read_text(encoding="utf-8") == edited
    assert f"content/en/{ZCG}.md: stale: the Chinese article changed" in out.splitlines()[0]
    assert "warning:" not in out  # work waiting for a person, not a problem
    _, out = run(project, "status")
    assert f"edited by a person (kept): content/en/{ZCG}.md" in out
    assert f"stale: content/en/{ZCG}.md" in out


def test_a_stale_editorial_translation_is_kept_published_with_a_notice_and_passes_strict(
    installed, project, run
):
    shutil.copytree(REPO / "content", project / "content", dirs_exist_ok=True)
    path = project / "content" / "en" / f"{ZCG}.md"
    before = path.read_text(encoding="utf-8")
    zh = project / "content" / "zh" / f"{ZCG}.md"
    zh.write_text(
        zh.read_text(encoding="utf-8").replace("晋商故里", "晋商故里(改)", 1), encoding="utf-8"
    )
    changed = dt.datetime(2024, 5, 3, 12).timestamp()
    os.utime(zh, (changed, changed))
    status, out = run(project, "--strict")
    assert status == 0  # a deploy is not held up by work waiting for a translator
    assert path.read_text(encoding="utf-8") == before
    assert f"content/en/{ZCG}.md: stale: the Chinese article changed" in out
    assert f"python build.py reviewed {ZCG}" in out
    assert "warning:" not in out
    page = (project / "site" / "en" / "articles" / ZCG / "index.html").read_text(encoding="utf-8")
    notice = "The Chinese original changed on 3 May 2024; this translation may be out of date."
    assert notice in page
    assert "Editorial translation" in page  # still the person's English, published
    side_by_side = project / "site" / "zh" / "articles" / ZCG / "parallel" / "index.html"
    assert "中文原文已于2024年5月3日修改" in side_by_side.read_text(encoding="utf-8")
    other = project / "site" / "en" / "articles" / OTHER / "index.html"
    assert "may be out of date" not in other.read_text(encoding="utf-8")


def test_lost_numbers_and_names_are_reported(installed, project, run):
    with_seeds_without_english(project, ZCG)
    _, out = run(project)
    # the tiny model's English is random: the protected values don't survive, and that is said
    assert f"warning: content/zh/{ZCG}.md: lost in translation:" in out
    _, meta = english(project, ZCG)
    assert "66 km²" in meta["translation"]["warnings"][0]


def test_lost_names_are_listed_until_a_person_reviews_the_english(installed, project, run):
    with_seeds_without_english(project, ZCG)
    run(project)
    for _ in range(2):  # not said once and forgotten
        _, out = run(project, "status")
        assert f"needs review: content/en/{ZCG}.md (lost in translation: " in out
    _, out = run(project, "list", "--state", "needs-review")
    assert out.startswith(f"{ZCG}  2022-02-27  machine ")
    text, _ = english(project, ZCG)
    assert run(project, "reviewed", ZCG, "--by", "Li Wei")[0] == 0
    _, out = run(project, "status")
    assert "needs review" not in out
    assert "none waits for review" in out
    _, meta = english(project, ZCG)
    assert "warnings" not in meta["translation"] and meta["translation"]["reviewed_by"] == "Li Wei"
    assert text.split("\n---\n", 1)[1] == english(project, ZCG)[0].split("\n---\n", 1)[1]
    # A person vouched for this machine English: a redo of drafts does not replace it.
    assert (
        build(
            Project(project),
            translation_settings=TranslationSettings(beam_size=8, redo_drafts=True),
        ).translation.translated
        == []
    )


def test_ingest_only_ingests_and_translate_translates(installed, project, run):
    shutil.copy(REPO / "content" / "raw" / "000_6c2c32c8d8856aea.txt", project / "content" / "raw")
    status, out = run(project, "ingest")
    assert status == 0
    assert (project / "content" / "zh" / f"{ZCG}.md").exists()
    assert not (project / "content" / "en" / f"{ZCG}.md").exists()
    assert "translated" not in out
    status, out = run(project, "translate")
    assert status == 0
    assert english(project, ZCG)[1]["translation"]["method"] == "machine"
    assert not (project / "site").exists()
    help_text = subprocess.run(
        [sys.executable, "build.py", "ingest", "--help"], cwd=REPO, capture_output=True, text=True
    ).stdout
    assert "and does nothing more: it does not translate" in " ".join(help_text.split())


def test_without_a_model_the_build_succeeds_and_says_how_to_install(
    argos_packages, tiny_package, project, run
):
    with_seeds_without_english(project, ZCG)
    status, out = run(project, "--strict")
    assert status == 0  # Netlify builds with --strict and has no model: pending is not an error
    assert "warning:" not in out and "error:" not in out
    (line,) = [line for line in out.splitlines() if "no zh->en model is installed" in line]
    assert line.startswith("1 article has no English (shown as 'translation pending')")
    assert "install-model" in line and ZCG in line
    assert not (project / "content" / "en" / f"{ZCG}.md").exists()
    page = project / "site" / "en" / "articles" / ZCG / "index.html"
    assert "Translation pending" in page.read_text(encoding="utf-8")
    status, out = run(project)
    assert "site is up to date" in out  # nothing changed
    status, out = run(project, "install-model", "--from-file", str(tiny_package))
    assert status == 0, out
    status, out = run(project)  # no input changed, but the model can now translate it
    assert "site is up to date" not in out
    assert (project / "content" / "en" / f"{ZCG}.md").exists()


# --- protection of names and numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("22万在校生", "220,000"),
        ("投资150亿元", "CNY 15 billion"),
        ("成交额4847.4万元", "CNY 48.474 million"),
        ("66平方公里", "66 km²"),
        ("1.64万平方公里", "16,400 km²"),
        ("2022年5月26日", "May 26, 2022"),
        ("2月27日电", "February 27"),
        ("智创谷", "Zhichuang Valley"),
        ("山西智创城NO.4", "Shanxi Zhichuang City"),
    ],
)
def test_names_and_numbers_are_written_in_english_before_translation(chinese, english):
    protected, values = protect(chinese, GLOSSARY)
    assert english in values
    assert english in protected


def test_a_damaged_translation_memory_is_set_aside_and_rebuilt(installed, project, run):
    with_seeds_without_english(project, ZCG)
    memory = project / ".cache" / "translation-memory.sqlite"
    memory.parent.mkdir(parents=True, exist_ok=True)
    memory.write_bytes(b"this is not a database" * 100)
    status, out = run(project)
    assert status == 0
    assert "translation memory unreadable" in out
    assert (project / ".cache" / "translation-memory.damaged").exists()
    assert (project / "content" / "en" / f"{ZCG}.md").exists()
    assert build(Project(project)).translation.model_calls == 0  # the new memory works


# --- speed and quality: beam size, device, drafts -------------------------------------------


def set_translate_settings(project, text):
    path = project / "site.toml"
    path.write_text(path.read_text(encoding="utf-8") + f"\n[translate]\n{text}\n", encoding="utf-8")


def test_the_beam_size_is_recorded_in_the_provenance(installed, project, run):
    with_seeds_without_english(project, ZCG)
    set_translate_settings(project, "beam_size = 1")
    status, out = run(project, "translate")
    assert status == 0
    assert "at beam 1 on cpu" in out
    assert english(project, ZCG)[1]["translation"]["beam_size"] == 1


def test_the_command_line_beam_wins_over_site_toml(installed, project, run):
    with_seeds_without_english(project, ZCG)
    set_translate_settings(project, "beam_size = 1")
    assert run(project, "translate", "--beam", "2")[0] == 0
    assert english(project, ZCG)[1]["translation"]["beam_size"] == 2


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("beam_size = 0", "[translate] beam_size must be a whole number from 1 to 16, not 0"),
        ('beam_size = "4"', "[translate] beam_size must be a whole number from 1 to 16, not '4'"),
        ('device = "gpu"', "[translate] device must be one of cpu, cuda, auto, not 'gpu'"),
        ("beams = 4", "[translate] has unknown settings: beams"),
    ],
)
def test_bad_translate_settings_are_one_line_errors(project, run, setting, message):
    set_translate_settings(project, setting)
    status, out = run(project, "translate")
    assert status == 1
    assert out.strip() == f"error: site.toml: {message}"


def test_a_bad_beam_on_the_command_line_is_refused(project, capsys):
    with pytest.raises(SystemExit):
        main(["translate", "--beam", "0"], root=project)
    assert "--beam: a whole number from 1 to 16, not '0'" in capsys.readouterr().err


def test_drafts_are_redone_at_full_quality_only_when_asked(installed, project, run):
    with_seeds_without_english(project, ZCG)
    run(project, "translate", "--beam", "1")
    draft = (project / "content" / "en" / f"{ZCG}.md").read_text(encoding="utf-8")
    status, out = run(project)  # beam 4 from here on, but drafts wait for --redo-drafts
    assert status == 0
    assert (project / "content" / "en" / f"{ZCG}.md").read_text(encoding="utf-8") == draft
    assert "drafts (machine English made at a lower beam than 4): 1;" in out
    redo = TranslationSettings(beam_size=4, redo_drafts=True)
    report = build(Project(project), render=False, translation_settings=redo).translation
    assert report.translated == [ZCG]
    # a draft is never served as a full-quality translation: every sentence goes to the model
    assert report.from_memory == 0 and report.sentences_sent == report.sentences > 0
    assert english(project, ZCG)[1]["translation"]["beam_size"] == 4


def test_an_edited_draft_is_kept_when_drafts_are_redone(installed, project, run):
    with_seeds_without_english(project, ZCG)
    run(project, "translate", "--beam", "1")
    path = project / "content" / "en" / f"{ZCG}.md"
    edited = path.read_text(encoding="utf-8").rstrip() + "\n\nAn editor's own sentence.\n"
    path.write_text(edited, encoding="utf-8")
    status, _ = run(project, "translate", "--redo-drafts")
    assert status == 0
    assert path.read_text(encoding="utf-8") == edited


def test_status_lists_drafts_and_how_long_the_waiting_sentences_take(installed, project, run):
    with_seeds_without_english(project, ZCG, OTHER)
    _, out = run(project, "status")
    assert f"missing: content/en/{ZCG}.md" in out
    waiting = next(line for line in out.splitlines() if line.startswith("waiting:"))
    assert "sentences to translate in 2 articles: about" in waiting
    assert "at beam 4 on cpu (assuming 5.0 sentences/s: no run at these settings yet" in waiting
    run(project, "translate", "--beam", "1")
    (project / "content" / "en" / f"{OTHER}.md").unlink()
    _, out = run(project, "status", "--beam", "1")
    assert "waiting: 0 sentences to translate in 1 article (all in the translation memory)" in out
    zh = project / "content" / "zh" / f"{OTHER}.md"
    zh.write_text(zh.read_text(encoding="utf-8") + "\n新增的一段文字。\n", encoding="utf-8")
    _, out = run(project, "status", "--beam", "1")
    waiting = next(line for line in out.splitlines() if line.startswith("waiting:"))
    assert waiting.startswith("waiting: 1 sentence to translate in 1 article: about")
    assert "sentences/s, measured in earlier runs)" in waiting  # the rate of the run just made
    _, out = run(project, "status")
    assert f"draft (beam 1, below 4): content/en/{ZCG}.md" in out
    redo = next(line for line in out.splitlines() if line.startswith("redoing the drafts"))
    assert "python build.py translate --redo-drafts" in redo and "in 1 article: about" in redo


def test_doctor_says_which_device_and_why(installed, project, run):
    _, out = run(project, "doctor")
    assert "device: cpu (the default; CTranslate2 sees no CUDA devices)" in out
    assert "decoding: beam 4 (Argos' default)" in out
    _, out = run(project, "doctor", "--device", "auto", "--beam", "1")
    assert "device: cpu (auto: CTranslate2 sees no CUDA devices)" in out
    assert "decoding: beam 1 (a fast draft)" in out


def test_asking_for_a_gpu_that_is_not_there_is_an_error(installed, project, run):
    with_seeds_without_english(project, ZCG)
    status, out = run(project, "translate", "--device", "cuda")
    assert status == 1
    assert "error: device cuda: CTranslate2 sees no CUDA devices; use --device cpu" in out
    assert not (project / "content" / "en" / f"{ZCG}.md").exists()


def test_a_run_that_is_not_on_a_terminal_logs_its_progress(installed, project, run, monkeypatch):
    from briefing.progress import Progress

    monkeypatch.setattr(Progress, "LOG_EVERY", 0.0)  # a line after every batch
    with_seeds_without_english(project, ZCG)
    _, out = run(project, "translate")
    lines = [line for line in out.splitlines() if line.startswith("translating: ")]
    assert lines and all("sentences," in line and "left" in line for line in lines)
    (project / "content" / "en" / f"{ZCG}.md").unlink()
    _, out = run(project, "translate", "-q", "--beam", "2")  # new work, and only warnings
    assert out and all(line.startswith("warning: ") for line in out.splitlines())
    assert english(project, ZCG)[1]["translation"]["beam_size"] == 2


def test_on_a_terminal_progress_is_a_bar_with_the_time_left(installed, monkeypatch):
    import io

    from briefing.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(Progress, "BAR_DELAY", 0.0)
    level = log.level
    log.setLevel(logging.INFO)  # as a build without -q sets it
    try:
        progress = Progress(100)
        progress.update(40)
        progress.close()
    finally:
        log.setLevel(level)
    shown = terminal.getvalue()
    assert "translating:  40%" in shown and "40/100" in shown and "<" in shown  # time left


# --- stopped and resumed --------------------------------------------------------------------


# Runs `python build.py translate` in a project, counting the sentences committed to the
# memory, and pausing before model call PAUSE_AT to say how many, to be stopped there.
DRIVER = """
import sys, time
from pathlib import Path
from briefing.cli import main
from briefing.translate import engine, memory, stage

stage.ROUND_SENTENCES = 40  # English files are written as rounds of articles finish
committed = 0
put = memory.Memory.put
def counting_put(memory, key, pairs, timing=None):
    global committed
    put(memory, key, pairs, timing)
    committed += len(pairs)
submit = engine.Engine._submit
def pause_then_submit(engine, tokens):
    if engine.model_calls + 1 == int(sys.argv[2]):
        print(committed, flush=True)
        time.sleep(600)
    return submit(engine, tokens)
memory.Memory.put = counting_put
engine.Engine._submit = pause_then_submit
sys.exit(main(["translate"], root=Path(sys.argv[1])))
"""
PAUSE_AT = 6


def start_translating(project, argos_packages):
    env = {
        **os.environ,
        "ARGOS_PACKAGES_DIR": str(argos_packages),
        "PYTHONPATH": str(REPO),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(project), str(PAUSE_AT)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    assert line.strip().isdigit(), process.stderr.read()
    return process, int(line)


def memory_rows(project):
    with closing(sqlite3.connect(project / ".cache" / "translation-memory.sqlite")) as db:
        return db.execute("SELECT count(*) FROM sentences").fetchone()[0]


def english_files(project):
    folder = project / "content" / "en"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT])
def test_a_stopped_translation_resumes_without_translating_anything_twice(
    installed, project, tmp_path, run, stop
):
    every = [p.stem for p in (REPO / "content" / "en").glob("*.md")]
    with_seeds_without_english(project, *every)
    reference = tmp_path / "uninterrupted"
    shutil.copytree(project, reference)
    whole = build(Project(reference), render=False).translation

    process, committed = start_translating(project, installed)
    process.send_signal(stop)
    _, err = process.communicate(timeout=120)
    kept = memory_rows(project)
    assert 0 < kept == committed < whole.sentences  # every batch done before the stop is kept
    if stop == signal.SIGINT:
        assert process.returncode == 130
        assert f"interrupted: {kept} of {whole.sentences} new sentences translated and kept" in err
    written_before = english_files(project)
    assert 0 < len(written_before) < len(every)  # finished rounds of articles are written
    assert "sentences/s, measured in earlier runs" in run(project, "status")[1]

    again = build(Project(project), render=False).translation
    assert kept + again.sentences_sent == whole.sentences  # nothing translated twice
    assert set(again.translated) == {i for i in every if f"{i}.md" not in written_before}
    assert english_files(project) == english_files(reference)
    assert memory_rows(project) == whole.sentences


def test_a_memory_from_before_beam_sizes_serves_beam_4(installed, project):
    with_seeds_without_english(project, ZCG)
    build(Project(project), render=False)
    memory = project / ".cache" / "translation-memory.sqlite"
    with closing(sqlite3.connect(memory)) as db:
        rows = db.execute("SELECT model, source, target FROM sentences").fetchall()
    memory.unlink()
    (project / "content" / "en" / f"{ZCG}.md").unlink()
    with closing(sqlite3.connect(memory)) as db, db:  # the memory's first layout
        db.execute("CREATE TABLE memory (model TEXT, source TEXT, target TEXT)")
        db.executemany("INSERT INTO memory VALUES (?, ?, ?)", rows)
    report = build(Project(project), render=False).translation  # Argos' default beam, 4
    assert report.translated == [ZCG]
    assert report.model_calls == 0 and report.from_memory == report.sentences == len(rows)
