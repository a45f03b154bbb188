"""Taking an article out of the site, and putting it back: `remove` and `remove --undo`.

Nothing is deleted. An article's files move to content/removed/<id>/, each under the
path it had in content/ (zh/<id>.md, en/<id>.md, raw/<page>), with a note
(removed.yaml) of what came from where; moving them back by hand restores it as
well as `--undo` does. The raw page goes with the article, so the next build does not
ingest it again, unless another article still comes from it (the second article a
page carried, <id>-2): then it stays, and the next build does not ingest it again
either, since an article of it exists. Each part is removed on its own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

import yaml

from briefing.config import Project
from briefing.content import checked_id, read_article, read_articles
from briefing.errors import BriefingError, InputError
from briefing.files import write_atomic
from briefing.inputs import exists, input_files

NOTE = "removed.yaml"


def removed_dir(project: Project, article_id: str) -> Path:
    return project.content_dir / "removed" / article_id


def remove_article(project: Project, article_id: str) -> list[str]:
    """Move an article's files to content/removed/<id>/; returns their paths (relative
    to content/) as they were."""
    checked_id(article_id)
    zh_path = project.lang_dir("zh") / f"{article_id}.md"
    en_path = project.lang_dir("en") / f"{article_id}.md"
    folder = removed_dir(project, article_id)
    if exists(folder):
        raise BriefingError(
            project.relative(folder),
            "already holds a removed article of this id: put it back "
            f"(python build.py remove --undo {article_id}) or move it away first",
        )
    files = [p for p in (zh_path, en_path) if exists(p)]
    if not files:
        raise BriefingError(
            project.relative(zh_path), f"no article with the id {article_id} (nor English)"
        )
    # Re-ingest backups belong to the article too.
    files += input_files(project.lang_dir("zh"), f"{article_id}.md.bak*")
    if exists(zh_path):
        raw = _raw_page(project, zh_path, article_id)
        if raw is not None:
            files.append(raw)
    moved = [p.relative_to(project.content_dir).as_posix() for p in files]
    note = _note(article_id, moved)
    folder.mkdir(parents=True)
    write_atomic(folder / NOTE, note)
    for path, relative in zip(files, moved, strict=True):
        _move(path, folder / relative, project)
    return moved


def restore_article(project: Project, article_id: str) -> list[str]:
    """Put the files of a removed article back where they were (every file under
    content/removed/<id>/ goes to the same path under content/); returns those paths.
    Refused, with nothing moved, if any of those places is taken."""
    checked_id(article_id)
    folder = removed_dir(project, article_id)
    if not folder.is_dir():
        raise BriefingError(
            project.relative(folder), f"no removed article {article_id} here to put back"
        )
    moved = sorted(
        Path(top, name).relative_to(folder).as_posix()
        for top, _, names in os.walk(folder)
        for name in names
        if Path(top, name) != folder / NOTE
    )
    for relative in moved:
        target = project.content_dir / relative
        if exists(target):
            raise BriefingError(
                project.relative(target), "is there already: nothing was put back (move it away)"
            )
    for relative in moved:
        _move(folder / relative, project.content_dir / relative, project)
    if exists(folder / NOTE):
        os.unlink(folder / NOTE)
    _remove_empty_folders(folder)
    with contextlib.suppress(OSError):  # content/removed/ itself, when nothing else is in it
        folder.parent.rmdir()
    return moved


def _raw_page(project: Project, zh_path: Path, article_id: str) -> Path | None:
    """The raw page the article was ingested from, if it is there and no other article
    comes from it."""
    from briefing.ingest.stage import provenance  # what `original:` records for a raw file

    try:
        article = read_article(zh_path, "zh", within=project.content_dir)
    except InputError as exc:
        # Its `original:` is unknown: removing it now would have its page ingested again.
        raise BriefingError(
            project.relative(zh_path),
            f"cannot be read ({exc.message}); fix it before removing it",
        ) from None
    if not article.original:
        return None
    others = [
        a.id
        for a in read_articles(project, "zh").articles
        if a.original == article.original and a.id != article_id
    ]
    if others:
        return None
    for path in input_files(project.raw_dir, "*"):
        if provenance(project, path) == article.original:
            return path
    return None


def _note(article_id: str, moved: list[str]) -> str:
    header = (
        f"# Taken out of the site by `python build.py remove {article_id}`.\n"
        f"# `python build.py remove --undo {article_id}` puts these files back, or move each\n"
        "# one back by hand: content/removed/<id>/<path> -> content/<path>.\n"
    )
    data = {"id": article_id, "removed_on": dt.date.today().isoformat(), "files": moved}
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _move(source: Path, target: Path, project: Project) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(source, target)  # one file system (content/): a rename, never a copy
    except OSError as exc:
        raise BriefingError(
            project.relative(source),
            f"cannot be moved to {project.relative(target)}: {exc.strerror or exc}",
        ) from None


def _remove_empty_folders(folder: Path) -> None:
    for top, _, _ in sorted(os.walk(folder), reverse=True):  # the deepest first
        if not os.listdir(top):
            os.rmdir(top)
