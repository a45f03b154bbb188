"""Static files (templates/static/) under names that change with their content."""

from __future__ import annotations

import hashlib
from pathlib import Path
from stat import S_ISDIR

from briefing import freshness
from briefing.inputs import read_input


def fingerprinted_assets(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Static files under names that change with their content (style.3f2a9c1e.css),
    so that browsers may cache them for good."""
    assets = {}
    for found, status in sorted(freshness.walk_files(folder)):
        path = Path(found)
        name = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in name.split("/")) or S_ISDIR(status.st_mode):
            continue  # an editor's lock or swap file, .DS_Store, a link to a folder
        data = read_input(path, folder)
        digest = hashlib.sha256(data).hexdigest()[:10]
        stem, dot, ext = name.rpartition(".")
        assets[name] = (f"assets/{stem}.{digest}.{ext}" if dot else f"assets/{name}", data)
    return assets
