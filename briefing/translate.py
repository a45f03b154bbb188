"""Translate: Chinese articles -> English counterparts in content/en, offline, with Argos Translate.

The model is an Argos Translate package (installed with Argos' own package
API). Instead of Argos' per-paragraph `translate()`, every sentence of a
build that needs translating goes to the package's CTranslate2 model in
batches, tokenized with the package's own SentencePiece tokenizer and with
Argos' decoding options, so the output is the same, faster. A translation
memory (SQLite, in .cache/) means a sentence is never sent to the model twice.

Provenance rules for content/en/<id>.md (front-matter `translation:`):
- `method: editorial` (a person's translation) is never overwritten; if the
  Chinese changed since (`source_hash`), it is reported as stale.
- `method: machine` whose text a person changed (it no longer matches
  `output_hash`) counts as a person's edit: kept, and reported if stale.
- `method: machine`, untouched, is redone when the Chinese changes.
argostranslate (and torch under it) is imported only when there is
something to translate, so a render-only install never needs it.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from briefing.config import Project
from briefing.content import article_to_markdown, escape_markdown, source_hash, write_text_atomic
from briefing.errors import ContentError, log, warn
from briefing.model import Article, Block
from briefing.protect import missing, protect
from briefing.text.markdown import plain_text

FROM, TO = "zh", "en"
INSTALL_HINT = "python build.py install-model (or --from-file PATH.argosmodel)"
EXTRA_HINT = 'pip install -e ".[translate]"'

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


class Engine:
    """Batched sentence translation with a package's CTranslate2 model and tokenizer."""

    def __init__(self, model: Model):
        import ctranslate2
        from argostranslate import settings
        from argostranslate.tokenizer import SentencePieceTokenizer

        self.model = model
        self.tokenizer = SentencePieceTokenizer(model.path / "sentencepiece.model")
        self.beam_size = settings.beam_size
        self.translator = ctranslate2.Translator(
            str(model.path / "model"),
            device="cpu",
            compute_type=settings.compute_type,
            inter_threads=1,
            intra_threads=os.cpu_count() or 0,
        )
        self.model_calls = 0  # translate_batch calls
        self.sentences_sent = 0

    def translate(self, sentences: list[str]) -> list[str]:
        """Translations of `sentences`, in order, with Argos' own decoding options."""
        if not sentences:
            return []
        tokens = [self.tokenizer.encode(s) for s in sentences]
        prefix = [[self.model.target_prefix]] * len(tokens) if self.model.target_prefix else None
        results = self.translator.translate_batch(
            tokens,
            target_prefix=prefix,
            replace_unknowns=True,
            max_batch_size=64,
            batch_type="examples",
            beam_size=self.beam_size,
            num_hypotheses=1,
            length_penalty=0.2,
            return_scores=True,
        )
        self.model_calls += 1
        self.sentences_sent += len(sentences)
        return [self._decode(r.hypotheses[0]) for r in results]

    def _decode(self, tokens: list[str]) -> str:
        # As argostranslate.translate.apply_packaged_translation does.
        value = self.tokenizer.decode(tokens)
        prefix = self.model.target_prefix
        if prefix and value.startswith(prefix):
            value = value[len(prefix) :]
        return value[1:] if value.startswith(" ") else value


class Memory:
    """Translation memory: (model, source sentence) -> translation, in SQLite."""

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
        db.execute(
            "CREATE TABLE IF NOT EXISTS memory (model TEXT, source TEXT, target TEXT, "
            "PRIMARY KEY (model, source))"
        )
        db.execute("SELECT count(*) FROM memory").fetchone()
        return db

    def get(self, model: str, sources: list[str]) -> dict[str, str]:
        found = {}
        for start in range(0, len(sources), 500):
            chunk = sources[start : start + 500]
            rows = self.db.execute(
                f"SELECT source, target FROM memory WHERE model = ? AND source IN "
                f"({','.join('?' * len(chunk))})",
                [model, *chunk],
            )
            found.update(rows.fetchall())
        return found

    def put(self, model: str, pairs: dict[str, str]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO memory VALUES (?, ?, ?)",
                [(model, s, t) for s, t in pairs.items()],
            )


# --- the stage -------------------------------------------------------------------------------


@dataclass
class TranslationReport:
    translated: list[str] = field(default_factory=list)  # ids written this build
    pending: list[str] = field(default_factory=list)  # no English and no model to make it
    stale: list[str] = field(default_factory=list)  # a person's English of an older Chinese text
    edited: list[str] = field(default_factory=list)  # machine English a person changed (kept)
    sentences: int = 0
    from_memory: int = 0
    model_calls: int = 0


def output_hash(article: Article) -> str:
    """Fingerprint of an English text as written, to notice a person's edits."""
    return "sha256:" + hashlib.sha256(article.text.encode("utf-8")).hexdigest()


