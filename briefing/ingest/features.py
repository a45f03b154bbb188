"""What one line looks like: the measurements the choosers score.

A line is judged by its shape, not by a list of lines seen before: how much Han
text it holds, how it is punctuated, how many function words (的, 了, 在 ...) its
sentences carry, whether it is made of labels, prompts, links or spam.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from briefing.ingest import vocabulary as v
from briefing.ingest.dates import find_dates
from briefing.ingest.text import clause_marks, ends_sentence, fold
from briefing.text import chinese

# Function characters of running Chinese prose. News sentences carry one every
# 8-15 characters; headlines, labels, menus and names carry almost none.
_FUNCTION_CHARACTERS = frozenset(
    "的了是在和与为对将也都等有这就而其被把让但从到向以及并于着过所该此已"
)

PROSE_MIN_HAN = 15
HEADING_MAX_CHARS = 32
HEADLINE_MAX_CHARS = 80


class Kind(Enum):
    """What a line is, judged on its own (before its neighbours are looked at)."""

    PROSE = "prose"  # running text: sentences
    SHORT = "short"  # a headline, heading, caption, byline or short sentence: judged by context
    META = "meta"  # labels and values: dates, sources, counters
    CHROME = "chrome"  # the page's machinery: menus, tool bars, prompts, footers
    SPAM = "spam"  # content-farm advertising
    BARRIER = "barrier"  # the page moves on: a list of other stories, comments, the footer


@dataclass
class Features:
    text: str
    han: int
    marks: int  # clause and sentence punctuation
    function_share: float  # function characters per Han character
    ends_sentence: bool
    chrome: bool  # made of chrome words (what is left is a few characters)
    footer: bool  # a site statement (copyright, "reprint with credit")
    labels: int  # "来源:", "编辑｜" ... labels on the line
    spam: list[str]
    url: bool
    nav: bool

    @property
    def headline_shaped(self) -> bool:
        """Short, with Han text, not ending like a sentence and without a full stop."""
        text = fold(self.text)
        return (
            self.han >= 2
            and len(self.text) <= HEADLINE_MAX_CHARS
            and not self.ends_sentence
            and text[-1] not in ",:、;"
            and "。" not in text
            and len(_ITEM_SEPARATOR.findall(text)) <= 1  # "赛事数据 | 冠军 2:11:37 | …" is a row
        )


def measure(text: str) -> Features:
    han = chinese.count_han(text)
    function = sum(1 for ch in text if ch in _FUNCTION_CHARACTERS)
    return Features(
        text=text,
        han=han,
        marks=clause_marks(text),
        function_share=function / han if han else 0.0,
        ends_sentence=ends_sentence(text),
        chrome=is_chrome(text),
        footer=bool(v.FOOTER_WORDS.search(text)),
        labels=len(v.LABEL.findall(despaced(text))),
        spam=v.spam_hits(text),
        url=bool(v.URL.search(text)),
        nav=is_breadcrumb(text),
    )


_ITEM_SEPARATOR = re.compile(r"\s[|｜·•]\s|[|｜]")
_LEFTOVER = re.compile(r"[\W\d_a-zA-Z]+")
_LETTER_SPACING = re.compile(r"(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff][\u4e00-\u9fff ]{0,6}[:：])")


def despaced(text: str) -> str:
    """Labels written letter-spaced, as tables on government pages do: "主 题 词：" -> "主题词："."""
    return _LETTER_SPACING.sub("", text)


def is_chrome(text: str) -> bool:
    """A line (or piece of one) made of chrome words: little Han text is left without them."""
    han = chinese.count_han(text)
    if han == 0 or len(text) > 60:
        return False
    without = v.CHROME_WORDS.sub("", text)
    if without == text:
        return False
    left = _LEFTOVER.sub("", without)
    return len(left) <= max(2, han // 5)


def is_breadcrumb(text: str) -> bool:
    """ "您的位置:首页 >新闻 >", "新华网 > 时政 > 正文" (but not "<b>x</b>")."""
    if v.NAV_MARKERS.search(text):
        return True
    pieces = [p for p in v.NAV_SEPARATOR.split(text) if p.strip()]
    return (
        len(text) <= 60
        and "<" not in text
        and clause_marks(text) == 0
        and (
            len(v.NAV_SEPARATOR.findall(text)) >= 2
            # "新闻发布 > 发布会": two short section names
            or (len(pieces) == 2 and all(len(p.strip()) <= 8 for p in pieces) and ">" in fold(text))
        )
    )


def is_spam(features: Features) -> bool:
    """Advertising for gambling, lottery or porn: two such words, or one with a come-on
    on a line that is not a sentence of news."""
    distinct = set(features.spam)
    if len(distinct) >= 2:
        return True
    if distinct and not (features.marks >= 2 and features.function_share >= 0.05):
        return bool(v.SPAM_COME_ONS.search(features.text)) or features.han <= 12
    return False


def kind_of(f: Features) -> Kind:
    text = f.text
    if is_spam(f):
        return Kind.SPAM
    if v.LIST_HEADING.match(text) or (v.FOOTER_START.match(text) and f.marks <= 2):
        return Kind.BARRIER
    if f.footer:
        return Kind.CHROME
    if f.nav or f.chrome or (len(text) <= 80 and v.PROMPTS.search(text)) or v.LIST_LEAD.match(text):
        return Kind.CHROME
    if f.labels and (v.LABEL_AT_START.match(despaced(text)) or f.labels >= 2) and f.marks <= 3:
        return Kind.META
    if f.url and f.han <= 4:
        return Kind.CHROME
    if f.han >= PROSE_MIN_HAN and (f.marks >= 2 or (f.marks >= 1 and f.ends_sentence)):
        return Kind.PROSE
    if f.han >= 8 and f.marks >= 2 and f.ends_sentence:
        return Kind.PROSE  # a short paragraph: a sentence or two
    if f.han <= 20 and f.marks <= 1 and find_dates(text):
        return Kind.META  # "云岭教育 3月18日 20:15 云南": a date among names
    if f.han == 0:
        return Kind.CHROME
    return Kind.SHORT


def prose_weight(f: Features, kind: Kind) -> float:
    """What a line adds to (or takes from) a run of article text.

    The body is the run of lines with the largest total: prose counts by its
    length, so that the article's paragraphs outweigh a stray sentence of chrome,
    and a few headings or captions between them cost little.
    """
    if kind is Kind.PROSE:
        # Prose without function words is a list or a string of keywords.
        scale = 1.0 if f.function_share >= 0.04 else 0.5
        return f.han * scale
    if kind is Kind.SHORT:
        return -2.0
    if kind is Kind.META:
        return -8.0
    if kind is Kind.BARRIER:
        return -200.0
    return -(15.0 + f.han)  # chrome and spam
