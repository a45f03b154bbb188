"""A CTranslate2 model of the size of Argos' zh->en whose output has realistic lengths.

Shape: a Transformer with 6+6 layers, d_model 512, 8 heads, FFN 2048, int8,
the vocabulary it is given (32,000 pieces in the bench). CTranslate2 runs every
layer as dense matrix products whatever the weights hold, so the time per
decoding step is that of a real model of this shape. What a random model gets
wrong is *how many* steps: it never learnt to stop, and decodes to the maximum
length. This one stops like a translation does, each sentence on its own:

- Residual dimensions 0-63 carry a position code, 64-511 the token's embedding.
  Source position s has the code of angle s, output position t the code of
  angle (t + 0.5) / 1.3, at 32 frequencies (learnt-style position tables).
- In the first decoder layer's cross-attention every head's query and key read
  the position code only, so all heads attend to source position ~t / 1.3,
  and each head's value carries a slice of that source token's embedding.
- The output projection is the embedding table: the model writes the source
  token it attends to. Source sentences end with </s> (add_source_eos), so the
  output ends when attention reaches it: after ~1.3x the source length, which
  is about what English takes for Chinese in SentencePiece tokens.
- Every other weight is small noise (exact zeros would break int8 scaling).

The output is the Chinese tokens stretched by 1.3: nonsense, but it costs
what a real translation of that length costs, for Argos' path and ours alike.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.tiny_argos import random_weights, set_variable  # noqa: E402

LAYERS = (6, 6)
D_MODEL, HEADS, FFN = 512, 8, 2048
POSITION_DIMS = 64
OUTPUT_RATIO = 1.3
MAX_POSITIONS = 1024
NOISE = 1e-3
QUERY_SCALE = 40.0  # sharp attention: the nearest source position wins
COPY_SCALE = 10.0  # the attended token outweighs the previous one in the residual


def _position_codes(angles: np.ndarray) -> np.ndarray:
    frequencies = np.geomspace(1.0, 2 * math.pi / 3000, POSITION_DIMS // 2)
    codes = np.zeros((len(angles), D_MODEL), np.float32)
    codes[:, 0:POSITION_DIMS:2] = np.cos(np.outer(angles, frequencies))
    codes[:, 1:POSITION_DIMS:2] = np.sin(np.outer(angles, frequencies))
    return codes / math.sqrt(POSITION_DIMS // 2)


def _cross_attention() -> dict[str, np.ndarray]:
    """Query, key/value and output weights of the first decoder layer's cross-attention."""
    head_dims = D_MODEL // HEADS
    token_dims = D_MODEL - POSITION_DIMS
    piece = token_dims // HEADS  # the slice of the token embedding each head carries
    query = np.zeros((D_MODEL, D_MODEL), np.float32)
    key_value = np.zeros((2 * D_MODEL, D_MODEL), np.float32)
    output = np.zeros((D_MODEL, D_MODEL), np.float32)
    positions = slice(0, POSITION_DIMS)
    for head in range(HEADS):
        first = head * head_dims
        token_slice = slice(POSITION_DIMS + head * piece, POSITION_DIMS + (head + 1) * piece)
        query[first : first + POSITION_DIMS, positions] = QUERY_SCALE * np.eye(POSITION_DIMS)
        key_value[first : first + POSITION_DIMS, positions] = np.eye(POSITION_DIMS)
        value = D_MODEL + first
        key_value[value : value + piece, token_slice] = np.eye(piece)
        output[token_slice, first : first + piece] = COPY_SCALE * np.eye(piece)
    prefix = "decoder/layer_0/attention/"
    return {
        prefix + "linear_0/weight": query,
        prefix + "linear_1/weight": key_value,
        prefix + "linear_2/weight": output,
    }


def build_base_model(vocabulary: list[str], output: Path, seed: int = 1) -> None:
    """Write the model for `vocabulary` into `output` (a CTranslate2 model folder)."""
    import ctranslate2.specs as specs

    rng = np.random.default_rng(seed)
    spec = specs.TransformerSpec.from_config(LAYERS, HEADS)
    weights = random_weights(spec, len(vocabulary), rng, NOISE, D_MODEL, FFN)
    embeddings = np.zeros((len(vocabulary), D_MODEL), np.float32)
    token_dims = D_MODEL - POSITION_DIMS
    embeddings[:, POSITION_DIMS:] = rng.normal(
        0, 1 / math.sqrt(token_dims), (len(vocabulary), token_dims)
    )
    for name in (
        "encoder/embeddings_0/weight",
        "decoder/embeddings/weight",
        "decoder/projection/weight",
    ):
        weights[name] = embeddings
    weights.update(_cross_attention())
    for name, array in weights.items():
        set_variable(spec, name, array)
    positions = np.arange(MAX_POSITIONS)
    spec.encoder.position_encodings.encodings = _position_codes(positions)
    spec.decoder.position_encodings.encodings = _position_codes((positions + 0.5) / OUTPUT_RATIO)
    spec.encoder.scale_embeddings = spec.decoder.scale_embeddings = False
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize(quantization="int8")
    output.mkdir(parents=True, exist_ok=True)
    spec.save(str(output))
    config_path = output / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["add_source_eos"] = True  # the </s> that attention reaches at the end
    config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
