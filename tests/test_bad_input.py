"""Bad input: one clear line naming the file, nothing lost, the other articles still built."""

from __future__ import annotations

import hashlib
import random
import re
import shutil
from pathlib import Path

import pytest

from .conftest import REPO, seed_path

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


# The committed English of the seeds, so that a build has nothing pending to warn about.
ENGLISH_OF_SEED = {"000": "2022-02-27-d9ab3b7d", "002": "2022-05-26-326a0657"}


def add_seed(project: Path, prefix: str = "000") -> Path:
    source = seed_path(prefix)
    english = REPO / "content" / "en" / f"{ENGLISH_OF_SEED[prefix]}.md"
    shutil.copy(english, project / "content" / "en" / english.name)
    return Path(shutil.copy(source, project / "content" / "raw" / source.name))


def raw_digests(project: Path) -> dict[str, str]:
    raw = project / "content" / "raw"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.iterdir()}


def error_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("error:", "warning:"))]


BAD_RAW = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b"  \r\n\t\n\n", "empty file"),
    "image.txt": (PNG, "binary file"),
    "nul.txt": ("正文\x00\x00\x00二进制".encode(), "binary file"),
    "latin1.txt": ("Café à Paris, été très chaud.".encode("latin-1"), "unknown text encoding"),
    "no-chinese.txt": (b"0\n\n?\n\n12345\n", "no Chinese text found"),
    "no-title.txt": (
        (
            "这是一段很长的正文，没有任何标题，也没有日期和来源，只是一段接一段的文字。" * 3 + "\n"
        ).encode(),
        "no recognizable title",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_RAW))
def test_bad_raw_file_gets_one_line_and_the_rest_builds(project, run, name):
    data, message = BAD_RAW[name]
    (project / "content" / "raw" / name).write_bytes(data)
    add_seed(project)
    before = raw_digests(project)
    status, out = run(project)
    assert status == 0  # reported, not fatal without --strict
    problems = error_lines(out)
    assert problems == [f"error: content/raw/{name}: {message}" + problems[0].split(message, 1)[1]]
    assert "Traceback" not in out
    assert len(list((project / "content" / "zh").glob("*.md"))) == 1  # the good seed
    assert raw_digests(project) == before

    status, out = run(project, "--strict")
    assert status == 1
    assert "--strict" in out


BAD_MARKDOWN = {
    "bad-yaml.md": ("---\ntitle: [unclosed\n---\n正文。\n", "front-matter is not valid YAML"),
    "no-front-matter.md": ("只有正文。\n", "no front-matter"),
    "unclosed.md": ("---\ntitle: 标题\n正文。\n", "front-matter is not closed"),
    "no-title.md": ("---\ndate: 2024-01-01\n---\n正文。\n", "front-matter has no title"),
    "bad-date.md": ("---\ntitle: 标题\ndate: yesterday\n---\n正文。\n", "is not an ISO 8601 date"),
    "Bad_Id.md": ("---\ntitle: 标题\n---\n正文。\n", "is not a lowercase ASCII slug"),
    "other-id.md": (
        "---\nid: something-else\ntitle: 标题\n---\n正文。\n",
        "does not match the file name",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_MARKDOWN))
def test_bad_markdown_article_gets_one_line_and_is_left_untouched(project, run, name):
    text, message = BAD_MARKDOWN[name]
    path = project / "content" / "zh" / name
    path.write_text(text, encoding="utf-8")
    add_seed(project)
    status, out = run(project)
    assert status == 0  # reported, not fatal without --strict
    (problem,) = error_lines(out)
    assert problem.startswith(f"error: content/zh/{name}: ")
    assert message in problem
    assert path.read_text(encoding="utf-8") == text
    assert "content: 1 Chinese articles" in out
    assert run(project, "--strict")[0] == 1


