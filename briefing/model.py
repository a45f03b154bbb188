"""The content model shared by every stage: an article in one language."""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal

BlockKind = Literal["paragraph", "heading"]


@dataclass(frozen=True)
class Block:
    """One block of an article body: a paragraph or a section heading (plain text)."""

    kind: BlockKind
    text: str


@dataclass(slots=True)
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
    # Not the article's content: its blocks while packed (see __getstate__), what gives
    # them when they were left apart (an article from the read cache: content.py), and
    # the two hashes below once worked out. Slots, not an instance dict: a build holds
    # 20,000 articles at 10,000 stories, and a dict each was 13 MB more.
    _packed_blocks: bytes | None = field(default=None, init=False, repr=False, compare=False)
    _blocks_from: Callable[[Article], list[Block]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _text_digest: str | None = field(default=None, init=False, repr=False, compare=False)
    _content_key: str | None = field(default=None, init=False, repr=False, compare=False)

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

    # Pickled (to a worker, or a process's result) with its blocks as one bytes value,
    # unpickled only when something reads them. The read cache keeps the rest apart
    # (state_without_blocks): a build that adds one article reads every article's
    # front-matter, but the text of only the few it works on.
    def __getstate__(self) -> tuple:
        return self._state(with_blocks=True)

    def state_without_blocks(self) -> tuple:
        """The pickled state, None in place of the blocks (from_state makes it again)."""
        return self._state(with_blocks=False)

    @classmethod
    def from_state(cls, state: tuple) -> Article:
        article = cls.__new__(cls)
        article.__setstate__(state)
        return article

    def _state(self, with_blocks: bool) -> tuple:
        values: list = []
        for name in _STATE:
            if name == "blocks":
                values.append(
                    (self._packed_blocks or pack_blocks(self.blocks)) if with_blocks else None
                )
            elif name == "path":  # as text: Path(text) costs half of unpickling a Path
                values.append(None if self.path is None else str(self.path))
            else:
                values.append(getattr(self, name))
        return tuple(values)

    def __setstate__(self, state: tuple) -> None:
        for set_slot, value in zip(_SETTERS, state, strict=True):  # the slots' own setters
            set_slot(self, value)
        if self.path is not None:
            self.path = Path(self.path)

    def __getattr__(self, name: str):
        # Called only for what is not found: the blocks of an article just unpickled,
        # or taken from the read cache without them.
        if name == "blocks" and self._packed_blocks is not None:
            import pickle  # (here: a build that finds nothing changed never needs it)

            blocks = pickle.loads(self._packed_blocks)
            self.blocks = blocks
            self._packed_blocks = None
            return blocks
        if name == "blocks" and self._blocks_from is not None:
            self.blocks = blocks = self._blocks_from(self)
            self._blocks_from = None
            return blocks
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def text_digest(self) -> str:
        """sha256 of `text`: what a translation was made from (content.source_hash).
        Worked out once: an article is not changed after it is read."""
        if self._text_digest is None:
            self._text_digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        return self._text_digest

    @property
    def content_key(self) -> str:
        """A hash of everything the article says (front-matter and body), not where it is:
        what a page or a cache entry made from it depends on. Worked out once."""
        if self._content_key is None:
            values = [getattr(self, name) for name in _CONTENT]
            values += [[b.kind for b in self.blocks], [b.text for b in self.blocks]]
            self._content_key = hashlib.sha256(stable_bytes(values)).hexdigest()
        return self._content_key


def stable_bytes(values: list) -> bytes:
    """The values as bytes that differ when they do, and are equal when they are equal
    (what a content hash is taken of): marshal's (version 2, which never writes a
    back-reference nor marks a string interned), or repr's for a value marshal cannot
    write. repr of an article's text, a block at a time, was three quarters of its key:
    a scan of every character for printability."""
    try:
        return marshal.dumps(values, 2)
    except ValueError:
        return repr(values).encode("utf-8", "surrogatepass")


def pack_blocks(blocks: list[Block]) -> bytes:
    """An article's blocks as one bytes value: how they are pickled with it, and how the
    read cache keeps them apart from its front-matter (content.py)."""
    import pickle

    return pickle.dumps(blocks, protocol=pickle.HIGHEST_PROTOCOL)


# What an article says, in the order of its fields (its content_key), and what is pickled.
_CONTENT = tuple(f.name for f in fields(Article) if f.name not in ("path", "blocks") and f.init)
_STATE = tuple(f.name for f in fields(Article) if f.name not in ("_packed_blocks", "_blocks_from"))
# What sets each of them when unpickled: the blocks stay packed, in their own slot.
_SETTERS = tuple(
    getattr(Article, "_packed_blocks" if name == "blocks" else name).__set__ for name in _STATE
)


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
