"""What `status` and `doctor` say about translation: what waits, and how long it will take."""

from __future__ import annotations

from briefing.config import Project, TranslationSettings
from briefing.errors import InputError
from briefing.model import Article
from briefing.progress import duration
from briefing.review import translation_warnings
from briefing.translate.engine import choose_device, cpu_cores, cpu_threads, decoding_label
from briefing.translate.memory import Memory
from briefing.translate.model import EXTRA_HINT, INSTALL_HINT, TO, argos_version, find_model
from briefing.translate.stage import TranslationReport, memory_path, plan, work_for

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
        lines.append(
            f"stale: content/{TO}/{article_id}.md (the Chinese changed since; published with a "
            f"notice until a person checks it: python build.py reviewed {article_id})"
        )
    for article_id in report.edited:
        lines.append(f"edited by a person (kept): content/{TO}/{article_id}.md")
    for article in zh:
        lost = translation_warnings(english.get(article.id))
        if lost:
            lines.append(
                f"needs review: content/{TO}/{article.id}.md ({'; '.join(lost)}; "
                f"python build.py reviewed {article.id} once checked)"
            )
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
        sources = list(dict.fromkeys(s for a in articles for s in work_for(a, glossary).sentences))
        known, rate = {}, None
        if self.model and self.memory_path.exists():
            memory = Memory(self.memory_path)
            key = (self.model.label, self.decoding)
            known, rate = memory.get(key, sources), memory.speed(key, self.device)
            memory.close()
        waiting = len(sources) - len(known)
        counted = (
            f"{_count(waiting, 'sentence')} to translate in {_count(len(articles), 'article')}"
        )
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


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


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
    except InputError as exc:
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
