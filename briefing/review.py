"""What waits for a person: the state of each article's English (`list`), the notice on a
translation of an older Chinese text, and marking a translation reviewed (`reviewed`).

Work waiting for a translator or a reviewer (English pending, stale, a name the
machine lost, a page ingest was unsure of) is said and listed, never a warning: a
`--strict` build (Netlify's) fails on errors and broken output only, and a stale
translation is published with a notice saying since when the Chinese differs.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass, field

from briefing.config import Project
from briefing.content import checked_id, read_article, source_hash, update_front_matter
from briefing.errors import BriefingError, InputError
from briefing.inputs import exists
from briefing.model import ENGLISH_STATES, NEEDS_REVIEW, Article


def english_state(zh: Article, en: Article | None) -> str:
    """One of ENGLISH_STATES: how the English of an article stands against its Chinese."""
    if en is None:
        return "pending"
    info = translation_info(en)
    if info.get("source_hash") != source_hash(zh):
        return "stale"
    if info.get("reviewed_by"):
        return "reviewed"
    if info.get("method") == "machine":
        from briefing.translate.stage import output_hash  # argostranslate is not imported

        return "machine" if info.get("output_hash") == output_hash(en) else "edited"
    return "editorial"


def translation_info(en: Article) -> dict:
    """The English file's `translation:` provenance (empty when it has none)."""
    info = en.extra.get("translation")
    return info if isinstance(info, dict) else {}


def translation_warnings(en: Article | None) -> list[str]:
    """What the machine English lost (`translation: warnings:`), until a person clears it."""
    return list(translation_info(en).get("warnings") or []) if en else []


def outdated_since(zh: Article, en: Article | None) -> str | None:
    """For English made from an older Chinese text: the day the Chinese file last changed
    (ISO), which the English page's notice gives; None when the English is current.

    The day is the file's modification time on the machine that builds: the editor's
    own, or for a fresh clone (a hosting service's build) the day of the checkout."""
    if en is None or translation_info(en).get("source_hash") == source_hash(zh):
        return None
    try:
        changed = zh.file.stat().st_mtime
    except (OSError, ValueError):  # an article in memory, or gone since it was read
        return dt.date.today().isoformat()
    return dt.date.fromtimestamp(changed).isoformat()


@dataclass
class ArticleState:
    """One article as `list` shows it."""

    id: str
    date: str | None
    title: str  # the Chinese title
    english_title: str | None
    english: str  # one of ENGLISH_STATES
    notes: list[str] = field(default_factory=list)  # what a person should look at

    @property
    def states(self) -> set[str]:
        return {self.english, NEEDS_REVIEW} if self.notes else {self.english}

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "date": self.date,
            "title": self.title,
            "english_title": self.english_title,
            "english": self.english,
            "needs_review": self.notes,
        }


def article_states(zh: list[Article], en: list[Article]) -> list[ArticleState]:
    """Every Chinese article's state, newest first (undated last, then by id)."""
    english = {a.id: a for a in en}
    states = []
    for article in sorted(zh, key=lambda a: a.id):
        version = english.get(article.id)
        notes = [f"ingest: {note}" for note in article.review]
        notes += [f"translation: {note}" for note in translation_warnings(version)]
        states.append(
            ArticleState(
                id=article.id,
                date=article.date,
                title=article.title,
                english_title=version.title if version else None,
                english=english_state(article, version),
                notes=notes,
            )
        )
    states.sort(key=lambda s: s.date or "", reverse=True)
    return states


def state_lines(states: list[ArticleState]) -> list[str]:
    """The table `list` prints: id, date, English state, title; notes indented below."""
    width = max((len(s.id) for s in states), default=0)
    lines = []
    for state in states:
        date = state.date[:10] if state.date else "undated"
        lines.append(f"{state.id:<{width}}  {date:<10}  {state.english:<9}  {state.title}")
        lines += [f"{'':<{width}}  {NEEDS_REVIEW}: {note}" for note in state.notes]
    return lines


def state_summary(states: list[ArticleState]) -> str:
    """'6 articles: 4 editorial, 1 machine, 1 pending; 2 need review'."""
    counts = {name: sum(1 for s in states if s.english == name) for name in ENGLISH_STATES}
    parts = [f"{n} {name}" for name, n in counts.items() if n]
    doubtful = sum(1 for s in states if s.notes)
    noun = "article" if len(states) == 1 else "articles"
    text = f"{len(states)} {noun}" + (f": {', '.join(parts)}" if parts else "")
    if doubtful:
        text += f"; {doubtful} {'needs' if doubtful == 1 else 'need'} review"
    return text


# --- marking a translation reviewed ---------------------------------------------------------


def reviewer_name(project: Project) -> str:
    """Who is reviewing, when --by does not say: git's user.name, else the login name."""
    import subprocess  # (here: every build imports this module, and only this runs git)

    try:
        found = subprocess.run(
            ["git", "config", "user.name"],
            cwd=project.root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    if found:
        return found
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER, LOGNAME, ... and no passwd entry
        raise BriefingError("reviewed", "who reviewed? say it with --by NAME") from None


def mark_reviewed(project: Project, article_id: str, by: str) -> str:
    """A person checked the English of an article against its Chinese as it is now: its
    provenance becomes current (source_hash) and says who and when; what the machine
    lost is cleared. Only the front-matter changes: the text is kept to the byte.
    Returns what was done, in words."""
    checked_id(article_id)
    zh_path = project.lang_dir("zh") / f"{article_id}.md"
    en_path = project.lang_dir("en") / f"{article_id}.md"
    if not exists(zh_path):
        raise InputError(project.relative(zh_path), f"no Chinese article with the id {article_id}")
    if not exists(en_path):
        raise InputError(
            project.relative(en_path),
            "no English translation to review (`python build.py translate` makes one)",
        )
    current = source_hash(read_article(zh_path, "zh", within=project.content_dir))

    def reviewed(meta: dict) -> None:
        info = meta.get("translation")
        # An English file without provenance is a person's translation.
        info = dict(info) if isinstance(info, dict) else {"method": "editorial"}
        info.pop("warnings", None)
        info.update(source_hash=current, reviewed_by=by, reviewed_at=dt.date.today().isoformat())
        meta["translation"] = info

    update_front_matter(en_path, "en", project.content_dir, reviewed)
    return f"{project.relative(en_path)}: reviewed by {by}, current with the Chinese"


def mark_ingest_reviewed(project: Project, article_id: str) -> str:
    """A person checked what ingest was unsure of in a Chinese article (and fixed it): its
    `review:` notes are cleared, nothing else changes. Returns what was done, in words."""
    checked_id(article_id)
    zh_path = project.lang_dir("zh") / f"{article_id}.md"
    if not exists(zh_path):
        raise InputError(project.relative(zh_path), f"no Chinese article with the id {article_id}")
    if not read_article(zh_path, "zh", within=project.content_dir).review:
        return f"{project.relative(zh_path)}: no review notes to clear"
    update_front_matter(zh_path, "zh", project.content_dir, lambda meta: meta.pop("review"))
    return f"{project.relative(zh_path)}: ingest's review notes cleared"