def test_same_page_twice_in_two_encodings_is_a_duplicate_id(project, run):
    first = add_seed(project)
    copy = project / "content" / "raw" / "copy-in-gbk.txt"
    copy.write_bytes(first.read_text(encoding="utf-8").encode("gbk"))
    status, out = run(project)
    assert status == 0  # reported, not fatal without --strict
    (problem,) = error_lines(out)
    assert problem.startswith("error: content/raw/copy-in-gbk.txt: its article id 2022-02-27-")
    assert "is already used by content/zh/2022-02-27-" in problem
    assert f"(from raw/{first.name}); not ingested" in problem
    assert len(list((project / "content" / "zh").glob("*.md"))) == 1
    assert run(project, "--strict")[0] == 1


def test_markdown_article_and_raw_page_claiming_one_id(project, run):
    add_seed(project)
    run(project)
    article = next((project / "content" / "zh").glob("*.md"))
    text = article.read_text(encoding="utf-8")
    # a person removes the provenance: the raw page now looks un-ingested
    article.write_text(text.replace("original: raw/", "from: raw/"), encoding="utf-8")
    status, out = run(project)
    assert status == 0  # reported, not fatal without --strict
    assert any("is already used by" in line for line in error_lines(out))
    assert "from: raw/" in article.read_text(encoding="utf-8")


def test_mojibake_is_a_warning_that_strict_turns_into_failure(project, run):
    add_seed(project, "002")
    status, out = run(project)
    assert status == 0  # reported, not fatal without --strict
    assert any(
        line.startswith("warning: content/raw/002_") and "paragraph 3: lost characters" in line
        for line in error_lines(out)
    )
    # the warning is also kept in the article, for whoever edits it later
    article = next((project / "content" / "zh").glob("*.md"))
    assert "lost characters (mojibake)" in article.read_text(encoding="utf-8")


