"""Has anything a build reads changed since the last clean build?

The answer comes from file names, sizes and times only (no file is opened), and
this module imports nothing heavy, so that `python build.py` with nothing to do
answers in a fraction of a second even at 10,000 articles.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from briefing.config import LANGUAGES, Project
from briefing.errors import log
from briefing.files import write_atomic

_MANIFEST_VERSION = 2  # what last-build.json holds; an older one means "build"
UP_TO_DATE = "site is up to date: nothing it is built from changed since the last build"


def input_fingerprint(project: Project) -> str:
    """Names, sizes and times of everything a build reads: content, templates, settings
    and the code itself. The change time (ctime) is in it because an edit that keeps a
    file's size and sets its modification time back is still an edit: ctime cannot be
    set back."""
    entries: list[str] = []
    code = Path(__file__).resolve().parent
    for root in (project.content_dir, project.templates_dir, code):
        for path, stat in walk_files(root):
            entries.append(f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ctime_ns}")
    try:
        stat = project.config_path.stat()
        entries.append(
            f"{project.config_path}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ctime_ns}"
        )
    except OSError:
        pass
    entries.sort()
    return hashlib.sha256("\n".join(entries).encode("utf-8", "surrogateescape")).hexdigest()


def walk_files(folder: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Everything under a folder but folders, with its stat (of what a link points to,
    else of the link): odd files (a FIFO, a dangling link) count too, as the build reports
    them. Folder by folder from a list, not by recursion (a tree 1,100 deep is walked like
    any other); links to folders are not followed, and what goes while it is walked (an
    editor's temporary folder) is left out."""
    pending = [str(folder)]
    while pending:
        try:
            with os.scandir(pending.pop()) as found:
                entries = list(found)
        except OSError:  # not there (no templates yet), gone, or unreadable: nothing to read
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append(entry.path)
                    continue
                try:
                    status = entry.stat()
                except OSError:  # a dangling link, a link loop
                    status = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            yield entry.path, status


def _manifest_path(project: Project) -> Path:
    return project.root / ".cache" / "last-build.json"


def up_to_date(project: Project, inputs: str | None = None) -> bool:
    """True when the last build read exactly these inputs and its site is still the one
    in place (site/ is a new folder after every build); the warnings and errors that build
    printed are printed again (and counted, for --strict), so a problem is never silent.

    English waiting for a model is the one thing a build can change without its inputs
    changing: after a build that left some waiting, installing argostranslate or a model
    makes the next build run."""
    try:
        manifest = json.loads(_manifest_path(project).read_text(encoding="utf-8"))
        site_inode = project.site_dir.stat().st_ino
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or manifest.get("version") != _MANIFEST_VERSION:
        return False
    if (
        manifest.get("site_inode") != site_inode
        or manifest.get("inputs") != (inputs or input_fingerprint(project))
        or (manifest.get("models") is not None and manifest["models"] != _models())
    ):
        return False
    for level, message in manifest.get("said", []):
        log.log(level, "%s", message)
    return True


def files_added_or_removed(project: Project) -> bool:
    """Were files added to, removed from or renamed in the folders a build reads since
    the last clean build (their folders' times differ from those it noted)? Then a
    build is all but certain, and the command line starts what a build starts early
    before it looks at every file (input_fingerprint). Only that order depends on this:
    up_to_date() decides whether a build is needed."""
    try:
        manifest = json.loads(_manifest_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return not isinstance(manifest, dict) or manifest.get("folders") != _folder_times(project)


def _folder_times(project: Project) -> list[list[int] | None]:
    """The modification and change times of the folders whose files a build reads (a
    file added, removed or renamed changes its folder's), None for one that is missing."""
    times: list[list[int] | None] = []
    folders = (project.content_dir, project.raw_dir, project.templates_dir)
    for folder in (*folders, *(project.lang_dir(lang) for lang in LANGUAGES)):
        try:
            stat = folder.stat()
        except OSError:
            times.append(None)
            continue
        times.append([stat.st_mtime_ns, stat.st_ctime_ns])
    return times


def remember(project: Project, inputs: str, said: list[tuple[int, str]], waiting: bool) -> None:
    """Note what the build that just ended read, what it warned about (`said`: level and
    message), and whether English waits for a model."""
    try:
        site_inode = project.site_dir.stat().st_ino
    except OSError:
        return
    manifest = {
        "version": _MANIFEST_VERSION,
        "inputs": inputs,
        "site_inode": site_inode,
        "said": said,
        "models": _models() if waiting else None,
        "folders": _folder_times(project),
    }
    write_atomic(_manifest_path(project), json.dumps(manifest, ensure_ascii=False))


def forget(project: Project) -> None:
    """The next build is not skipped, whatever its inputs."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(_manifest_path(project))


def _models() -> str:
    from briefing.translate.model import installed_models  # light: no model is loaded

    return installed_models()
