"""Writing files so that nothing is ever half written, and opening SQLite files that
may have been damaged: the two ways the build keeps what it writes whole.

Every file the build writes (articles, translations, site files, its own notes)
is made beside its place under a temporary name and renamed over it in one step,
so a reader (or the next build, after a crash) sees the old file or the new one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from briefing.errors import warn

Made = TypeVar("Made")


def replace_atomically(target: Path | str, make: Callable[[str], Made]) -> Made:
    """Have `make` write a temporary file beside `target`, then put it in the target's
    place at once; returns what `make` returned. Nothing is left behind if it fails."""
    target = os.fspath(target)
    folder, name = os.path.split(target)
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    try:
        made = make(temporary)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return made


def write_atomic(path: Path, data: bytes | str) -> os.stat_result:
    """Write a file whole (text as UTF-8 with LF line ends), creating its folder.

    The file gets the mode any new file gets (0644 under the usual umask), as a file
    an editor makes would: mkstemp's 0600 would hide articles from a web server or a
    colleague. Returns the new file's status (inode, size, times)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data

    def write(temporary: str) -> os.stat_result:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()  # the status of the file as it will stay
            return os.fstat(handle.fileno())

    return replace_atomically(path, write)


def open_read_only(path: Path) -> sqlite3.Connection:
    """An SQLite file opened for reading only (a forked worker's own connection: one
    is never shared across a fork), usable from any thread."""
    return sqlite3.connect(
        f"file:{quote(os.fspath(path))}?mode=ro", uri=True, check_same_thread=False
    )


CACHE_MAPPED = 64 << 20
CACHE_PAGE = 16 << 10


def open_sqlite(
    path: Path, schema: list[str], what: str, durable: bool = True
) -> sqlite3.Connection:
    """An SQLite file of the build's (a cache: safe to lose) with its tables; a damaged
    one is set aside as <name>.damaged, with one warning, and started afresh.

    Not `durable`: commits are handed to the system without waiting for the disk
    (synchronous=OFF). A killed build loses nothing by it; a power cut may leave
    the file damaged, which the next build sets aside and redoes: for a cache
    whose every commit waited on the disk, that wait was most of a small build. Such a
    file (the build's cache, read whole by every build) is also read through a memory
    map, its first CACHE_MAPPED bytes, rather than a read() a page, and its temporary
    tables are kept in memory: 7,000 reads and 1,000 writes fewer a build that adds an
    article at 1,000, and at most CACHE_MAPPED more of the build's resident memory.
    Its pages are CACHE_PAGE bytes, not 4 KB: most of its values (a page's list items,
    an article's blocks and search terms) are several KB, each a chain of overflow
    pages at 4 KB: a first build's 35 MB of rows at 1,000 articles went in with a sixth
    less CPU (61-68 -> 52 ms; reading them took the same)."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def connect() -> sqlite3.Connection:
        db = sqlite3.connect(path)
        if not durable:
            # (A new file's: an existing one keeps the size it was made with.)
            db.execute(f"PRAGMA page_size = {CACHE_PAGE}")
            db.execute("PRAGMA synchronous = OFF")
            db.execute(f"PRAGMA mmap_size = {CACHE_MAPPED}")
            db.execute("PRAGMA temp_store = MEMORY")
        for statement in schema:
            db.execute(statement)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db

    try:
        return connect()
    except sqlite3.DatabaseError as exc:
        damaged = path.with_suffix(".damaged")
        os.replace(path, damaged)
        warn(path.name, f"{what} unreadable ({exc}); moved to {damaged.name}, starting afresh")
        return connect()
