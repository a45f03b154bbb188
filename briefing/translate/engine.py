"""Batched sentence translation with a package's CTranslate2 model and SentencePiece,
on the device and cores there are, with Argos' own decoding options."""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterator

from briefing.config import TranslationSettings
from briefing.errors import BriefingError
from briefing.translate.model import Model

# Sentences per model call: BATCH_ROWS // beam size, so that a call decodes about 64
# hypotheses whatever the beam (16 sentences at beam 4, 64 at beam 1). In the bench, 8 to
# 32 at beam 4 were within the noise of each other, 4 and 64 slower; Ctrl+C waits for the
# batches in progress, so no bigger.
BATCH_ROWS = 64
MAX_PARALLEL_BATCHES = 8
DEFAULT_SETTINGS = TranslationSettings()

# A sentence ends at 。！？；… (or their ASCII twins), with closing quotes kept on it.
_SENTENCE = re.compile(r".+?(?:[。！？!?；;…]+[”’」』）)\"']*|$)", re.S)


def split_sentences(paragraph: str) -> list[str]:
    """Chinese sentences of a paragraph; needs no model download (Argos' default splitter does)."""
    return [s.strip() for s in _SENTENCE.findall(paragraph) if s.strip()]


# --- the hardware and the engine -------------------------------------------------------------


def cpu_cores() -> int:
    """The cores this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cpu_threads(cores: int) -> tuple[int, int]:
    """(inter_threads, intra_threads) for CTranslate2 on this many cores.

    Batches in parallel, one core each, were faster than one batch at a time on
    every core (no waiting for each other between the many small steps of a
    decoder): 1.3x on the base-size model, 3.8x on the tiny one (bench). Past
    MAX_PARALLEL_BATCHES, each batch gets several cores instead (not measured:
    this machine has 2).
    """
    inter = max(1, min(cores, MAX_PARALLEL_BATCHES))
    return inter, max(1, cores // inter)


def cuda_devices() -> int:
    try:
        import ctranslate2
    except ImportError:
        return 0
    return ctranslate2.get_cuda_device_count()


def choose_device(requested: str) -> tuple[str, str]:
    """The device CTranslate2 runs on for `requested` (cpu, cuda or auto), and why."""
    gpus = cuda_devices()
    seen = f"CTranslate2 sees {gpus or 'no'} CUDA device{'' if gpus == 1 else 's'}"
    if requested == "cuda":
        if not gpus:
            raise BriefingError("device cuda", f"{seen}; use --device cpu (or auto)")
        return "cuda", f"asked for; {seen}"
    if requested == "auto":
        return ("cuda" if gpus else "cpu"), f"auto: {seen}"
    hint = ": --device auto would use it" if gpus else ""
    return "cpu", f"the default; {seen}{hint}"


def decoding_label(beam_size: int) -> str:
    """What, besides the model, decides a translation: part of the memory's key."""
    return f"beam {beam_size}"


class Engine:
    """Batched sentence translation with a package's CTranslate2 model and tokenizer.

    Sentences go to the model shortest first, `batch_size` at a time, so that a
    batch holds sentences of about the same length (less padding, and no short
    sentence waits for a long one); each batch's translations are handed back
    as soon as it is done, so that the caller can keep them.
    """

    def __init__(
        self,
        model: Model,
        settings: TranslationSettings = DEFAULT_SETTINGS,
        *,
        batch_size: int | None = None,
        inter_threads: int | None = None,
        intra_threads: int | None = None,
        sort: bool = True,
    ):
        import ctranslate2
        from argostranslate import settings as argos
        from argostranslate.tokenizer import SentencePieceTokenizer

        self.model = model
        self.tokenizer = SentencePieceTokenizer(model.path / "sentencepiece.model")
        self.beam_size = settings.beam_size
        self.decoding = decoding_label(settings.beam_size)
        self.device = choose_device(settings.device)[0]
        self.batch_size = batch_size or max(1, BATCH_ROWS // settings.beam_size)
        self.sort = sort
        inter, intra = cpu_threads(cpu_cores()) if self.device == "cpu" else (1, 1)
        self.inter_threads = inter_threads or inter
        self.intra_threads = intra_threads or intra
        self.translator = ctranslate2.Translator(
            str(model.path / "model"),
            device=self.device,
            compute_type=argos.compute_type,
            inter_threads=self.inter_threads,
            intra_threads=self.intra_threads,
        )
        self.model_calls = 0  # translate_batch calls
        self.sentences_sent = 0

    def translate(self, sentences: list[str]) -> list[str]:
        """Translations of `sentences`, in order, with Argos' own decoding options."""
        done: dict[str, str] = {}
        for batch in self.batches(sentences):
            done.update(batch)
        return [done[s] for s in sentences]

    def batches(self, sentences: list[str]) -> Iterator[dict[str, str]]:
        """Translate distinct `sentences` a batch at a time; yield {source: translation}
        for each batch as it is done."""
        tokens = {s: self.tokenizer.encode(s) for s in sentences}
        order = sorted(tokens, key=lambda s: len(tokens[s])) if self.sort else list(tokens)
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        # With inter_threads > 1, that many batches run at once, each on its own threads.
        running: deque[tuple[list[str], list]] = deque()
        for batch in batches:
            running.append((batch, self._submit([tokens[s] for s in batch])))
            if len(running) >= self.inter_threads:
                yield self._collect(*running.popleft())
        while running:
            yield self._collect(*running.popleft())

    def _submit(self, tokens: list[list[str]]) -> list:
        prefix = [[self.model.target_prefix]] * len(tokens) if self.model.target_prefix else None
        self.model_calls += 1
        self.sentences_sent += len(tokens)
        return self.translator.translate_batch(
            tokens,
            target_prefix=prefix,
            replace_unknowns=True,
            max_batch_size=self.batch_size,
            batch_type="examples",
            beam_size=self.beam_size,
            num_hypotheses=1,
            length_penalty=0.2,
            return_scores=True,
            asynchronous=True,
        )

    def _collect(self, batch: list[str], results: list) -> dict[str, str]:
        return {
            s: self._decode(r.result().hypotheses[0]) for s, r in zip(batch, results, strict=True)
        }

    def _decode(self, tokens: list[str]) -> str:
        # As argostranslate.translate.apply_packaged_translation does.
        value = self.tokenizer.decode(tokens)
        prefix = self.model.target_prefix
        if prefix and value.startswith(prefix):
            value = value[len(prefix) :]
        return value[1:] if value.startswith(" ") else value
