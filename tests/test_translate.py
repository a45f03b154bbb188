"""Machine translation with a tiny but real Argos package, installed by the project's command.

Nothing here touches the network: socket connections fail for these tests.
"""

from __future__ import annotations

import shutil
import socket

import pytest
import yaml

from briefing.build import BuildResult, build, load_articles
from briefing.config import Project
from briefing.protect import protect
from briefing.translate import Engine, find_model, split_sentences

from .conftest import ARGOS_HOME, REPO
from .tiny_argos import build_tiny_package

ZCG = "2022-02-27-d9ab3b7d"
GLOSSARY = {"智创谷": "Zhichuang Valley", "山西智创城": "Shanxi Zhichuang City", "晋中": "Jinzhong"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("tests must not use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture(scope="session")
def tiny_package():
    return build_tiny_package(REPO, ARGOS_HOME / "build")


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


def test_install_without_network_says_why(argos_packages, project, run):
    status, out = run(project, "install-model")
    assert status == 1
    assert out.strip().startswith("error: Argos package index: cannot be read (offline?)")


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

    zh = load_articles(Project(REPO), "zh", BuildResult())
    sentences = [s for a in zh[:3] for b in a.blocks[:3] for s in split_sentences(b.text)][:24]
    engine = Engine(find_model())
    ours = engine.translate(sentences)
    theirs = [argostranslate.translate.translate(s, "zh", "en") for s in sentences]
    assert ours == theirs
    assert engine.model_calls == 1  # one batched call for all of them


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
    zh = load_articles(project_obj := Project(project), "zh", BuildResult())
    en = {a.id: a for a in load_articles(project_obj, "en", BuildResult())}
    source = next(a for a in zh if a.id == ZCG)
    assert [b.kind for b in en[ZCG].blocks] == [b.kind for b in source.blocks]  # aligned
    page = (project / "site" / "en" / "articles" / ZCG / "index.html").read_text(encoding="utf-8")
    assert "Machine translation" in page and "argos-translate" in page


def test_no_change_rebuild_calls_the_model_zero_times(installed, project):
    with_seeds_without_english(project, ZCG)
    first = build(Project(project)).translation
    assert first.model_calls == 1 and first.translated == [ZCG]
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
    assert report.sentences - report.from_memory == 1  # only the new sentence
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
    assert f"warning: content/en/{ZCG}.md: stale" in out
    assert run(project, "status")[1].count(ZCG) == 2
    _, out = run(project, "status")
    assert f"edited by a person (kept): content/en/{ZCG}.md" in out
    assert f"stale: content/en/{ZCG}.md" in out


def test_editorial_translation_is_kept_and_reported_stale(installed, project, run):
    shutil.copytree(REPO / "content", project / "content", dirs_exist_ok=True)
    path = project / "content" / "en" / f"{ZCG}.md"
    before = path.read_text(encoding="utf-8")
    zh = project / "content" / "zh" / f"{ZCG}.md"
    zh.write_text(
        zh.read_text(encoding="utf-8").replace("晋商故里", "晋商故里(改)", 1), encoding="utf-8"
    )
    status, out = run(project, "--strict")
    assert path.read_text(encoding="utf-8") == before
    assert f"warning: content/en/{ZCG}.md: stale: the Chinese article changed" in out
    assert status == 1  # --strict


def test_lost_numbers_and_names_are_reported(installed, project, run):
    with_seeds_without_english(project, ZCG)
    _, out = run(project)
    # the tiny model's English is random: the protected values don't survive, and that is said
    assert f"warning: content/zh/{ZCG}.md: lost in translation:" in out
    _, meta = english(project, ZCG)
    assert "66 km²" in meta["translation"]["warnings"][0]


def test_without_a_model_the_build_succeeds_and_says_how_to_install(argos_packages, project, run):
    with_seeds_without_english(project, ZCG)
    status, out = run(project)
    assert status == 0
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "no zh->en model is installed" in warnings[0] and "install-model" in warnings[0]
    assert ZCG in warnings[0]
    assert not (project / "content" / "en" / f"{ZCG}.md").exists()
    assert run(project, "--strict")[0] == 1


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
