"""Progress of a long step (ingest, translation, rendering): a bar with the time left on a
terminal, a line a minute elsewhere, nothing with -q.

tqdm is a core dependency (small, pure Python): every install shows the same progress.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from briefing.errors import log

Item = TypeVar("Item")

# --- progress ---------------------------------------------------------------------------------


def duration(seconds: float) -> str:
    """'2 h 05 min', '14 min', '40 s': how long, as a person says it."""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


class Progress:
    """Things done out of a total (sentences translated, pages ingested), with the time left.

    On a terminal, a tqdm bar on stderr (it estimates the time left from the rate
    so far), shown only when the step lasts more than BAR_DELAY; when stderr is not a
    terminal (a log file, CI), a plain log line every LOG_EVERY seconds instead;
    nothing with -q.
    """

    LOG_EVERY = 60.0
    BAR_DELAY = 1.0  # no bar for a run shorter than this

    def __init__(self, total: int, what: str = "translating", unit: str = " sentences"):
        self.total, self.done = total, 0
        self.what, self.unit = what, unit
        self.started = self.logged = time.monotonic()
        self.bar = None
        self.redirect = None
        if not log.isEnabledFor(logging.INFO):
            self.total = 0  # -q: silent
        elif total and sys.stderr.isatty():
            from tqdm import tqdm
            from tqdm.contrib.logging import logging_redirect_tqdm

            self.redirect = logging_redirect_tqdm(loggers=[log])  # warnings above the bar
            self.redirect.__enter__()
            self.bar = tqdm(
                total=total,
                desc=what,
                unit=unit,
                delay=self.BAR_DELAY,
                file=sys.stderr,
            )

    def update(self, count: int) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
            return
        now = time.monotonic()
        if self.total and now - self.logged >= self.LOG_EVERY:
            self.logged = now
            rate = self.done / (now - self.started)
            log.info(
                "%s: %d of %d%s, %.1f/s, about %s left",
                self.what,
                self.done,
                self.total,
                self.unit,
                rate,
                duration((self.total - self.done) / rate),
            )

    def over(self, items: Iterable[Item]) -> Iterator[Item]:
        """The items, counted as each is done; closed at the end (or when the loop stops)."""
        try:
            for item in items:
                yield item
                self.update(1)
        finally:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            if self.redirect is not None:
                self.redirect.__exit__(None, None, None)
            self.bar = None
