"""Content-hash caches in .cache/: what a build computed for content it has seen before.

One SQLite file of (namespace, key) -> pickled value. Keys are hashes of
everything a value depends on (the article's text, the glossary, the code
version), so a stale entry is never used; the file is safe to delete, and a
damaged one is set aside and started afresh.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from pathlib import Path

from briefing.errors import warn

# Bump when what is cached changes shape or meaning.
CACHE_VERSION = "1"


def digest(*parts: str) -> str:
    """A stable key from text parts."""
    value = hashlib.sha256(CACHE_VERSION.encode())
    for part in parts:
        value.update(b"\0" + part.encode("utf-8"))
    return value.hexdigest()


class Cache:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self.db = self._open(path)
        except sqlite3.DatabaseError as exc:
            damaged = path.with_suffix(".damaged")
            os.replace(path, damaged)
            warn(path.name, f"cache unreadable ({exc}); moved to {damaged.name}, starting afresh")
            self.db = self._open(path)
        self.pending: list[tuple[str, str, bytes]] = []

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        db.execute(
            "CREATE TABLE IF NOT EXISTS cache (ns TEXT, key TEXT, value BLOB, PRIMARY KEY (ns, key))"
        )
        db.execute("SELECT count(*) FROM cache").fetchone()
        return db

    def get_many(self, namespace: str, keys: list[str]) -> dict[str, object]:
        found: dict[str, object] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self.db.execute(
                f"SELECT key, value FROM cache WHERE ns = ? AND key IN ({','.join('?' * len(chunk))})",
                [namespace, *chunk],
            )
            for key, blob in rows:
                try:
                    found[key] = pickle.loads(blob)
                except Exception:  # a damaged entry is recomputed
                    continue
        return found

    def put(self, namespace: str, key: str, value: object) -> None:
        self.pending.append((namespace, key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))

    def commit(self) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO cache VALUES (?, ?, ?)", self.pending)
        self.pending = []

    def close(self) -> None:
        self.db.close()


class NoCache(Cache):
    """The same interface, remembering nothing (for callers that want no cache)."""

    def __init__(self) -> None:
        self.pending = []

    def get_many(self, namespace: str, keys: list[str]) -> dict[str, object]:
        return {}

    def put(self, namespace: str, key: str, value: object) -> None:
        pass

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass
