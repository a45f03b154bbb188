"""Writing the site: all files or none.

The new site is written next to the old one and swapped in with renames, so
a build that fails half-way leaves the previous site/ as it was, and files of
deleted articles disappear.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from briefing.errors import ContentError


def write_site(site_dir: Path, files: dict[str, bytes]) -> None:
    """Replace site_dir with exactly `files` (paths relative to it)."""
    parent = site_dir.parent
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a site is for reading
        for relative, data in files.items():
            target = staging / _safe_relative(relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        _swap(staging, site_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _safe_relative(relative: str) -> Path:
    """A path inside the site, never outside it (no "..", no absolute paths)."""
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ContentError(relative, "page path would leave site/")
    return Path(*path.parts)


def _swap(staging: Path, site_dir: Path) -> None:
    old = None
    if site_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-old-", dir=site_dir.parent))
        os.rmdir(old)
        os.rename(site_dir, old)
    os.rename(staging, site_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
