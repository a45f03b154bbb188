"""Our own error type and the warning counter behind `--strict`."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger("briefing")


class ContentError(Exception):
    """A problem with one input file: carries the file and a one-line message."""

    def __init__(self, path: Path | str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = Path(path)
        self.message = message

    def __reduce__(self):  # raised in a forked worker, it comes back whole
        return (type(self), (self.path, self.message))


class WarningCounter(logging.Handler):
    """Counts warnings and errors so that `--strict` can fail the build at the end."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def warn(path: Path | str, message: str) -> None:
    """Log a one-line warning that names the file."""
    log.warning("%s: %s", path, message)
