"""The zh->en model: an Argos Translate package, found, installed, described."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import BriefingError, log

FROM, TO = "zh", "en"
INSTALL_HINT = "python build.py install-model (or --from-file PATH.argosmodel)"
EXTRA_HINT = 'pip install -e ".[translate]"'

# --- the model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    """An installed zh->en Argos package."""

    name: str
    version: str
    path: Path
    target_prefix: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}".strip()


def argos_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("argostranslate")
    except Exception:
        return None


def installed_models() -> str:
    """argostranslate's version and the installed packages' folders (names and times):
    what changes when a model or Argos is installed, read without loading either."""
    version = argos_version()
    if version is None:
        return "argostranslate is not installed"
    import argostranslate.settings as settings  # paths only (3 ms)

    entries = [version]
    for folder in settings.package_dirs:
        try:
            with os.scandir(folder) as found:
                entries += sorted(f"{e.name}|{e.stat().st_mtime_ns}" for e in found)
        except OSError:
            continue
    return "\n".join(entries)


def find_model() -> Model | None:
    """The installed zh->en package, or None (also when argostranslate is not installed)."""
    try:
        import argostranslate.package as package
    except ImportError:
        return None
    for pkg in package.get_installed_packages():
        if pkg.type == "translate" and pkg.from_code == FROM and pkg.to_code == TO:
            name = pkg.package_path.name
            return Model(name, pkg.package_version, pkg.package_path, pkg.target_prefix)
    return None


def install_model(from_file: Path | None = None) -> Model:
    """Install zh->en from a local .argosmodel file, or from the Argos index (online)."""
    try:
        import argostranslate.package as package
    except ImportError:
        raise BriefingError("argostranslate", f"not installed: {EXTRA_HINT}") from None
    if from_file is not None:
        if not from_file.is_file():
            raise BriefingError(from_file, "no such file")
        try:
            package.install_from_path(from_file)
        except Exception as exc:  # Argos raises bare Exception for a bad archive
            raise BriefingError(from_file, f"not an Argos model package: {exc}") from None
    else:
        from argostranslate import settings

        with argos_messages() as messages:
            package.update_package_index()  # Argos logs and swallows a download failure
        if not Path(settings.local_package_index).exists():
            # (and get_available_packages() would then recurse until RecursionError)
            why = f": {messages[-1]}" if messages else ""
            raise BriefingError("Argos package index", f"cannot be read (offline?){why}")
        try:
            available = [
                p
                for p in package.get_available_packages()
                if p.from_code == FROM and p.to_code == TO
            ]
        except Exception as exc:
            raise BriefingError(
                "Argos package index", f"cannot be read (offline?): {exc}"
            ) from None
        if not available:
            raise BriefingError("Argos package index", "has no zh->en package")
        package.install_from_path(available[0].download())
    model = find_model()
    if model is None:
        raise BriefingError(
            from_file or "Argos package index", "installed, but no zh->en model found"
        )
    return model


@contextmanager
def argos_messages() -> Iterator[list[str]]:
    """What Argos logs meanwhile (it logs a failed download as "(URLError(...),)" and
    carries on), kept for our own message instead of printed as a stray line: Argos'
    loggers have no handler, so Python would print them on stderr as they are."""
    messages: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            # Argos logs str() of its arguments' tuple: "(URLError(...),)" -> "URLError(...)".
            text = record.getMessage()
            messages.append(text[1:-2] if text.startswith("(") and text.endswith(",)") else text)

    argos = logging.getLogger("argostranslate")
    keep, propagate = Keep(level=logging.WARNING), argos.propagate
    argos.addHandler(keep)
    argos.propagate = False
    try:
        yield messages
    finally:
        argos.removeHandler(keep)
        argos.propagate = propagate
        for message in messages:
            log.debug("argostranslate: %s", message)
