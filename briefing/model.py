"""The content model shared by every stage: an article in one language."""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Literal

BlockKind = Literal["paragraph", "heading"]


@dataclass(frozen=True)
class Block:
    """One block of an article body: a paragraph or a section heading (plain text)."""

    kind: BlockKind
    text: str


@dataclass
class Article:
    """One language version of an article; `id` is shared by its zh and en versions."""

    id: str
    lang: str
    title: str
    blocks: list[Block]
    date: str | None = None  # ISO 8601: "2022-02-27T17:00:04+08:00" or "2022-05-26"
    source: str | None = None  # the publishing outlet
    via: str | None = None  # where the outlet says it reposted the text from
    authors: list[str] = field(default_factory=list)
    subtitle: str | None = None
    kicker: str | None = None  # the line above a newspaper headline (引题)
    tags: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    summary: str | None = None
    original: str | None = None  # raw file it was ingested from, relative to content/
    original_sha256: str | None = None
    part: int | None = None  # 2, 3, ... for further articles found on the same raw page
    warnings: list[str] = field(default_factory=list)
    # What ingest was unsure of ("title guessed", "no date"): for an editor to check.
    review: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # front-matter keys we don't model, kept as they are
    path: Path | None = None  # the Markdown file it was read from

    @property
    def file(self) -> Path:
        """The file it was read from or is written to (an article in memory has none)."""
        if self.path is None:
            raise ValueError(f"article {self.id} ({self.lang}) has no file")
        return self.path

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "paragraph"]

    @property
    def text(self) -> str:
        """Title and body as plain text, one block per line."""
        return "\n".join([self.title, *(b.text for b in self.blocks)])

    # Pickled (the read cache) with its blocks as one bytes value, unpickled only when
    # something reads them: a build that adds one article reads every article's
    # front-matter, but the text of only the few it works on.
    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        if "blocks" in state:
            state["_packed_blocks"] = pickle.dumps(
                state.pop("blocks"), protocol=pickle.HIGHEST_PROTOCOL
            )
        if state.get("path") is not None:
            state["path"] = str(state["path"])  # Path(str) costs half of unpickling a Path
        return state

    def __setstate__(self, state: dict) -> None:
        if isinstance(state.get("path"), str):
            state["path"] = Path(state["path"])
        self.__dict__.update(state)

    def __getattr__(self, name: str):
        # Called only for what is not found: the blocks of an article just unpickled.
        if name == "blocks" and "_packed_blocks" in self.__dict__:
            blocks = pickle.loads(self.__dict__.pop("_packed_blocks"))
            self.__dict__["blocks"] = blocks
            return blocks
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @cached_property
    def text_digest(self) -> str:
        """sha256 of `text`: what a translation was made from (content.source_hash)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @cached_property
    def content_key(self) -> str:
        """A hash of everything the article says (front-matter and body), not where it is:
        what a page or a cache entry made from it depends on. Worked out once: an article
        is not changed after it is read."""
        values = [getattr(self, f.name) for f in fields(self) if f.name != "path"]
        return hashlib.sha256(repr(values).encode("utf-8")).hexdigest()


# The state of an article's English, as `list` and `status` name them.
ENGLISH_STATES = {
    "editorial": "a person's translation",
    "edited": "machine English a person changed",
    "machine": "machine translation, untouched",
    "reviewed": "checked by a person against the current Chinese (`reviewed`)",
    "stale": "made from an older Chinese text: published with a notice until reviewed or redone",
    "pending": "no English yet: the English side says 'translation pending'",
}
# Not a state of the English but work for a person: ingest's `review:` notes on the
# Chinese, or names and numbers the machine English lost (`translation: warnings:`).
NEEDS_REVIEW = "needs-review"
