"""Translate: Chinese articles -> English counterparts in content/en, offline, with Argos Translate.

The model is an Argos Translate package (installed with Argos' own package
API). Instead of Argos' per-paragraph `translate()`, every sentence of a
build that needs translating goes to the package's CTranslate2 model in
batches of sentences of about the same length, tokenized with the package's
own SentencePiece tokenizer and with Argos' decoding options, so the output is
the same, faster. A translation memory (SQLite, in .cache/) means a sentence is
never sent to the model twice at the same settings; each batch is committed to
it as soon as it is done, so a run stopped by Ctrl+C or a kill loses at most
the batches in progress, and the next run goes on from there.

Speed against quality (site.toml [translate], or --beam / --device): beam 4 is
Argos' default, beam 1 a draft several times faster. The beam is part of the
memory's key and is recorded in each English file, so that
`translate --redo-drafts` redoes untouched drafts at a higher beam later.

Provenance rules for content/en/<id>.md (front-matter `translation:`):
- `method: editorial` (a person's translation) is never overwritten; if the
  Chinese changed since (`source_hash`), it is reported as stale.
- `method: machine` whose text a person changed (it no longer matches
  `output_hash`) counts as a person's edit: kept, and reported if stale.
- `method: machine`, untouched, is redone when the Chinese changes, and, with
  --redo-drafts, when its `beam_size` is lower than the one asked for.
argostranslate (and torch under it) is imported only when there is
something to translate, so a render-only install never needs it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from briefing.config import Project, TranslationSettings, load_translation_settings
from briefing.content import article_to_markdown, escape_markdown, source_hash, write_text_atomic
from briefing.errors import ContentError, log, warn
from briefing.model import Article, Block
from briefing.protect import missing, protect
from briefing.text.markdown import plain_text

FROM, TO = "zh", "en"
INSTALL_HINT = "python build.py install-model (or --from-file PATH.argosmodel)"
EXTRA_HINT = 'pip install -e ".[translate]"'
# Sentences per model call: BATCH_ROWS // beam size, so that a call decodes about 64
# hypotheses whatever the beam (16 sentences at beam 4, 64 at beam 1). In the bench, 8 to
# 32 at beam 4 were within the noise of each other, 4 and 64 slower; Ctrl+C waits for the
# batches in progress, so no bigger.
BATCH_ROWS = 64
MAX_PARALLEL_BATCHES = 8
# English files are written after each round of about this many new sentences, so that a
# long run yields articles as it goes (the memory keeps every finished batch regardless).
ROUND_SENTENCES = 1000
DEFAULT_SETTINGS = TranslationSettings()

# A sentence ends at 。！？；… (or their ASCII twins), with closing quotes kept on it.
_SENTENCE = re.compile(r".+?(?:[。！？!?；;…]+[”’」』）)\"']*|$)", re.S)


def split_sentences(paragraph: str) -> list[str]:
    """Chinese sentences of a paragraph; needs no model download (Argos' default splitter does)."""
    return [s.strip() for s in _SENTENCE.findall(paragraph) if s.strip()]


# --- the model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    """An installed zh->en Argos package."""

    name: str
    version: str
    path: Path
    target_prefix: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}".strip()


def argos_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("argostranslate")
    except Exception:
        return None


def find_model() -> Model | None:
    """The installed zh->en package, or None (also when argostranslate is not installed)."""
    try:
        import argostranslate.package as package
    except ImportError:
        return None
    for pkg in package.get_installed_packages():
        if pkg.type == "translate" and pkg.from_code == FROM and pkg.to_code == TO:
            name = pkg.package_path.name
            return Model(name, pkg.package_version, pkg.package_path, pkg.target_prefix)
    return None


def install_model(from_file: Path | None = None) -> Model:
    """Install zh->en from a local .argosmodel file, or from the Argos index (online)."""
    try:
        import argostranslate.package as package
    except ImportError:
        raise ContentError("argostranslate", f"not installed: {EXTRA_HINT}") from None
    if from_file is not None:
        if not from_file.is_file():
            raise ContentError(from_file, "no such file")
        try:
            package.install_from_path(from_file)
        except Exception as exc:  # Argos raises bare Exception for a bad archive
            raise ContentError(from_file, f"not an Argos model package: {exc}") from None
    else:
        from argostranslate import settings

        package.update_package_index()  # Argos logs and swallows a download failure
        if not Path(settings.local_package_index).exists():
            # (and get_available_packages() would then recurse until RecursionError)
            raise ContentError("Argos package index", "cannot be read (offline?)")
        try:
            available = [
                p
                for p in package.get_available_packages()
                if p.from_code == FROM and p.to_code == TO
            ]
        except Exception as exc:
            raise ContentError("Argos package index", f"cannot be read (offline?): {exc}") from None
        if not available:
            raise ContentError("Argos package index", "has no zh->en package")
        package.install_from_path(available[0].download())
    model = find_model()
    if model is None:
        raise ContentError(
            from_file or "Argos package index", "installed, but no zh->en model found"
        )
    return model


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
            raise ContentError("device cuda", f"{seen}; use --device cpu (or auto)")
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


