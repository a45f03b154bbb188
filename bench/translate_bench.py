"""Translation benchmark: briefing's batched path against Argos' own per-paragraph translate().

    python bench/translate_bench.py [--sentences 1000]

Both run in one process on the same model: the tiny real Argos package the
tests build (no real zh->en model can be downloaded here; with a base-size
model the ratio is smaller, see the README). Argos' folders point at a
scratch directory. Prints the time of each path, the ratio, and how many
model calls a no-change rebuild of the seed site makes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCRATCH = Path(tempfile.mkdtemp(prefix="briefing-bench-argos-"))
os.environ.update(
    ARGOS_PACKAGES_DIR=str(SCRATCH / "packages"),
    XDG_DATA_HOME=str(SCRATCH / "data"),
    XDG_CONFIG_HOME=str(SCRATCH / "config"),
    XDG_CACHE_HOME=str(SCRATCH / "cache"),
    ARGOS_CHUNK_TYPE="SPACY",  # Argos splits with the package's blank spaCy pipeline, offline
)
(SCRATCH / "cache" / "argos-translate" / "spacy" / "senter" / "model").mkdir(parents=True)

from briefing.build import BuildResult, build, load_articles  # noqa: E402
from briefing.config import Project  # noqa: E402
from briefing.text.markdown import plain_text  # noqa: E402
from briefing.translate import Engine, find_model, install_model, split_sentences  # noqa: E402
from tests.tiny_argos import build_tiny_package  # noqa: E402


def paragraphs_of(count: int) -> list[str]:
    """Distinct seed paragraphs (varied where repeated) holding about `count` sentences."""
    zh = load_articles(Project(ROOT), "zh", BuildResult())
    base = [plain_text(b.text) for a in zh for b in a.blocks if b.kind == "paragraph"]
    paragraphs, sentences, round_ = [], 0, 0
    while sentences < count:
        for text in base:
            text = text if round_ == 0 else f"第{round_}次，{text}"  # no cache hits for Argos
            paragraphs.append(text)
            sentences += len(split_sentences(text))
            if sentences >= count:
                break
        round_ += 1
    return paragraphs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1000)
    args = parser.parse_args()
    install_model(build_tiny_package(ROOT, SCRATCH / "build"))
    model = find_model()
    paragraphs = paragraphs_of(args.sentences)
    sentences = [s for p in paragraphs for s in split_sentences(p)]

    import argostranslate.translate

    argostranslate.translate.translate("预热。", "zh", "en")  # load the model once for both
    engine = Engine(model)
    engine.translate(["预热。"])

    start = time.perf_counter()
    engine.translate(sentences)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for paragraph in paragraphs:
        argostranslate.translate.translate(paragraph, "zh", "en")
    theirs = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        project_root = Path(tmp) / "site"
        for name in ("content", "templates"):
            shutil.copytree(ROOT / name, project_root / name)
        shutil.copy(ROOT / "site.toml", project_root / "site.toml")
        for path in (project_root / "content" / "en").glob("*.md"):
            path.unlink()  # every article needs a machine translation
        first = build(Project(project_root)).translation
        again = build(Project(project_root)).translation

    print(
        f"model: {model.label} (tiny test model); {len(paragraphs)} paragraphs, {len(sentences)} sentences"
    )
    print("path | time | sentences/s")
    print("--- | --- | ---")
    print(f"briefing, batched | {ours:.2f} s | {len(sentences) / ours:,.0f}")
    print(f"Argos translate() per paragraph | {theirs:.2f} s | {len(sentences) / theirs:,.0f}")
    print(f"ratio | {theirs / ours:.1f}x faster |")
    print()
    print(
        f"seed site, first build: {len(first.translated)} articles, {first.sentences} sentences, "
        f"{first.model_calls} model calls"
    )
    print(
        f"seed site, no-change rebuild: {again.model_calls} model calls, "
        f"{len(again.translated)} articles translated"
    )


if __name__ == "__main__":
    main()
