"""Which raw files become articles, and writing them without losing a person's edits.

How one page is read lives in reader.py; this module decides which raw files
to read and makes sure no article a person may have edited is replaced.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from briefing.config import Project
from briefing.content import article_to_markdown, write_text_atomic
from briefing.decoding import decode_bytes
from briefing.errors import ContentError, log, warn
from briefing.ingest.html import HTML_SUFFIXES, read_html_page
from briefing.ingest.page import DROPPED
from briefing.ingest.reader import CleanPage, IngestError, read_page
from briefing.model import Article


@dataclass
class IngestReport:
    written: list[Article] = field(default_factory=list)
    already: int = 0  # raw files ingested by an earlier build
    failed: int = 0


def ingest_raw_files(
    project: Project,
    existing: list[Article],
    reingest: bool = False,
    only: set[Path] | None = None,
) -> IngestReport:
    """Ingest every raw file that has no article yet (or, with `reingest`, redo them).

    Raw files are only read. An article file that exists is never replaced
    unless `reingest` asks for it, and then a changed one is kept as `.md.bak`.
    """
    report = IngestReport()
    by_original: dict[str, list[Article]] = {}
    by_id = {article.id: article for article in existing}
    for article in existing:
        if article.original:
            by_original.setdefault(article.original, []).append(article)
    for path in raw_files(project):
        if only is not None and path.resolve() not in only:
            continue
        original = path.relative_to(project.content_dir).as_posix()
        shown = project.relative(path)
        try:
            data = _read_raw_bytes(project, path)
        except ContentError as exc:
            log.error("%s: %s", shown, exc.message)
            report.failed += 1
            continue
        sha = hashlib.sha256(data).hexdigest()
        earlier = by_original.get(original, [])
        if earlier and not reingest:
            report.already += 1
            if any(a.original_sha256 and a.original_sha256 != sha for a in earlier):
                warn(
                    shown,
                    f"changed since it was ingested into {project.relative(earlier[0].path)}; "
                    f"the article was kept (python build.py ingest --reingest {shown} redoes it)",
                )
            continue
        try:
            page = read_raw_page(data, original, sha, shown)
        except (ContentError, IngestError) as exc:
            log.error("%s: %s", shown, getattr(exc, "message", exc))
            report.failed += 1
            continue
        for line in page.lines:
            if line.role in DROPPED:
                log.debug("%s:%d: %s: %s", shown, line.number, line.role.value, line.text[:50])
        for note in page.notes:
            warn(shown, note)
        ours = {a.id for a in earlier}
        for article in page.articles:
            clash = by_id.get(article.id)
            if clash is not None and article.id not in ours:
                log.error(
                    "%s: its article id %s is already used by %s (from %s); not ingested",
                    shown,
                    article.id,
                    project.relative(clash.path),
                    clash.original or "a Markdown file",
                )
                report.failed += 1
                continue
            article.path = project.lang_dir("zh") / f"{article.id}.md"
            _write_ingested(project, article)
            by_id[article.id] = article
            report.written.append(article)
    return report


RAW_SUFFIXES = (".txt", *HTML_SUFFIXES)


def raw_files(project: Project) -> list[Path]:
    """The pages in content/raw/: scraped text (.txt) and saved web pages (.html, .htm).
    Anything else there is named once, so that it is not silently ignored."""
    if not project.raw_dir.is_dir():
        return []
    found = []
    for path in sorted(project.raw_dir.iterdir()):
        if path.suffix.lower() in RAW_SUFFIXES:
            found.append(path)
        elif not path.name.startswith(".") and path.is_file():
            warn(
                project.relative(path), "not a page ingest reads (.txt, .html or .htm); left alone"
            )
    return found


def read_raw_page(data: bytes, original: str, sha: str, shown: str) -> CleanPage:
    """One raw page, read by the reader for its kind: text, or a saved web page."""
    if original.lower().endswith(HTML_SUFFIXES):
        return read_html_page(data, original, sha)
    return read_page(decode_bytes(data, shown), original, sha)


def _read_raw_bytes(project: Project, path: Path) -> bytes:
    real = path.resolve()
    if not real.is_relative_to(project.content_dir.resolve()):
        raise ContentError(path, "is a link to a file outside content/; not read")
    if not real.is_file():
        raise ContentError(path, "is not a regular file")
    return real.read_bytes()


def _write_ingested(project: Project, article: Article) -> None:
    text = article_to_markdown(article)
    path = article.path
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if old == text:
            return
        backup = _free_backup_name(path)
        write_text_atomic(backup, old)
        log.warning(
            "%s: replaced by re-ingest; the previous version is in %s",
            project.relative(path),
            project.relative(backup),
        )
    write_text_atomic(path, text)
    log.info("ingested %s -> %s", article.original, project.relative(path))


def _free_backup_name(path: Path) -> Path:
    """<id>.md.bak, or .md.bak2, .md.bak3 ...: a second re-ingest never overwrites a first backup."""
    backup, number = path.with_suffix(".md.bak"), 1
    while backup.exists():
        number += 1
        backup = path.with_suffix(f".md.bak{number}")
    return backup
