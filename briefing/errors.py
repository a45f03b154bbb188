"""briefing's errors and the warning counter behind `--strict`.

A BriefingError is a problem the user can act on, in one line naming the file or
folder it concerns: the CLI prints it without a traceback. An InputError is one
input file's problem (a bad article, page, setting or template); the other kinds
(another build running, a disk that is full, a site/ that cannot be replaced) are
BriefingErrors of their own.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger("briefing")


class BriefingError(Exception):
    """A problem to report in one line: the file or folder it concerns, and what is wrong."""

    def __init__(self, path: Path | str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = Path(path)
        self.message = message

    def __reduce__(self):  # raised in a forked worker, it comes back whole
        return (type(self), (self.path, self.message))


class InputError(BriefingError):
    """A problem with one input file: an article, a raw page, a setting, a template."""


class WarningCounter(logging.Handler):
    """Counts warnings and errors so that `--strict` can fail the build at the end, and
    keeps them (level, message) for a build with nothing to do to say again."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.said: list[tuple[int, str]] = []

    @property
    def count(self) -> int:
        return len(self.said)

    def emit(self, record: logging.LogRecord) -> None:
        self.said.append((record.levelno, record.getMessage()))


def warn(path: Path | str, message: str) -> None:
    """Log a one-line warning that names the file."""
    log.warning("%s: %s", path, message)
