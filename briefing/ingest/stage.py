"""Which raw files become articles, and writing them without losing a person's edits.

How one page is read lives in reader.py; this module decides which raw files
to read and makes sure no article a person may have edited is replaced.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.config import Project
from briefing.content import article_to_markdown
from briefing.errors import InputError, log, warn
from briefing.files import write_atomic
from briefing.ingest.page import DROPPED, IngestError
from briefing.inputs import input_files, read_input
from briefing.model import Article
from briefing.progress import Progress
from briefing.text.decoding import MAX_RAW_BYTES, decode_bytes

if TYPE_CHECKING:
    from briefing.ingest.reader import CleanPage


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
    paths = [p for p in raw_files(project) if only is None or p.resolve() in only]
    for path in Progress(len(paths), "ingesting", " pages").over(paths):
        original = provenance(project, path)
        shown = f"{project.relative(project.content_dir)}/{original}"
        try:
            data = _read_raw_bytes(project, path)
        except InputError as exc:
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
                    f"changed since it was ingested into {project.relative(earlier[0].file)}; "
                    f"the article was kept (python build.py ingest --reingest {shown} redoes it)",
                )
            continue
        try:
            page = read_raw_page(data, original, sha, shown)
        except (InputError, IngestError) as exc:
            log.error("%s: %s", shown, getattr(exc, "message", exc))
            report.failed += 1
            continue
        except Exception as exc:  # whatever the page holds, it is this file's error
            log.debug("ingest failed", exc_info=exc)  # the traceback with -v
            log.error("%s: could not be ingested (%s: %s)", shown, type(exc).__name__, exc)
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
                    project.relative(clash.file) if clash.path else "an article in memory",
                    clash.original or "a Markdown file",
                )
                report.failed += 1
                continue
            article.path = project.lang_dir("zh") / f"{article.id}.md"
            if article.id not in by_id and os.path.lexists(article.path):
                # There, but it could not be read (reported above): a person's edit with
                # a mistake in it is fixed by the person, never replaced.
                log.error(
                    "%s: %s exists but could not be read (see above); not replaced: fix it, "
                    "or delete it to ingest this page again",
                    shown,
                    project.relative(article.path),
                )
                report.failed += 1
                continue
            try:
                _write_ingested(project, article)
            except OSError as exc:  # content/zh/ read-only, a full disk
                log.error(
                    "%s: cannot write %s: %s",
                    shown,
                    project.relative(article.path),
                    exc.strerror or exc,
                )
                report.failed += 1
                continue
            by_id[article.id] = article
            report.written.append(article)
    return report


# What of a file name YAML cannot hold, or the text rules would change: control characters
# (and, in a name that is not UTF-8, every byte beyond ASCII).
_CONTROL_IN_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")


def provenance(project: Project, path: Path) -> str:
    """A raw file's name as `original:` records it, relative to content/: text that reads
    back the same, so that the file is known as ingested on the next build. A name that is
    not UTF-8 (GBK names from unzipped archives) has its bytes beyond ASCII written as %XX,
    as have control characters in any name."""
    relative = path.relative_to(project.content_dir).as_posix()
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept by the file system's surrogateescape
        return "".join(
            chr(byte) if 0x20 <= byte < 0x7F else f"%{byte:02X}" for byte in os.fsencode(relative)
        )
    return _CONTROL_IN_NAME.sub(
        lambda m: "".join(f"%{byte:02X}" for byte in m[0].encode("utf-8")), relative
    )


HTML_SUFFIXES = (".html", ".htm")
RAW_SUFFIXES = (".txt", *HTML_SUFFIXES)


def raw_files(project: Project) -> list[Path]:
    """The pages in content/raw/: scraped text (.txt) and saved web pages (.html, .htm).
    Any other file there is named, so that it is not silently ignored."""
    found = []
    for path in input_files(project.raw_dir, "*"):
        if path.suffix.lower() in RAW_SUFFIXES:
            found.append(path)
        elif path.is_file():
            warn(
                project.relative(path), "not a page ingest reads (.txt, .html or .htm); left alone"
            )
    return found


def read_raw_page(data: bytes, original: str, sha: str, shown: str) -> CleanPage:
    """One raw page, read by the reader for its kind: text, or a saved web page.
    The readers are imported here, when there is a page to read: compiling their
    patterns costs a build with nothing to ingest a fifth of a second."""
    if original.lower().endswith(HTML_SUFFIXES):
        from briefing.ingest.html import read_html_page

        return read_html_page(data, original, sha)
    from briefing.ingest.reader import read_page

    return read_page(decode_bytes(data, shown), original, sha)


def _read_raw_bytes(project: Project, path: Path) -> bytes:
    return read_input(path, project.content_dir, limit=MAX_RAW_BYTES, what="raw articles")


def _write_ingested(project: Project, article: Article) -> None:
    text = article_to_markdown(article)
    path = article.file
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if old == text:
            return
        backup = _free_backup_name(path)
        write_atomic(backup, old)
        log.warning(
            "%s: replaced by re-ingest; the previous version is in %s",
            project.relative(path),
            project.relative(backup),
        )
    write_atomic(path, text)
    log.info("ingested %s -> %s", article.original, project.relative(path))


def _free_backup_name(path: Path) -> Path:
    """<id>.md.bak, or .md.bak2, .md.bak3 ...: a second re-ingest never overwrites a first backup."""
    backup, number = path.with_suffix(".md.bak"), 1
    while backup.exists():
        number += 1
        backup = path.with_suffix(f".md.bak{number}")
    return backup
