"""The translate stage: which Chinese articles need English, and writing it without
overwriting a person's translation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.config import Project, TranslationSettings, load_translation_settings
from briefing.content import article_to_markdown, escape_markdown, source_hash
from briefing.errors import log, warn
from briefing.files import write_atomic
from briefing.model import Article, Block
from briefing.progress import Progress, duration
from briefing.text.markdown import plain_text
from briefing.translate.model import EXTRA_HINT, FROM, INSTALL_HINT, TO, argos_version, find_model

if TYPE_CHECKING:
    from briefing.translate.engine import Engine
    from briefing.translate.memory import Memory

# (The engine, the memory and the protection of names are imported where an article is
# translated: every build plans, few translate, and an editor's build that adds an
# article spent 3 ms importing them.)

# English files are written after each round of about this many new sentences, so that a
# long run yields articles as it goes (the memory keeps every finished batch regardless).
ROUND_SENTENCES = 1000

# --- the stage -------------------------------------------------------------------------------


@dataclass
class TranslationReport:
    translated: list[str] = field(default_factory=list)  # ids written this build
    pending: list[str] = field(default_factory=list)  # need machine English, no model to make it
    stale: list[str] = field(default_factory=list)  # a person's English of an older Chinese text
    edited: list[str] = field(default_factory=list)  # machine English a person changed (kept)
    drafts: list[str] = field(default_factory=list)  # untouched machine English of a lower beam
    sentences: int = 0
    from_memory: int = 0
    model_calls: int = 0
    sentences_sent: int = 0


def output_hash(article: Article) -> str:
    """Fingerprint of an English text as written, to notice a person's edits (its text's
    digest: worked out once when the file is read, kept with it in the read cache; every
    build compares it for every machine translation)."""
    return "sha256:" + article.text_digest


def plan(
    zh: list[Article],
    en: list[Article],
    report: TranslationReport,
    settings: TranslationSettings | None = None,
) -> list[Article]:
    """Which Chinese articles need a (new) machine translation; fills stale, edited, drafts."""
    settings = settings or TranslationSettings()
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
        untouched = info.get("method") == "machine" and info.get("output_hash") == output_hash(
            version
        )
        if untouched and not info.get("reviewed_by"):
            # untouched machine output that no person vouched for: safe to redo
            beam = info.get("beam_size")
            draft = isinstance(beam, int) and beam < settings.beam_size
            if draft:
                report.drafts.append(article.id)
            if outdated or (draft and settings.redo_drafts):
                needed.append(article)
        else:
            if info.get("method") == "machine" and not untouched:
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
    # Work waiting for a person, said but not warned about: a --strict build (a deploy) is
    # not held up by it (review.py).
    for article_id in report.stale:
        log.info(
            "%s: stale: the Chinese article changed since this translation was made; "
            "published with a notice until `python build.py reviewed %s`",
            project.relative(project.lang_dir(TO) / f"{article_id}.md"),
            article_id,
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
        have_english = {a.id for a in en}
        missing = sum(1 for a in needed if a.id not in have_english)
        waiting = [
            f"{missing} {'article has' if missing == 1 else 'articles have'} no English "
            "(shown as 'translation pending')"
            if missing
            else "",
            f"{len(needed) - missing} machine translations of an older Chinese text wait to "
            "be redone (published with a notice)"
            if len(needed) > missing
            else "",
        ]
        log.info(
            "%s; %s: %s%s. Install with: %s",
            " and ".join(w for w in waiting if w),
            why,
            ", ".join(report.pending[:5]),
            " ..." if len(needed) > 5 else "",
            INSTALL_HINT if argos_version() else f"{EXTRA_HINT}, then {INSTALL_HINT}",
        )
        return report
    from briefing.translate.engine import Engine
    from briefing.translate.memory import Memory

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
class ArticleWork:
    """One article to translate: its blocks as protected sentences, title first."""

    article: Article
    blocks: list[tuple[str, list[tuple[str, list[str]]]]]  # (kind, [(sentence, protected)])

    @property
    def sentences(self) -> list[str]:
        return [s for _, block in self.blocks for s, _ in block]


def work_for(article: Article, glossary: dict[str, str]) -> ArticleWork:
    from briefing.translate.engine import split_sentences
    from briefing.translate.protect import protect

    blocks = [("title", article.title), *((b.kind, plain_text(b.text)) for b in article.blocks)]
    return ArticleWork(
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
    work = [work_for(a, glossary) for a in newest_first]
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


def _rounds(work: list[ArticleWork], known: dict[str, str]) -> Iterator[list[ArticleWork]]:
    """Consecutive groups of articles with about ROUND_SENTENCES new sentences each."""
    round_: list[ArticleWork] = []
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
    project: Project,
    item: ArticleWork,
    known: dict[str, str],
    engine: Engine,
    report: TranslationReport,
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
    write_atomic(english.path, article_to_markdown(english))
    report.translated.append(article.id)


def english_version(item: ArticleWork, known: dict[str, str]) -> Article:
    """The English article made of the translations of its sentences, block by block."""
    from briefing.translate.protect import missing

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
        Block(kind, escape_markdown(text))  # type: ignore[arg-type]  # "paragraph" or "heading"
        for (kind, _), text in zip(item.blocks[1:], body, strict=True)
    ]
    english = Article(id=article.id, lang=TO, title=title or article.title, blocks=blocks)
    if lost:
        english.warnings = [f"lost in translation: {', '.join(dict.fromkeys(lost))}"]
        warn(f"content/{FROM}/{article.id}.md", english.warnings[0])
    return english
