"""The translation memory: a sentence is never sent to the model twice at the same settings."""

from __future__ import annotations

from pathlib import Path

from briefing.files import open_sqlite
from briefing.translate.engine import decoding_label

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS sentences (model TEXT, decoding TEXT, source TEXT, "
    "target TEXT, PRIMARY KEY (model, decoding, source))",
    "CREATE TABLE IF NOT EXISTS speed (model TEXT, decoding TEXT, device TEXT, "
    "sentences INTEGER, seconds REAL, PRIMARY KEY (model, decoding, device))",
]


class Memory:
    """Translation memory: (model, decoding, source sentence) -> translation, in SQLite.

    The decoding settings are part of the key, so that a fast draft (beam 1) is
    never served where a full-quality translation (beam 4) is asked for. Each
    batch is committed as soon as it is translated: a run that is stopped keeps
    all it did. The memory also keeps how fast past runs went, for estimates.
    """

    def __init__(self, path: Path):
        # A cache, safe to lose: a damaged file is set aside and a new one started.
        self.db = open_sqlite(path, SCHEMA, "translation memory")
        with self.db:
            old = self.db.execute("SELECT name FROM sqlite_master WHERE name = 'memory'").fetchone()
            if old:
                # Made before decoding settings were part of the key, always with Argos'
                # default beam of 4.
                self.db.execute(
                    "INSERT OR IGNORE INTO sentences "
                    f"SELECT model, '{decoding_label(4)}', source, target FROM memory"
                )
                self.db.execute("DROP TABLE memory")

    def close(self) -> None:
        self.db.close()

    def get(self, key: tuple[str, str], sources: list[str]) -> dict[str, str]:
        """Known translations of `sources` under key (model, decoding)."""
        found: dict[str, str] = {}
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
