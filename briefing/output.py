"""Writing the site: all files or none.

The new site is written next to the old one, then the two folders trade
places in one atomic step (Linux renameat2 with RENAME_EXCHANGE), so a build
that fails or is killed at any point leaves the previous site/ or the new
one, never a mix, and files of deleted articles disappear. Where that call
is missing, two renames are used and a build killed between them is
repaired by the next one.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from briefing.errors import ContentError, log

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def write_site(site_dir: Path, files: Iterable[tuple[str, bytes | None]]) -> int:
    """Replace site_dir with exactly `files`: (path relative to it, bytes) pairs, written
    as they come. Returns how many were written.

    A value of None means "as in the current site": that file is hard-linked
    from it instead of written again (the file is never changed in place, so
    the old and the new site can share it).
    """
    recover_interrupted_swap(site_dir)
    parent = site_dir.parent
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=parent))
    except OSError as exc:
        raise ContentError(site_dir, f"cannot write the site: {exc.strerror}") from None
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a site is for reading
        made: set[Path] = set()
        count = 0
        for relative, data in files:
            count += 1
            target = staging / _safe_relative(relative)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if data is None:
                _link_or_copy(site_dir / relative, target)
            else:
                target.write_bytes(data)
        _swap(staging, site_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ContentError(site_dir, f"cannot write the site: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)  # now holds the previous site
    return count


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed: copy
        shutil.copy2(source, target)


def _safe_relative(relative: str) -> Path:
    """A path inside the site, never outside it (no "..", no absolute paths)."""
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ContentError(relative, "page path would leave site/")
    return Path(*path.parts)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(staging: Path, site_dir: Path) -> None:
    """Put staging at site_dir; afterwards staging holds the old site (or nothing)."""
    if not site_dir.exists():
        os.rename(staging, site_dir)
        staging.mkdir()
        return
    if _exchange(staging, site_dir):
        return
    old = staging.with_name(staging.name.replace("-new-", "-old-"))
    os.rename(site_dir, old)
    os.rename(staging, site_dir)
    os.rename(old, staging)


def recover_interrupted_swap(site_dir: Path) -> None:
    """Tidy up after a killed build: restore a site caught between two renames, and
    remove half-written new sites (the build lock means no other build owns them)."""
    parent = site_dir.parent
    if not site_dir.exists():
        leftovers = sorted(parent.glob(f".{site_dir.name}-old-*"))
        if leftovers:
            os.rename(leftovers[-1], site_dir)
            log.warning(
                "%s: restored the previous site left by an interrupted build", site_dir.name
            )
    for pattern in (f".{site_dir.name}-new-*", f".{site_dir.name}-old-*"):
        for leftover in parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)
