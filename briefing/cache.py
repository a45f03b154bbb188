"""Content-hash caches in .cache/: what a build computed for content it has seen before.

One SQLite file: (namespace, key) -> pickled value, where keys are hashes of
everything a value depends on (the article's text, the glossary, the config and,
in every key, the package's own code: an upgrade of briefing never meets a value
an older version made), so a stale entry is never used; a record of each file in site/ (see
output.CurrentSite); and the search index's state (search/index.py). The file is
safe to delete, and a damaged one is set aside and started afresh. What a build
records of the site (its files, the search index) is committed only once its site is
in place; values keyed by content are committed as the build goes (they are right
whatever it does next, and held back they were much of its memory).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import sqlite3
from functools import lru_cache
from pathlib import Path

from briefing.files import open_read_only, open_sqlite


def digest(*parts: str) -> str:
    """A stable key from text parts and the code of the package that computes with it.

    (The hash of the code is taken once and copied; the parts are hashed in one piece,
    each after a NUL: tens of thousands of keys a build, the same keys as one update
    per part.)"""
    value = _code_hash().copy()
    value.update(("\0" + "\0".join(parts)).encode("utf-8") if parts else b"")
    return value.hexdigest()


@lru_cache(maxsize=1)
def _code_hash():
    return hashlib.sha256(code_version().encode())


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of every source file of the package (its path and bytes): what any cached
    value was computed by. About 40 files, read once a process (~2 ms)."""
    package = Path(__file__).resolve().parent
    value = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        value.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return value.hexdigest()


SCHEMA = [
    "CREATE TABLE IF NOT EXISTS cache (ns TEXT, key TEXT, value BLOB, PRIMARY KEY (ns, key))",
    # Each copy of the site (output.py) by the inode of its folder: its files, in one
    # value (every build reads all of them and writes them anew), and whether they are
    # known to be as recorded.
    "CREATE TABLE IF NOT EXISTS site_files (tree INTEGER PRIMARY KEY, records BLOB)",
    "CREATE TABLE IF NOT EXISTS site_tree (tree INTEGER PRIMARY KEY, clean INTEGER)",
]
_INSERT = "INSERT OR REPLACE INTO cache VALUES (?, ?, ?)"  # put (at the commit) and store
# Rows store() writes in one call (a few hundred pages' list items, or parses: some MB).
STORED_AT_ONCE = 256


