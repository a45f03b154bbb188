"""A raw page's text -> lines: the script repaired, glued paragraphs split, wraps joined.

Everything later works on `Line`s: one paragraph, heading or piece of chrome each,
with its line number in the raw file (for messages and `explain`) and the number
of blank lines above it (an image often stood in a gap).
"""

from __future__ import annotations

import re
from functools import lru_cache

from briefing.text import chinese
from briefing.text.chars import FULL_WIDTH

# Pages write punctuation full-width (，：（）) or half-width (,:()); patterns are written
# half-width and match both. Folding maps one character to one, so a match's
# positions hold for the original text, which is what is kept.
# 丨 (U+4E28) is what WeChat pages write for a separator: "文字丨张三".
_FULL_WIDTH = FULL_WIDTH | {0x4E28: 0x7C}


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Full-width forms as their ASCII twins; a line is folded for every pattern that
    reads it, so the result is kept."""
    return text.translate(_FULL_WIDTH)


class Folded:
    """A compiled pattern that sees full-width forms as their ASCII twins."""

    def __init__(self, pattern: str, flags: int = 0):
        self.regex = re.compile(pattern, flags)

    def search(self, text: str) -> re.Match | None:
        return self.regex.search(fold(text))

    def match(self, text: str) -> re.Match | None:
        return self.regex.match(fold(text))

    def fullmatch(self, text: str) -> re.Match | None:
        return self.regex.fullmatch(fold(text))

    def finditer(self, text: str):
        return self.regex.finditer(fold(text))

    def findall(self, text: str) -> list:
        return self.regex.findall(fold(text))

    def split(self, text: str) -> list[str]:
        pieces, last = [], 0
        for match in self.regex.finditer(fold(text)):
            pieces.append(text[last : match.start()])
            last = match.end()
        return [*pieces, text[last:]]

    def sub(self, replacement: str, text: str) -> str:
        """Replace matches (with a literal string), keeping the rest of the original text."""
        out, last = [], 0
        for match in self.regex.finditer(fold(text)):
            out += [text[last : match.start()], replacement]
            last = match.end()
        return "".join([*out, text[last:]])


CLOSING_QUOTES = "”’」』\"')）"
SENTENCE_END = Folded(r"[。!?…]")
CLAUSE_PUNCTUATION = Folded(r"[,。;!?、]")


def ends_sentence(text: str) -> bool:
    """Ends like a sentence: 。!?… or ; or a closing quote after one of them."""
    text = fold(text).rstrip()
    while text and text[-1] in CLOSING_QUOTES:
        if len(text) >= 2 and text[-2] in CLOSING_QUOTES + "。!?…;":
            text = text[:-1]
            continue
        return False
    return text[-1:] in "。!?…;"


def clause_marks(text: str) -> int:
    """How many clause and sentence marks (，。；！？、) a line has: prose has several."""
    return len(CLAUSE_PUNCTUATION.findall(text))


# --- the script ----------------------------------------------------------------------------

# Form feeds (pages of a PDF), vertical tabs and Unicode line separators end a line;
# other control characters and non-characters carry nothing a reader sees, and XML
# (the feeds) refuses them.
_LINE_BREAKS = re.compile(r"[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)


def without_control_characters(text: str) -> str:
    return _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))


def repair_script(text: str, traditional: bool) -> str:
    """Control characters out, pinyin annotations out, Traditional -> Simplified."""
    text = chinese.strip_pinyin_annotations(without_control_characters(text))
    return chinese.to_simplified(text) if traditional else text


# --- lines ---------------------------------------------------------------------------------
