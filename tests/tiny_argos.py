"""A tiny but real Argos Translate package, written by the tests.

No real zh->en model can be downloaded here, so the tests make one: a
SentencePiece model trained on the seed articles' sentences, a small
CTranslate2 Transformer with random (seeded) weights, metadata.json, and a
blank spaCy pipeline as the package's sentence splitter (so that Argos' own
`translate()` runs offline too), zipped in the .argosmodel layout. Its English
is nonsense but deterministic, which is all a test of the pipeline needs.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

D_MODEL = 32
FFN = 64
HEADS = 2
VOCAB = 1500


def training_lines(repo: Path) -> list[str]:
    """A few hundred zh and en sentences from the committed articles."""
    lines = []
    for lang in ("zh", "en"):
        for path in sorted((repo / "content" / lang).glob("*.md")):
            body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
            for piece in re.split(r"(?<=[。！？!?.])\s*", body):
                piece = piece.strip().lstrip("#").strip()
                if 4 <= len(piece) <= 300:
                    lines.append(piece)
    return lines


def train_sentencepiece(lines: list[str], prefix: Path) -> Path:
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_prefix=str(prefix),
        vocab_size=VOCAB,
        model_type="unigram",
        character_coverage=0.98,  # rare characters become <unk>: fine for a test model
        minloglevel=2,
        num_threads=1,
        hard_vocab_limit=False,
    )
    return prefix.with_suffix(".model")


def variable_shape(
    name: str, vocab: int, d_model: int = D_MODEL, ffn: int = FFN
) -> tuple[int, ...]:
    """The shape of a TransformerSpec variable, by its name."""
    if name.endswith(("gamma", "beta")):
        return (d_model,)
    if "embeddings" in name or "projection" in name:
        return (vocab, d_model)
    if "ffn/linear_0" in name:
        return (ffn, d_model)
    if "ffn/linear_1" in name:
        return (d_model, ffn)
    if "self_attention/linear_0" in name:
        return (3 * d_model, d_model)
    if "/attention/linear_1" in name:  # cross-attention keys and values
        return (2 * d_model, d_model)
    return (d_model, d_model)


def random_weights(
    spec, vocab: int, rng, noise: float, d_model: int = D_MODEL, ffn: int = FFN
) -> dict[str, np.ndarray]:
    """Every variable the spec has no value for: layer norms as identity, the rest normal
    noise of scale `noise`, drawn in the spec's order (the same seed, the same model)."""
    weights = {}
    for name, value in spec.variables(ordered=True):
        if value is not None:
            continue
        shape = variable_shape(name, vocab, d_model, ffn)
        if name.endswith("gamma"):
            weights[name] = np.ones(shape, dtype=np.float32)
        elif name.endswith("beta"):
            weights[name] = np.zeros(shape, dtype=np.float32)
        else:
            weights[name] = rng.normal(0, noise, shape).astype(np.float32)
    return weights


def set_variable(spec, name: str, array: np.ndarray) -> None:
    """spec's variable "decoder/layer_0/ffn/linear_0/weight" = array."""
    *path, attribute = name.split("/")
    target = spec
    for part in path:
        target = _child(target, part)
    setattr(target, attribute, array)


def _child(spec, part: str):
    """spec.layer_0 is spec.layer[0] in CTranslate2's variable names."""
    if hasattr(spec, part):
        return getattr(spec, part)
    base, _, index = part.rpartition("_")
    return getattr(spec, base)[int(index)]


def build_ctranslate2_model(vocabulary: list[str], output: Path, seed: int = 1) -> None:
    import ctranslate2.specs as specs

    rng = np.random.default_rng(seed)
    spec = specs.TransformerSpec.from_config((1, 1), HEADS)
    for name, array in random_weights(spec, len(vocabulary), rng, noise=0.2).items():
        set_variable(spec, name, array)
    # An output bias towards </s> makes decoding stop after a few tokens.
    bias = np.zeros(len(vocabulary), dtype=np.float32)
    bias[vocabulary.index("</s>")] = 2.5
    spec.decoder.projection.bias = bias
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize(quantization="int8")
    output.mkdir(parents=True, exist_ok=True)
    spec.save(str(output))


def pad_sentencepiece(model: Path, size: int) -> None:
    """Add never-used pieces until the vocabulary has `size` entries: a real model's
    vocabulary size (and so its output layer's cost) with the seeds' own pieces."""
    from sentencepiece import sentencepiece_model_pb2

    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(model.read_bytes())
    for number in range(size - len(proto.pieces)):
        piece = proto.pieces.add()
        piece.piece = f"\u2581pad{number}"  # text the Chinese input never contains
        piece.score = -1000.0
    model.write_bytes(proto.SerializeToString())


def write_package(
    repo: Path,
    workdir: Path,
    *,
    label: str = "tiny",
    version: str = "0.1",
    build_model: Callable[[list[str], Path], None] = build_ctranslate2_model,
    vocabulary_size: int | None = None,
    spacy_language: str = "xx",
) -> Path:
    """Write the package folder translate-zh_en-<label> into workdir and return it.

    build_model writes the CTranslate2 model for a vocabulary into a folder (the
    tiny one by default); spacy_language "xx" gives Argos a splitter that keeps a
    Chinese paragraph whole, "zh" one that splits it at 。！？ as a real package's does."""
    import sentencepiece as spm
    import spacy

    package = workdir / f"translate-zh_en-{label}"
    if package.exists():
        shutil.rmtree(package)
    package.mkdir(parents=True)
    sp_model = train_sentencepiece(training_lines(repo), workdir / "sentencepiece")
    if vocabulary_size:
        pad_sentencepiece(sp_model, vocabulary_size)
    shutil.copy(sp_model, package / "sentencepiece.model")
    processor = spm.SentencePieceProcessor(model_file=str(sp_model))
    vocabulary = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    build_model(vocabulary, package / "model")
    spacy.blank(spacy_language).to_disk(package / "spacy")  # an offline sentence splitter
    (package / "metadata.json").write_text(
        json.dumps(
            {
                "package_version": version,
                "argos_version": "1.9",
                "from_code": "zh",
                "to_code": "en",
                "type": "translate",
                "name": f"{label.capitalize()} test zh-en",
                "languages": [{"code": "zh", "name": "Chinese"}, {"code": "en", "name": "English"}],
            }
        ),
        encoding="utf-8",
    )
    return package


def zip_package(package: Path, archive: Path) -> Path:
    """The .argosmodel layout: a zip whose one top folder is the package."""
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(package.rglob("*")):
            zipped.write(path, path.relative_to(package.parent))
    return archive


def build_tiny_package(repo: Path, workdir: Path, version: str = "0.1") -> Path:
    """Write tiny_zh_en.argosmodel into workdir and return its path."""
    package = write_package(repo, workdir, version=version)
    return zip_package(package, workdir / "tiny_zh_en.argosmodel")