def plan(zh: list[Article], en: list[Article], report: TranslationReport) -> list[Article]:
    """Which Chinese articles need a (new) machine translation; fills stale and edited."""
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
            if outdated:
                needed.append(article)  # untouched machine output: safe to redo
        else:
            if info.get("method") == "machine":
                report.edited.append(article.id)
            if outdated:
                report.stale.append(article.id)
    return needed


def translate_stage(
    project: Project, zh: list[Article], en: list[Article], glossary: dict[str, str]
) -> TranslationReport:
    """Give every Chinese article that needs one a machine translation, or report it pending."""
    report = TranslationReport()
    needed = plan(zh, en, report)
    for article_id in report.stale:
        warn(
            project.relative(project.lang_dir(TO) / f"{article_id}.md"),
            "stale: the Chinese article changed since this translation was made",
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
    engine = Engine(model)
    memory = Memory(project.root / ".cache" / "translation-memory.sqlite")
    engine_label = f"argos-translate {argos_version()}"
    for article, english in zip(
        needed, translate_articles(needed, glossary, engine, memory, report), strict=True
    ):
        english.extra["translation"] = {
            "method": "machine",
            "engine": engine_label,
            "model": model.label,
            "source_hash": source_hash(article),
            "output_hash": output_hash(english),
            **({"warnings": english.warnings} if english.warnings else {}),
        }
        english.warnings = []
        english.path = project.lang_dir(TO) / f"{article.id}.md"
        write_text_atomic(english.path, article_to_markdown(english))
        report.translated.append(article.id)
    report.model_calls = engine.model_calls
    log.info(
        "translated %d articles with %s: %d sentences, %d from memory, %d model calls",
        len(report.translated),
        model.label,
        report.sentences,
        report.from_memory,
        report.model_calls,
    )
    return report


def translate_articles(
    articles: list[Article],
    glossary: dict[str, str],
    engine: Engine,
    memory: Memory,
    report: TranslationReport,
) -> list[Article]:
    """English versions of `articles`: every sentence of all of them in one batched pass."""
    # Each block -> protected sentences; all sentences translated together.
    layout = []  # per article: [(kind, [(sentence, protected values)])] with the title first
    for article in articles:
        blocks = [("title", article.title), *((b.kind, plain_text(b.text)) for b in article.blocks)]
        layout.append(
            [(kind, [protect(s, glossary) for s in split_sentences(text)]) for kind, text in blocks]
        )
    sources = list(dict.fromkeys(s for art in layout for _, block in art for s, _ in block))
    report.sentences += len(sources)
    known = memory.get(engine.model.label, sources)
    report.from_memory += len(known)
    todo = [s for s in sources if s not in known]
    fresh = dict(zip(todo, engine.translate(todo), strict=True))
    memory.put(engine.model.label, fresh)
    known.update(fresh)
    results = []
    for article, art in zip(articles, layout, strict=True):
        lost: list[str] = []
        texts = []
        for _, block in art:
            parts = []
            for sentence, values in block:
                parts.append(known[sentence])
                lost += missing(values, known[sentence])
            texts.append(" ".join(parts))
        title, *body = texts
        blocks = [
            Block(kind, escape_markdown(text))
            for (kind, _), text in zip(art[1:], body, strict=True)
        ]
        english = Article(id=article.id, lang=TO, title=title or article.title, blocks=blocks)
        if lost:
            english.warnings = [f"lost in translation: {', '.join(dict.fromkeys(lost))}"]
            warn(f"content/{FROM}/{article.id}.md", english.warnings[0])
        results.append(english)
    return results


def status_lines(project: Project, zh: list[Article], en: list[Article]) -> list[str]:
    """What `python build.py status` prints: missing, stale and edited translations."""
    report = TranslationReport()
    needed = plan(zh, en, report)
    english = {a.id for a in en}
    lines = []
    for article in needed:
        state = "missing" if article.id not in english else "outdated machine translation"
        lines.append(f"{state}: content/{TO}/{article.id}.md ({article.title})")
    for article_id in report.stale:
        lines.append(f"stale: content/{TO}/{article_id}.md (the Chinese changed since)")
    for article_id in report.edited:
        lines.append(f"edited by a person (kept): content/{TO}/{article_id}.md")
    return lines


def doctor_lines() -> list[str]:
    """What `python build.py doctor` prints about translation."""
    version = argos_version()
    if version is None:
        return [f"argostranslate: not installed ({EXTRA_HINT})", "zh->en model: -"]
    from argostranslate import settings

    model = find_model()
    return [
        f"argostranslate: {version} (packages in {settings.package_data_dir})",
        f"zh->en model: {model.label} at {model.path}"
        if model
        else f"zh->en model: not installed ({INSTALL_HINT})",
    ]
