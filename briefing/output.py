"""Writing the site: all files or none, and only the files that changed.

Two copies of the site are kept: site/ and .cache/site-previous/, the site as the
build before it left it. Unchanged files are one file in both, hard-linked. A
build brings the previous copy up to date (writes the files that changed, links
in those the last build changed, removes those that went) and then the two trade
places in one atomic step (Linux renameat2 with RENAME_EXCHANGE). So site/ is
always a whole site, the old or the new one, however a build fails or is killed,
and a build costs what changed rather than what the site holds: a site of 10,000
articles has 40,000 folders, and making them anew takes longer than the build.

A file is never changed in place (the copies share it): its old name is removed
and a new file made. The cache records, for each copy (by the inode of
its folder), each file's fingerprint and identity (inode, size, mtime); a copy
being changed is marked unclean first, so that after a killed build its files
are looked at rather than trusted. Where RENAME_EXCHANGE is missing, three
renames are used, and a build killed between them is repaired by the next one.

A first build leaves the previous copy without files, and the build after it fills it
with links to all of site/: its folders (one for each page) are made ahead by the first
build, in a process that runs while a core is idle (CurrentSite.make_folders_ahead).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path

from briefing.cache import Cache
from briefing.errors import BriefingError, InputError, log
from briefing.parallel import Forked

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2

# A file as it was written: (inode, size, mtime in ns). Hard links and renames keep
# all three, so a file kept from one build to the next keeps its identity.
Identity = tuple[int, int, int]
Record = tuple[str, int, int, int]  # fingerprint, then the identity


class CurrentSite:
    """site/ and its previous copy, as the cache knows them; the build asks it which
    files can be kept (`keep`) and tells it which it makes (`made`)."""

    def __init__(self, site_dir: Path, cache: Cache):
        self.site_dir = site_dir
        self.previous_dir = cache.path.parent / "site-previous"
        self.cache = cache
        check_site_folder(site_dir)
        recover_interrupted_swap(site_dir, self.previous_dir)
        self.live_tree = _inode(site_dir)
        self.records: dict[str, Record] = (
            cache.site_records(self.live_tree) or {} if self.live_tree else {}
        )
        self.fingerprints: dict[str, str] = {}  # path -> fingerprint, of this build's files
        self._in_site = os.path.join(site_dir, "")  # site/ + a file's path: the file
        self.kept: dict[str, Identity] = {}  # files kept from site/: their identity
        # The recorded files as they are, stat'ed by another process while this one
        # enriches the stories: keep() looks up 27,000 at 4,000 articles, and their
        # stats here took a third of a second of a build that added one.
        self._stats = (
            Forked(_identities, self._in_site, list(self.records)) if self.records else None
        )
        self._found: dict[str, Identity | None] | None = None
        # The build after a full one fills the empty previous copy with links to all of
        # site/ (_clone_by_links): another process does that meanwhile too, 27,000 links
        # at 4,000 articles, a second of the build. The copy is marked as being changed
        # first: a build that ends before it is done leaves one to look at, not to trust.
        self._clone: Forked[dict[str, Identity]] | None = None
        tree = _inode(self.previous_dir) if self.records else None
        if tree is not None and _holds_no_files(self.previous_dir, tree, cache):
            cache.mark_tree(tree, clean=False)
            self._clone = Forked(_clone_by_links, site_dir, self.previous_dir)
        # The folders of the copy a first build leaves empty, made ahead (folders_ahead).
        self.folders_dir = folders_made_ahead(self.previous_dir)
        self._folders: Forked[None] | None = None

    def keep(self, path: str, fingerprint: str) -> bool:
        """True when site/<path> is the file made from `fingerprint`: it can be kept.

        The file must also still be the one recorded (a stat, nothing read): a build
        killed after its swap, or a hand-edited site, leaves other files.
        """
        self.fingerprints[path] = fingerprint
        record = self.records.get(path)
        if record is None or record[0] != fingerprint:
            return False
        identity = self._identity_of(path)
        if identity is None or identity != record[1:]:
            return False
        self.kept[path] = identity
        return True

    def _identity_of(self, path: str) -> Identity | None:
        found = self._recorded_identities()
        if path in found:
            return found[path]
        return _identity_at(self._in_site + path)

    def _recorded_identities(self) -> dict[str, Identity | None]:
        if self._found is None:
            found = self._stats.result() if self._stats else None
            self._found = dict(zip(self.records, found, strict=True)) if found else {}
        return self._found

    def settle(self) -> None:
        """Before a process is forked that asks keep() itself: it finds the files' stats
        here, not in the pipe of the process that made them (this one reads that)."""
        self._recorded_identities()

    def adopt(self, path: str, fingerprint: str, kept: Identity | None) -> None:
        """What a forked process's keep() or made() decided of a file, noted here as if
        decided here: `kept`, the identity of a file it kept."""
        self.fingerprints[path] = fingerprint
        if kept is not None:
            self.kept[path] = kept

    @property
    def cloning(self) -> bool:
        """Is another process filling the previous copy with links (see __init__)?"""
        return self._clone is not None

    def cloned(self) -> dict[str, Identity] | None:
        """The files the other process linked into the previous copy (waiting for it),
        or None if it did not (not the build after a full one, or it failed)."""
        clone, self._clone = self._clone, None
        return clone.result() if clone else None

    def make_folders_ahead(self, folders: list[str]) -> None:
        """In a first build (no site/ yet): make these folders (paths inside the site)
        for the copy the build leaves empty, in another process that runs when a core
        has nothing else to do. The next build fills that copy with links to all of
        site/ (_clone_by_links), and on some disks making its folders is most of that:
        4,000 at 1,000 articles, 0.2 s on this machine's ext4 in the build that adds an
        article, where the first build has a core idle for longer (loading jieba's
        dictionary, tagging the stories). What is not made by the swap is not waited for."""
        if self.live_tree is None and folders:
            try:  # (recover_interrupted_swap removed any a killed build left)
                self.folders_dir.mkdir()
            except OSError:
                return
            self._folders = Forked(_make_folders, str(self.folders_dir), folders)

    def folders_ahead(self) -> Path | None:
        """The folders made ahead, as many as were made (their process stopped), or None."""
        work, self._folders = self._folders, None
        if work is None:
            return None
        work.close()
        return self.folders_dir if self.folders_dir.is_dir() else None

    def close(self) -> None:
        """Stop the processes still at work, when the build ends before it asks them."""
        for work in (self._stats, self._clone, self._folders):
            if work:
                work.close()

    def made(self, path: str, fingerprint: str) -> None:
        """Note the fingerprint of a file this build writes anew."""
        self.fingerprints[path] = fingerprint

    def read(self, path: str) -> bytes:
        return (self.site_dir / path).read_bytes()


def _identities(in_site: str, paths: list[str]) -> list[Identity | None]:
    """(In a forked process) the identity of each file, None for one that is not there."""
    return [_identity_at(in_site + path) for path in paths]


def _identity_at(path: str) -> Identity | None:
    """The identity of the file at path (site/ + a path made safe before it was written:
    os.path.join cost more than the stat), None if it is not there."""
    try:
        return _identity(os.stat(path))
    except OSError:
        return None


def write_site(site: CurrentSite, files: Iterable[tuple[str, bytes | None]]) -> int:
    """Make site/ exactly `files`: (path inside it, bytes) pairs, written as they come,
    None meaning "as in the current site/". Returns how many files the site has."""
    try:
        return _write_site(site, files)
    except OSError as exc:
        raise BriefingError(
            site.site_dir, f"cannot write the site: {exc.strerror or exc}"
        ) from None


# What a build holds of the files it makes while another process fills the previous copy
# with links (the build after a full one): the first pages and index files it renders,
# not a whole site made anew.
HELD_WHILE_CLONING = 16 << 20


def _write_site(site: CurrentSite, files: Iterable[tuple[str, bytes | None]]) -> int:
    previous_dir, cache = site.previous_dir, site.cache
    if site.cloning:
        # Rendering goes on while the links are made (27,000 at 4,000 articles, a
        # couple of seconds): what it makes is held, then written once they are done.
        files = _held_while(files, HELD_WHILE_CLONING)
    previous = site.cloned()
    if previous is None:
        previous = _previous_copy(site)
    tree = _inode(previous_dir)
    if tree is None:  # _previous_copy made it: gone since, the disk is failing
        raise OSError(f"{previous_dir} disappeared while the site was written")
    cache.mark_tree(tree, clean=False)  # committed: a killed build leaves it untrusted
    if not previous and site.records:  # an empty copy (the build after a full one)
        previous = _clone_by_links(site.site_dir, previous_dir)
    identities: dict[str, Identity] = {}  # the new site's files
    made_dirs: set[str] = set()
    for relative, data in files:
        path = _safe_relative(relative)
        if data is None:
            identity = site.kept[path]
            if previous.get(path) != identity:  # most often equal: the file is there
                target = os.path.join(previous_dir, path)
                _ensure_parent(target, made_dirs)
                identity = _link_file(
                    os.path.join(site.site_dir, path), target, path in previous, identity
                )
        else:
            target = os.path.join(previous_dir, path)
            _ensure_parent(target, made_dirs)
            identity = _write_file(target, data, existed=path in previous)
        identities[path] = identity
    for path in previous.keys() - identities.keys():
        _remove(previous_dir, path)
    if _swap(previous_dir, site.site_dir, site.folders_ahead()):
        # A copy with no files (folders at most): the next build fills it (CurrentSite).
        emptied = _inode(previous_dir)
        cache.forget_tree(emptied)
        if emptied is not None:
            cache.record_site_files(emptied, {})
            cache.mark_tree(emptied, clean=True, commit=False)
    # The copy just made is site/; the cache records it as it is now.
    fingerprints = site.fingerprints
    cache.record_site_files(tree, {p: (fingerprints.get(p, ""), *i) for p, i in identities.items()})
    cache.mark_tree(tree, clean=True, commit=False)  # with the build's own commit
    return len(identities)


def _held_while(
    files: Iterable[tuple[str, bytes | None]], limit: int
) -> Iterator[tuple[str, bytes | None]]:
    """The same files: those that come first, up to `limit` bytes of them, made before
    the first is given (the caller waits meanwhile for what it needs to write them)."""
    files = iter(files)
    held: list[tuple[str, bytes | None]] = []
    size = 0
    for path, data in files:
        held.append((path, data))
        size += len(data) if data else 0
        if size > limit:
            break
    return chain(held, files)


def _make_folders(root: str, folders: list[str]) -> None:
    """(In a forked process, at the lowest priority) the folders, parents first, in root."""
    os.nice(19)
    for folder in folders:
        os.mkdir(os.path.join(root, folder))


def _clone_by_links(source: Path, target: Path) -> dict[str, Identity]:
    """Every file of site/ hard-linked into the empty copy, folder by folder: the build
    after a full one would otherwise link its tens of thousands of unchanged files one
    at a time through the general path (at 10,000 articles, 5 s more than the build
    after it). The build then changes this copy as any other: what it holds is returned.
    What cannot be linked (another file system) is left to the build, which copies."""
    cloned: dict[str, Identity] = {}
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(os.path.join(source, folder)) as found:
                entries = list(found)
        except OSError:  # gone while looked at: the build makes what is missing
            continue
        for entry in entries:
            path = os.path.join(folder, entry.name) if folder else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    _make_folder(os.path.join(target, path))
                    pending.append(path)
                    continue
                os.link(entry.path, os.path.join(target, path), follow_symlinks=False)
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                return cloned
            cloned[path] = _identity(stat)
    return cloned


def _make_folder(path: str) -> None:
    """A folder in the copy being filled: made, or one made ahead (CurrentSite.
    make_folders_ahead). Anything else there (a link, a file) goes, never what a link
    points to."""
    try:
        os.mkdir(path)
    except FileExistsError:
        if os.path.islink(path) or not os.path.isdir(path):
            os.unlink(path)
            os.mkdir(path)


def check_site_folder(site_dir: Path) -> None:
    """site/ must be a folder of the project's own: the build replaces it whole, and a
    link would send the files it removes to wherever the link points."""
    if site_dir.is_symlink():
        target = os.readlink(site_dir)
        raise InputError(
            site_dir,
            f"is a link to {target}; the build replaces site/ as a whole, so it must be a "
            f"real folder: remove the link and publish site/ itself (or copy it to {target})",
        )
    if site_dir.exists() and not site_dir.is_dir():
        raise InputError(site_dir, "is not a folder; the build writes the site there")


def _previous_copy(site: CurrentSite) -> dict[str, Identity]:
    """The files of the previous copy: as recorded when it was clean, else as found."""
    folder, cache = site.previous_dir, site.cache
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        folder.unlink()  # the link itself goes, never what it points to
    tree = _inode(folder)
    if tree is not None and not cache.knows_tree(tree) and has_files(folder):
        # Not a copy a build of this cache made: a site/ that was there before the first
        # build, or before .cache/ was deleted. Nothing in it is ours to delete.
        kept = _free_name(folder.with_name("site-unknown"))
        os.rename(folder, kept)
        log.info(
            "%s: a site/ no build of this cache made (an earlier site/, or .cache/ was "
            "deleted) is kept here, nothing in it deleted; remove it when you no longer need it",
            kept,
        )
        tree = None
    if tree is None:
        folder.mkdir(parents=True)
        cache.forget_tree(_inode(folder))  # a new folder may have an old folder's inode
        return {}
    records = cache.site_records(tree) if cache.tree_is_clean(tree) else None
    if records is not None:
        return {path: record[1:] for path, record in records.items()}
    log.debug("%s: not known to be whole; looking at every file", folder)
    found = {}
    for directory, _, names in os.walk(folder):
        for name in names:
            full = os.path.join(directory, name)
            stat = os.lstat(full)
            found[os.path.relpath(full, folder)] = _identity(stat)
    return found


def _holds_no_files(folder: Path, tree: int, cache: Cache) -> bool:
    """Is the previous copy a folder of its own (not a link to one) with no files: empty,
    or recorded with none (folders made ahead, CurrentSite.make_folders_ahead)?"""
    try:
        if folder.is_symlink() or not folder.is_dir():
            return False
        if cache.tree_is_clean(tree) and cache.recorded_without_files(tree):
            return True
        return not has_files(folder)
    except OSError:
        return False


def has_files(folder: Path) -> bool:
    """Does the folder hold anything? (OSError when it cannot be read or is missing.)"""
    with os.scandir(folder) as entries:
        return next(entries, None) is not None


def _free_name(path: Path) -> Path:
    """path-1, path-2, ...: the first that does not exist."""
    number = 1
    while (found := path.with_name(f"{path.name}-{number}")).exists() or found.is_symlink():
        number += 1
    return found


def _ensure_parent(target: str, made: set[str]) -> None:
    parent = os.path.dirname(target)
    if parent not in made:
        try:  # its own parent is there already, most of the time: one call, not a walk
            os.mkdir(parent)
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(parent, exist_ok=True)
        made.add(parent)


def _write_file(target: str, data: bytes, existed: bool) -> Identity:
    """A new file with `data` at target in the copy being made (not the live site/)."""

    def write() -> Identity:
        # os-level calls: a buffered file object for each page cost more than the writing.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            return _identity(os.fstat(fd))  # the identity of the file as it will stay
        finally:
            os.close(fd)

    return _anew(target, write, existed)


def _link_file(source: str, target: str, existed: bool, identity: Identity) -> Identity:
    """site/'s file at target in the copy being made: the same file (a hard link), whose
    identity (inode, size, mtime: a link changes none of them) is the one given."""

    def link() -> Identity:
        try:
            os.link(source, target)
        except FileExistsError:
            raise
        except OSError:  # another file system, or links not allowed: a copy, a new file
            shutil.copy2(source, target)
            return _identity(os.stat(target))
        return identity

    return _anew(target, link, existed)


def _anew(target: str, make: Callable[[], Identity], existed: bool) -> Identity:
    """Make a file where the copy being changed had one: its old name is removed first,
    never written through, because the old file may be site/'s own (hard-linked).
    The copy is not live and is marked unclean while it changes (see _write_site), so
    no temporary name is needed: writing it costs a third of a rename dance."""
    if existed:
        _unlink(target)
    try:
        return make()
    except FileExistsError:  # a file the records did not know of (a hand-made one)
        _unlink(target)
        return make()


def _identity(stat: os.stat_result) -> Identity:
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _remove(root: Path, path: str) -> None:
    """Remove a file, and the folders it leaves empty."""
    _unlink(os.path.join(root, path))
    parent = os.path.dirname(path)
    while parent:
        try:
            os.rmdir(os.path.join(root, parent))
        except OSError:  # not empty (or gone)
            break
        parent = os.path.dirname(parent)


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


def _safe_relative(relative: str) -> str:
    """A path inside the site, never outside it (no "..", no absolute paths)."""
    # Plain string tests (PurePosixPath's parts, as this was, cost a build of 10,000
    # articles a second over its 40,000 files): "a//b" and "./a" are inside, "", "/a",
    # "." and anything with a ".." part are not.
    if ".." not in relative and relative[:1] != "/" and relative.strip("./"):
        return relative  # every page's path: no ".." anywhere, relative, not only dots
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    if relative.startswith("/") or ".." in parts or not parts:
        raise InputError(relative, "page path would leave site/")
    return relative


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
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(new: Path, site_dir: Path, folders: Path | None = None) -> bool:
    """Put the new copy at site_dir; afterwards `new` holds the old site. True when there
    was no old site, and `new` is a new folder with no files: `folders` (folders made
    ahead, no files), or an empty one."""
    if not site_dir.exists():
        os.rename(new, site_dir)
        if folders is not None:
            os.rename(folders, new)
        else:
            new.mkdir()
        return True
    if not _exchange(new, site_dir):
        old = _swapping(new)
        os.rename(site_dir, old)
        os.rename(new, site_dir)
        os.rename(old, new)
    return False


def _swapping(previous_dir: Path) -> Path:
    return previous_dir.with_name(previous_dir.name + "-swapping")


def folders_made_ahead(previous_dir: Path) -> Path:
    return previous_dir.with_name(previous_dir.name + "-folders")


def recover_interrupted_swap(site_dir: Path, previous_dir: Path) -> None:
    """Tidy up after a killed build: restore a site caught between two renames, and
    remove what older versions left beside site/ (the build lock means no other
    build owns them)."""
    old = _swapping(previous_dir)
    if old.is_symlink():
        old.unlink()  # not a folder a build made: the link goes, never what it points to
    elif old.exists():
        if not site_dir.exists():
            os.rename(old, site_dir)
            log.warning("%s: restored the site left by an interrupted build", site_dir.name)
        else:
            shutil.rmtree(old, ignore_errors=True)
    ahead = folders_made_ahead(previous_dir)  # a first build's, killed before its swap
    if ahead.is_symlink():
        ahead.unlink()
    elif ahead.exists():
        shutil.rmtree(ahead, ignore_errors=True)
    parent = site_dir.parent
    for pattern in (f".{site_dir.name}-new-*", f".{site_dir.name}-old-*"):
        for leftover in parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)