def test_link_to_a_file_outside_content_is_not_read(project, run, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text(
        "机密标题\n\n这是content目录以外的文件，不应该被读取，也不应该出现在网站上。\n",
        encoding="utf-8",
    )
    (project / "content" / "raw" / "link.txt").symlink_to(outside)
    status, out = run(project)
    assert status == 0  # reported, not fatal without --strict
    (problem,) = error_lines(out)
    assert problem == "error: content/raw/link.txt: is a link to a file outside content/; not read"
    assert not list((project / "content" / "zh").glob("*.md"))


def test_many_files_are_read_on_every_core_with_the_same_articles_and_messages(
    project, monkeypatch, caplog
):
    """A first build parses its files in forked workers: the articles, the files that
    fail and every line said about them are those of reading one file after another,
    in the files' order, and an article read with a warning is not cached."""
    import logging

    from briefing import content
    from briefing.cache import Cache
    from briefing.config import Project
    from briefing.parallel import cores

    if cores() < 2:
        pytest.skip("one core: files are read one after another")
    zh = project / "content" / "zh"
    least = content.PARALLEL_READ_FROM
    source = (REPO / "content" / "zh").glob("*.md").__next__().read_text(encoding="utf-8")
    for n in range(least + 6):
        text = re.sub(r"^id: .*$", f"id: a{n:03d}", source, count=1, flags=re.M)
        if n % 17 == 3:
            text = text.replace("\ntitle: ", "\nmood: calm\ntitle: ", 1)  # a warning
        if n % 23 == 5:
            text = text.replace("---\n", "---\ntitle: [unclosed\n", 1)  # an error
        (zh / f"a{n:03d}.md").write_text(text, encoding="utf-8")
    caplog.set_level(logging.DEBUG, logger="briefing")

    def read(parallel_from: int, cache=None):
        monkeypatch.setattr(content, "PARALLEL_READ_FROM", parallel_from)
        caplog.clear()
        found = content.read_articles(Project(project), "zh", cache)
        said = [
            (r.levelno, r.getMessage())
            for r in caplog.records
            if r.levelno >= logging.WARNING or "article files on" in r.getMessage()
        ]
        return [a.id for a in found.articles], found.failed, said

    one_by_one = read(10_000)
    cache = Cache(project / ".cache" / "build.sqlite")
    forked = read(least, cache)
    assert forked[2][0][1].startswith(f"{least + 6} zh article files on")
    assert forked[:2] == one_by_one[:2] and forked[2][1:] == one_by_one[2]
    assert len(one_by_one[1]) == 3 and len([m for m in one_by_one[2] if "mood" in m[1]]) == 4
    assert all(m[1].startswith(str(zh)) or "content/zh" in m[1] for m in one_by_one[2])
    cache.commit()
    kept = cache.get_many("read", [str(p) for p in sorted(zh.glob("*.md"))])
    assert len(kept) == least + 6 - 3 - 4  # none with a warning or error
    cache.close()


# Front-matter of the kinds parse_flat_yaml takes, and of every kind it must leave to
# PyYAML: characters YAML treats apart, scalars its resolvers make other types.
_YAML_WORDS = [*"abcXYZ019 _中文字，：“”()（）.-/+=~<:", "Li", " Ruina", "2015", "-01", "sha256"]
_YAML_TRAPS = [
    *"-?:,[]{}#&*!|>'\"%@`~.=<+\t\u3000\xa0\ufeff\x85\u2028",
    *["yes", "no", "on", "Null", "true", "1.5", "1e3", ".5", "0x1F", "0o7", "2022-06-02"],
    *["12:30", "1_000", "''", " #", ": ", "  "],
]
_YAML_KEYS = ["id", "title", "tags", "translation", "on", "yes", "12", "a b", "_x", "Title_2"]


def _yaml_word(rng: random.Random, most: int) -> str:
    return "".join(
        rng.choice(_YAML_TRAPS if rng.random() < 0.1 else _YAML_WORDS)
        for _ in range(rng.randint(0, most))
    )


def _yaml_value(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        return _yaml_word(rng, 8)
    if kind < 0.55:
        return "'" + _yaml_word(rng, 8) + "'"
    if kind < 0.75:
        return "[" + ", ".join(_yaml_word(rng, 4) for _ in range(rng.randint(0, 3))) + "]"
    pairs = (
        f"{rng.choice(_YAML_KEYS)}: {rng.choice([_yaml_word(rng, 4), repr(_yaml_word(rng, 4))])}"
        for _ in range(rng.randint(0, 3))
    )
    return "{" + ", ".join(pairs) + "}"


def test_flat_front_matter_is_read_as_pyyaml_reads_it():
    """inputs.parse_flat_yaml gives what parse_yaml gives, or None (PyYAML then reads it):
    on 20,000 generated front-matters full of YAML's special cases, and on the repo's
    articles; it takes the front-matter this tool writes (all but a few of them)."""
    import yaml

    from briefing.inputs import parse_flat_yaml, parse_yaml

    rng = random.Random(2026)
    taken = 0
    for _ in range(20_000):
        text = "".join(
            f"{rng.choice(_YAML_KEYS)}{rng.choice([': ', ': ', ': ', ':', ':  '])}"
            f"{_yaml_value(rng)}\n"
            for _ in range(rng.randint(1, 3))
        )
        fast = parse_flat_yaml(text)
        if fast is None:
            continue
        taken += 1
        try:
            assert fast == parse_yaml(text), text
        except yaml.YAMLError:
            raise AssertionError(f"taken, but not YAML: {text!r}") from None
    assert taken > 1_000
    articles = sorted((REPO / "content").glob("*/*.md"))
    fronts = [
        path.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:] + "\n" for path in articles
    ]
    read = [(parse_flat_yaml(text), text) for text in fronts]
    assert all(fast == parse_yaml(text) for fast, text in read if fast is not None)
    assert sum(fast is not None for fast, _ in read) >= len(articles) - 10
    assert parse_flat_yaml("title: 山西晋中:激活\nid: 2015-01-01-x\ntags: [a b, c]\n") == {
        "title": "山西晋中:激活",
        "id": "2015-01-01-x",
        "tags": ["a b", "c"],
    }
    for refused in ("n: 12\n", "on: x\n", "t: a: b\n", "t: a #b\n", 't: "x"\n', "t: [[a]]\n"):
        assert parse_flat_yaml(refused) is None, refused
