"""Where a project's files are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    """The folders of one briefing site, all under its root."""

    root: Path

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def raw_dir(self) -> Path:
        return self.content_dir / "raw"

    def lang_dir(self, lang: str) -> Path:
        return self.content_dir / lang

    @property
    def glossary_path(self) -> Path:
        return self.content_dir / "glossary.yaml"

    def relative(self, path: Path) -> str:
        """A path as the user knows it: relative to the project root where possible."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
