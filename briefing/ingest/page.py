"""The page model: the lines of a raw page and the role ingest gives each."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(Enum):
    SITE = "site name"
    NAV = "navigation"
    META = "metadata"
    CHROME = "chrome"
    SPAM = "spam"
    KICKER = "kicker"
    SUBTITLE = "subtitle"
    TITLE = "title"
    SUMMARY = "summary"
    BODY = "body"
    HEADING = "heading"
    CAPTION = "caption"
    BYLINE = "byline"
    EDITORS = "editors"
    PHOTO_CREDIT = "photo credit"
    VIA = "via"
    END_MARK = "end mark"
    NOISE = "noise"
    FOOTER = "footer chrome"
    LIST = "story list"
    NEW_ARTICLE = "title of an appended article"


DROPPED = {Role.SITE, Role.NAV, Role.CHROME, Role.SPAM, Role.NOISE, Role.FOOTER, Role.LIST}


@dataclass
class Line:
    """One line of the page as ingest reads it, and what ingest made of it."""

    text: str
    number: int  # 1-based line number in the raw file
    gap_before: int  # blank lines above it
    role: Role | None = None
    why: str = ""
    weight: float = 0.0  # how much it counts for (+) or against (-) being article text
    indented: bool = False  # the raw line started with an indent (　　): paragraphs do


class IngestError(ValueError):
    """The page cannot become an article (the caller adds the file name)."""