# --- the translation memory ------------------------------------------------------------------


class Memory:
    """Translation memory: (model, decoding, source sentence) -> translation, in SQLite.

    The decoding settings are part of the key, so that a fast draft (beam 1) is
    never served where a full-quality translation (beam 4) is asked for. Each
    batch is committed as soon as it is translated: a run that is stopped keeps
    all it did. The memory also keeps how fast past runs went, for estimates.
    """

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._open(path)
        except sqlite3.DatabaseError as exc:
            # A cache is safe to lose: set the damaged file aside and start a new one.
            damaged = path.with_suffix(".damaged")
            os.replace(path, damaged)
            warn(
                path.name,
                f"translation memory unreadable ({exc}); moved to {damaged.name}, starting afresh",
            )
            self.db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        with db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS sentences (model TEXT, decoding TEXT, source TEXT, "
                "target TEXT, PRIMARY KEY (model, decoding, source))"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS speed (model TEXT, decoding TEXT, device TEXT, "
                "sentences INTEGER, seconds REAL, PRIMARY KEY (model, decoding, device))"
            )
            old = db.execute("SELECT name FROM sqlite_master WHERE name = 'memory'").fetchone()
            if old:
                # Made before decoding settings were part of the key, always with Argos'
                # default beam of 4.
                db.execute(
                    "INSERT OR IGNORE INTO sentences "
                    f"SELECT model, '{decoding_label(4)}', source, target FROM memory"
                )
                db.execute("DROP TABLE memory")
        db.execute("SELECT count(*) FROM sentences").fetchone()
        return db

    def close(self) -> None:
        self.db.close()

    def get(self, key: tuple[str, str], sources: list[str]) -> dict[str, str]:
        """Known translations of `sources` under key (model, decoding)."""
        found = {}
        for start in range(0, len(sources), 500):
            chunk = sources[start : start + 500]
            rows = self.db.execute(
                "SELECT source, target FROM sentences WHERE model = ? AND decoding = ? AND "
                f"source IN ({','.join('?' * len(chunk))})",
                [*key, *chunk],
            )
            found.update(rows.fetchall())
        return found

    def put(
        self, key: tuple[str, str], pairs: dict[str, str], timing: tuple[str, float] | None = None
    ) -> None:
        """Keep translations under key (model, decoding), and with `timing` (device, seconds
        they took) add them to the speed of these settings; committed at once, so that a
        kill after this loses none of them."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO sentences VALUES (?, ?, ?, ?)",
                [(*key, s, t) for s, t in pairs.items()],
            )
            if timing:
                self.db.execute(
                    "INSERT INTO speed VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                    "sentences = sentences + excluded.sentences, "
                    "seconds = seconds + excluded.seconds",
                    (*key, timing[0], len(pairs), timing[1]),
                )

    def speed(self, key: tuple[str, str], device: str) -> float | None:
        """Sentences per second of earlier runs with these settings, if any ran."""
        row = self.db.execute(
            "SELECT sentences, seconds FROM speed WHERE model = ? AND decoding = ? AND device = ?",
            (*key, device),
        ).fetchone()
        return row[0] / row[1] if row and row[1] > 0 else None


# --- progress ---------------------------------------------------------------------------------


def duration(seconds: float) -> str:
    """'2 h 05 min', '14 min', '40 s': how long, as a person says it."""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


class Progress:
    """Sentences translated out of a total, with the time left.

    On a terminal, a tqdm bar on stderr (it estimates the time left from the rate
    so far); when stderr is not a terminal (a log file, CI), a plain log line
    every LOG_EVERY seconds instead; nothing with -q.
    """

    LOG_EVERY = 60.0
    BAR_DELAY = 1.0  # no bar for a run shorter than this

    def __init__(self, total: int):
        self.total, self.done = total, 0
        self.started = self.logged = time.monotonic()
        self.bar = None
        self.redirect = None
        if not log.isEnabledFor(logging.INFO):
            self.total = 0  # -q: silent
        elif sys.stderr.isatty():
            from tqdm import tqdm
            from tqdm.contrib.logging import logging_redirect_tqdm

            self.redirect = logging_redirect_tqdm(loggers=[log])  # warnings above the bar
            self.redirect.__enter__()
            self.bar = tqdm(
                total=total,
                desc="translating",
                unit=" sentences",
                delay=self.BAR_DELAY,
                file=sys.stderr,
            )

    def update(self, count: int) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
            return
        now = time.monotonic()
        if self.total and now - self.logged >= self.LOG_EVERY:
            self.logged = now
            rate = self.done / (now - self.started)
            log.info(
                "translating: %d of %d sentences, %.1f/s, about %s left",
                self.done,
                self.total,
                rate,
                duration((self.total - self.done) / rate),
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.redirect.__exit__(None, None, None)
            self.bar = None


# --- the stage -------------------------------------------------------------------------------


@dataclass
class TranslationReport:
    translated: list[str] = field(default_factory=list)  # ids written this build
    pending: list[str] = field(default_factory=list)  # no English and no model to make it
    stale: list[str] = field(default_factory=list)  # a person's English of an older Chinese text
    edited: list[str] = field(default_factory=list)  # machine English a person changed (kept)
    drafts: list[str] = field(default_factory=list)  # untouched machine English of a lower beam
    sentences: int = 0
    from_memory: int = 0
    model_calls: int = 0
    sentences_sent: int = 0


def output_hash(article: Article) -> str:
    """Fingerprint of an English text as written, to notice a person's edits."""
    return "sha256:" + hashlib.sha256(article.text.encode("utf-8")).hexdigest()


def plan(
    zh: list[Article],
    en: list[Article],
    report: TranslationReport,
    settings: TranslationSettings = DEFAULT_SETTINGS,
) -> list[Article]:
    """Which Chinese articles need a (new) machine translation; fills stale, edited, drafts."""
    english = {a.id: a for a in en}
    needed = []
    for article in zh:
        current = source_hash(article)
        version = english.get(article.id)
        if version is None:
            needed.append(article)
            continue
        info = version.extra.get("translation") or {}
        outdated = info.get("source_hash") != current
        if info.get("method") == "machine" and info.get("output_hash") == output_hash(version):
            # untouched machine output: safe to redo
            beam = info.get("beam_size")
            draft = isinstance(beam, int) and beam < settings.beam_size
            if draft:
                report.drafts.append(article.id)
            if outdated or (draft and settings.redo_drafts):
                needed.append(article)
        else:
            if info.get("method") == "machine":
                report.edited.append(article.id)
            if outdated:
                report.stale.append(article.id)
    return needed


def memory_path(project: Project) -> Path:
    return project.root / ".cache" / "translation-memory.sqlite"


def translate_stage(
    project: Project,
    zh: list[Article],
    en: list[Article],
    glossary: dict[str, str],
    settings: TranslationSettings | None = None,
) -> TranslationReport:
    """Give every Chinese article that needs one a machine translation, or report it pending."""
    if settings is None:
        settings = load_translation_settings(project.config_path)
    report = TranslationReport()
    needed = plan(zh, en, report, settings)
    for article_id in report.stale:
        warn(
            project.relative(project.lang_dir(TO) / f"{article_id}.md"),
            "stale: the Chinese article changed since this translation was made",
        )
    if report.drafts and not settings.redo_drafts:
        log.info(
            "drafts (machine English made at a lower beam than %d): %d; "
            "`python build.py translate --redo-drafts` redoes them",
            settings.beam_size,
            len(report.drafts),
        )
    if not needed:
        return report
    model = find_model()
    if model is None:
        report.pending = [a.id for a in needed]
        why = (
            "argostranslate is not installed"
            if argos_version() is None
            else "no zh->en model is installed"
        )
        log.warning(
            "%d articles have no English (%s): %s%s; they show as 'translation pending'. "
            "Install with: %s",
            len(needed),
            why,
            ", ".join(report.pending[:5]),
            " ..." if len(needed) > 5 else "",
            INSTALL_HINT if argos_version() else f"{EXTRA_HINT}, then {INSTALL_HINT}",
        )
        return report
    engine = Engine(model, settings)
    memory = Memory(memory_path(project))
    try:
        _translate_and_write(project, needed, glossary, engine, memory, report)
    finally:
        memory.close()
    log.info(
        "translated %d articles with %s at %s on %s: %d sentences, %d from memory, %d model calls",
        len(report.translated),
        model.label,
        engine.decoding,
        engine.device,
        report.sentences,
        report.from_memory,
        report.model_calls,
    )
    return report


@dataclass
class _Work:
    """One article to translate: its blocks as protected sentences, title first."""

    article: Article
    blocks: list[tuple[str, list[tuple[str, list[str]]]]]  # (kind, [(sentence, protected)])

    @property
    def sentences(self) -> list[str]:
        return [s for _, block in self.blocks for s, _ in block]


def _work(article: Article, glossary: dict[str, str]) -> _Work:
    blocks = [("title", article.title), *((b.kind, plain_text(b.text)) for b in article.blocks)]
    return _Work(
        article,
        [(kind, [protect(s, glossary) for s in split_sentences(text)]) for kind, text in blocks],
    )


def _translate_and_write(
    project: Project,
    needed: list[Article],
    glossary: dict[str, str],
    engine: Engine,
    memory: Memory,
    report: TranslationReport,
) -> None:
    """Translate what the memory lacks, a round of articles at a time, newest first; write
    each round's English files when the round is done."""
    # Readers see the newest articles first, so they get their English first.
    newest_first = sorted(needed, key=lambda a: (a.date or "", a.id), reverse=True)
    work = [_work(a, glossary) for a in newest_first]
    key = (engine.model.label, engine.decoding)
    sources = list(dict.fromkeys(s for w in work for s in w.sentences))
    known = memory.get(key, sources)
    report.sentences, report.from_memory = len(sources), len(known)
    waiting = len(sources) - len(known)
    if waiting:
        rate = memory.speed(key, engine.device)
        log.info(
            "%d new sentences to translate at %s on %s%s",
            waiting,
            engine.decoding,
            engine.device,
            f", about {duration(waiting / rate)} at {rate:.1f}/s" if rate else "",
        )
    progress = Progress(waiting)
    translated, last = 0, time.monotonic()
    try:
        for round_ in _rounds(work, known):
            todo = list(dict.fromkeys(s for w in round_ for s in w.sentences if s not in known))
            for batch in engine.batches(todo):
                now = time.monotonic()
                memory.put(key, batch, timing=(engine.device, now - last))
                last = now
                known.update(batch)
                translated += len(batch)
                progress.update(len(batch))
            for item in round_:
                _write_english(project, item, known, engine, report)
            last = time.monotonic()  # writing files is not the model's time
    except KeyboardInterrupt:
        log.warning(
            "interrupted: %d of %d new sentences translated and kept in %s; "
            "run again to continue from there",
            translated,
            waiting,
            project.relative(memory_path(project)),
        )
        raise
    finally:
        progress.close()
        report.model_calls, report.sentences_sent = engine.model_calls, engine.sentences_sent


def _rounds(work: list[_Work], known: dict[str, str]) -> Iterator[list[_Work]]:
    """Consecutive groups of articles with about ROUND_SENTENCES new sentences each."""
    round_: list[_Work] = []
    new: set[str] = set()
    for item in work:
        round_.append(item)
        new.update(s for s in item.sentences if s not in known)
        if len(new) >= ROUND_SENTENCES:
            yield round_
            round_, new = [], set()
    if round_:
        yield round_


def _write_english(
    project: Project, item: _Work, known: dict[str, str], engine: Engine, report: TranslationReport
) -> None:
    article = item.article
    english = english_version(item, known)
    english.extra["translation"] = {
        "method": "machine",
        "engine": f"argos-translate {argos_version()}",
        "model": engine.model.label,
        "beam_size": engine.beam_size,
        "source_hash": source_hash(article),
        "output_hash": output_hash(english),
        **({"warnings": english.warnings} if english.warnings else {}),
    }
    english.warnings = []
    english.path = project.lang_dir(TO) / f"{article.id}.md"
    write_text_atomic(english.path, article_to_markdown(english))
    report.translated.append(article.id)


def english_version(item: _Work, known: dict[str, str]) -> Article:
    """The English article made of the translations of its sentences, block by block."""
    article = item.article
    lost: list[str] = []
    texts = []
    for _, block in item.blocks:
        parts = []
        for sentence, values in block:
            parts.append(known[sentence])
            lost += missing(values, known[sentence])
        texts.append(" ".join(parts))
    title, *body = texts
    blocks = [
        Block(kind, escape_markdown(text))
        for (kind, _), text in zip(item.blocks[1:], body, strict=True)
    ]
    english = Article(id=article.id, lang=TO, title=title or article.title, blocks=blocks)
    if lost:
        english.warnings = [f"lost in translation: {', '.join(dict.fromkeys(lost))}"]
        warn(f"content/{FROM}/{article.id}.md", english.warnings[0])
    return english


# --- status and doctor -----------------------------------------------------------------------


def status_lines(
    project: Project,
    zh: list[Article],
    en: list[Article],
    glossary: dict[str, str],
    settings: TranslationSettings,
) -> list[str]:
    """What `python build.py status` prints: missing, stale, edited and draft translations,
    and how long the waiting ones would take at these settings."""
    report = TranslationReport()
    needed = plan(zh, en, report, settings)
    english = {a.id: a for a in en}
    lines = []
    for article in needed:
        state = "missing" if article.id not in english else "outdated machine translation"
        lines.append(f"{state}: content/{TO}/{article.id}.md ({article.title})")
    for article_id in report.drafts:
        beam = english[article_id].extra["translation"]["beam_size"]
        lines.append(
            f"draft (beam {beam}, below {settings.beam_size}): content/{TO}/{article_id}.md"
        )
    for article_id in report.stale:
        lines.append(f"stale: content/{TO}/{article_id}.md (the Chinese changed since)")
    for article_id in report.edited:
        lines.append(f"edited by a person (kept): content/{TO}/{article_id}.md")
    drafts = [a for a in zh if a.id in set(report.drafts)]
    if needed or drafts:
        estimate = Estimate(project, settings)
        if needed:
            lines.append(f"waiting: {estimate.of(needed, glossary)}")
        if drafts:
            lines.append(
                f"redoing the drafts (python build.py translate --redo-drafts): "
                f"{estimate.of(drafts, glossary)}"
            )
    return lines


# Sentences/s by beam size when no run has measured them yet: about what
# bench/translate_bench.py measured for a model of the size of Argos' zh->en on 2 CPU
# cores (see the README); a beam above 4 is taken to cost in proportion.
DEFAULT_RATES = {1: 16.0, 4: 5.0}


class Estimate:
    """How many sentences of some articles wait for the model, and how long they'd take."""

    def __init__(self, project: Project, settings: TranslationSettings):
        self.model = find_model()
        self.memory_path = memory_path(project)
        self.decoding = decoding_label(settings.beam_size)
        self.device = choose_device(settings.device)[0]
        self.beam_size = settings.beam_size

    def of(self, articles: list[Article], glossary: dict[str, str]) -> str:
        sources = list(dict.fromkeys(s for a in articles for s in _work(a, glossary).sentences))
        known, rate = {}, None
        if self.model and self.memory_path.exists():
            memory = Memory(self.memory_path)
            key = (self.model.label, self.decoding)
            known, rate = memory.get(key, sources), memory.speed(key, self.device)
            memory.close()
        waiting = len(sources) - len(known)
        counted = f"{waiting} sentences to translate in {len(articles)} articles"
        if not waiting:
            return f"{counted} (all in the translation memory)"
        if self.model is None:
            return f"{counted} (no zh->en model installed)"
        if rate:
            how = f"{rate:.1f} sentences/s, measured in earlier runs"
        else:
            rate = (
                DEFAULT_RATES[1]
                if self.beam_size == 1
                else DEFAULT_RATES[4] * 4 / max(4, self.beam_size)
            )
            how = (
                f"assuming {rate:.1f} sentences/s: no run at these settings yet, and that is "
                "what a base-size model does on 2 CPU cores"
            )
        return (
            f"{counted}: about {duration(waiting / rate)} at {self.decoding} on {self.device} "
            f"({how})"
        )


def doctor_lines(settings: TranslationSettings) -> list[str]:
    """What `python build.py doctor` prints about translation."""
    version = argos_version()
    if version is None:
        return [f"argostranslate: not installed ({EXTRA_HINT})", "zh->en model: -"]
    from argostranslate import settings as argos

    model = find_model()
    lines = [
        f"argostranslate: {version} (packages in {argos.package_data_dir})",
        f"zh->en model: {model.label} at {model.path}"
        if model
        else f"zh->en model: not installed ({INSTALL_HINT})",
    ]
    try:
        device, why = choose_device(settings.device)
    except ContentError as exc:
        lines.append(f"device: none usable: {exc}")
    else:
        lines.append(f"device: {device} ({why})")
        if device == "cpu":
            inter, intra = cpu_threads(cpu_cores())
            lines.append(
                f"CPU cores: {cpu_cores()} ({inter} batches at once, {intra} "
                f"{'core' if intra == 1 else 'cores'} each)"
            )
    quality = (
        "Argos' default"
        if settings.beam_size == 4
        else "a fast draft"
        if settings.beam_size == 1
        else ""
    )
    lines.append(
        f"decoding: {decoding_label(settings.beam_size)}" + (f" ({quality})" if quality else "")
    )
    return lines