def _pickled(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


# Where an earlier version kept a row per file: its copies are looked at, not trusted.
_OLD_SITE_RECORDS = "site_file"


class Cache:
    def __init__(self, path: Path):
        self.path = path
        self.db = open_sqlite(path, SCHEMA, "cache", durable=False)
        if self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (_OLD_SITE_RECORDS,)
        ).fetchone():
            with self.db:
                self.db.execute("UPDATE site_tree SET clean = 0")
                self.db.execute(f"DROP TABLE {_OLD_SITE_RECORDS}")
        self.pending: list[tuple[str, str, bytes]] = []  # put(): written at the commit
        self.stored: list[tuple[str, str, bytes]] = []  # store(): written a batch at a time
        self._pid = os.getpid()
        self._owner = self._pid  # the process whose connection self.db is
        self._reader: sqlite3.Connection | None = None  # the connection in a forked worker

    def get_many(self, namespace: str, keys: list[str]) -> dict[str, object]:
        """The values found of these keys (absent and damaged ones are left out)."""
        self._write_stored_here()
        found: dict[str, object] = {}
        db = self._connection()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = db.execute(
                f"SELECT key, value FROM cache WHERE ns = ? AND key IN ({','.join('?' * len(chunk))})",
                [namespace, *chunk],
            )
            for key, blob in rows:
                try:
                    found[key] = pickle.loads(blob)
                except Exception:  # a damaged entry is recomputed
                    continue
        return found

    def get(self, namespace: str, key: str) -> object | None:
        """One value (None if absent or damaged), read through this process's own
        connection (_connection)."""
        self._write_stored_here()
        row = self._connection().execute(
            "SELECT value FROM cache WHERE ns = ? AND key = ?", (namespace, key)
        )
        found = row.fetchone()
        try:
            return pickle.loads(found[0]) if found else None
        except Exception:  # a damaged entry is recomputed
            return None

    def _connection(self) -> sqlite3.Connection:
        """This process's connection for reading: a forked worker never uses its
        parent's (SQLite forbids it), it opens the file again, read-only, and sees what
        was committed."""
        if self._pid != os.getpid():
            self._reader = open_read_only(self.path)
            self._pid = os.getpid()
        return self.db if self._reader is None else self._reader

    def has_prefix(self, namespace: str, prefix: str) -> bool:
        """Does the namespace hold a key that starts with `prefix`? (A range scan.)"""
        self._write_stored_here()
        row = self.db.execute(
            "SELECT 1 FROM cache WHERE ns = ? AND key >= ? AND key < ? LIMIT 1",
            (namespace, prefix, prefix + "\uffff"),
        ).fetchone()
        return row is not None

    def prune(self, namespace: str, keep_prefix: str) -> None:
        """Delete a namespace's entries whose key does not start with keep_prefix (two
        range scans of the index: nothing to do costs nothing)."""
        self._write_stored_here()
        self.db.execute(
            "DELETE FROM cache WHERE ns = ? AND (key < ? OR key >= ?)",
            (namespace, keep_prefix, keep_prefix + "\uffff"),
        )

    def keep_only(self, namespace: str, keys: list[str]) -> None:
        """Delete the namespace's entries whose key is not one of `keys`. Keys are hashes
        of what a value was made from, so an article's earlier texts and the values of
        an earlier version of briefing would otherwise stay in the file for good."""
        self._write_stored_here()
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM wanted")
        self.db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", [(k,) for k in keys])
        self.db.execute(
            "DELETE FROM cache WHERE ns = ? AND key NOT IN (SELECT key FROM wanted)", (namespace,)
        )

    def put(self, namespace: str, key: str, value: object) -> None:
        """Kept in memory until the next commit: forked workers may read the file now."""
        self.pending.append((namespace, key, _pickled(value)))

    def store(self, namespace: str, key: str, value: object) -> None:
        """Into the file as it comes, not held in memory (the parses of 20,000 article
        files held as pickles were 90 MB at the end of reading): a few hundred rows at a
        time, each call into SQLite lets the workers' feeding threads take the GIL, and
        one a row cost a full build's main process 0.65 s at 4,000 articles. Only while
        no forked worker reads the file, until the next commit: a large write takes a
        lock that keeps readers out."""
        self.store_pickled(namespace, key, _pickled(value))

    def store_pickled(self, namespace: str, key: str, value: bytes) -> None:
        """store() of a value pickled already (a forked worker pickles what it sends)."""
        self.stored.append((namespace, key, value))
        if len(self.stored) >= STORED_AT_ONCE:
            self._write_stored()

    def _write_stored(self) -> None:
        self.db.executemany(_INSERT, self.stored)
        self.stored = []

    def _write_stored_here(self) -> None:
        """What store() holds, written before this process reads or deletes (it reads
        what it stored, as before); a forked worker's copy of the list is not its own
        to write, and its reads never saw what the build had not committed."""
        if self.stored and os.getpid() == self._owner:
            self._write_stored()

    # --- the copies of the site (output.py) ------------------------------------------------

    def site_records(self, tree: int) -> dict[str, tuple[str, int, int, int]] | None:
        """path -> (fingerprint, inode, size, mtime_ns) of each file of a copy of the site;
        None when none are recorded, or the record cannot be read."""
        row = self.db.execute("SELECT records FROM site_files WHERE tree = ?", (tree,)).fetchone()
        try:
            records = marshal.loads(row[0]) if row else None
        except (ValueError, EOFError, TypeError):  # damaged: the copy is looked at instead
            return None
        return records if isinstance(records, dict) else None

    def recorded_without_files(self, tree: int) -> bool:
        """Is this copy of the site recorded as holding no files (site_records() == {})?
        Only a record of a few bytes is unmarshalled to see: a whole site's (7,000 files
        at 1,000 articles) took 3-4 ms, and every build after the first asks."""
        row = self.db.execute(
            "SELECT records FROM site_files WHERE tree = ? AND length(records) < 64", (tree,)
        ).fetchone()
        try:
            return row is not None and marshal.loads(row[0]) == {}
        except (ValueError, EOFError, TypeError):  # damaged: the copy is looked at instead
            return False

    def record_site_files(self, tree: int, records: dict[str, tuple[str, int, int, int]]) -> None:
        """All the files of a copy of the site, in place of what was recorded of it."""
        self.db.execute(
            "INSERT OR REPLACE INTO site_files VALUES (?, ?)", (tree, marshal.dumps(records))
        )

    def tree_is_clean(self, tree: int) -> bool:
        row = self.db.execute("SELECT clean FROM site_tree WHERE tree = ?", (tree,)).fetchone()
        return bool(row and row[0])

    def knows_tree(self, tree: int) -> bool:
        """True for a copy of the site a build of this cache made (clean or not)."""
        row = self.db.execute("SELECT 1 FROM site_tree WHERE tree = ?", (tree,)).fetchone()
        return row is not None

    def mark_tree(self, tree: int, clean: bool, commit: bool = True) -> None:
        """Mark a copy of the site as known to be as recorded, or not. Marking it unclean
        is committed at once, before the copy is changed."""
        self.db.execute("INSERT OR REPLACE INTO site_tree VALUES (?, ?)", (tree, int(clean)))
        if commit:
            self.db.commit()

    def forget_tree(self, tree: int | None) -> None:
        self.db.execute("DELETE FROM site_files WHERE tree = ?", (tree,))
        self.db.execute("DELETE FROM site_tree WHERE tree = ?", (tree,))

    def commit(self) -> None:
        with self.db:
            self._write_stored()
            self.db.executemany(_INSERT, self.pending)
        self.pending = []

    def rollback(self) -> None:
        """Forget what this build put in (its site was not put in place)."""
        self.db.rollback()
        self.pending, self.stored = [], []

    def close(self) -> None:
        self.db.close()


class NoCache(Cache):
    """The same interface, remembering nothing (for callers that want no cache)."""

    def __init__(self) -> None:
        self.pending = []

    def get_many(self, namespace: str, keys: list[str]) -> dict[str, object]:
        return {}

    def get(self, namespace: str, key: str) -> object | None:
        return None

    def has_prefix(self, namespace: str, prefix: str) -> bool:
        return False

    def prune(self, namespace: str, keep_prefix: str) -> None:
        pass

    def keep_only(self, namespace: str, keys: list[str]) -> None:
        pass

    def put(self, namespace: str, key: str, value: object) -> None:
        pass

    def store(self, namespace: str, key: str, value: object) -> None:
        pass

    def store_pickled(self, namespace: str, key: str, value: bytes) -> None:
        pass

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass
