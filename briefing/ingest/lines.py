"""The page's text -> lines: glued paragraphs split, chrome cut off a headline's ends,
hard wraps joined."""

from __future__ import annotations

import re

from briefing.ingest import vocabulary as v
from briefing.ingest.features import is_breadcrumb, is_chrome
from briefing.ingest.page import Line
from briefing.ingest.text import Folded, clause_marks, ends_sentence, fold
from briefing.text import chinese

_SPACES = Folded(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = Folded(r"[\u200b-\u200d\u2060\ufeff]")
# Paragraphs glued on one line: two or more spaces between them, or the full-width
# indent (　　) that Chinese paragraphs start with.
# (One full-width space is a word space: "本报吉首9月13日讯　新学期…".)
_GLUE = re.compile(r"[ \t\u00a0\u3000]{2,}")


def split_lines(text: str) -> list[Line]:
    """Non-blank lines with the blank lines above each; glued paragraphs split, chrome
    cut off the ends of a line (a headline glued between two tool bars comes out on
    its own), hard wraps joined."""
    pieces: list[Line] = []
    gap = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = _ZERO_WIDTH.sub("", raw)
        if not raw.strip():
            gap += 1
            continue
        indented = raw[:1] in "\u3000\t" or raw.startswith("  ")
        parts = [part for piece in unglue(raw) for part in cut_chrome_edges(piece)]
        for i, part in enumerate(parts):
            line = Line(text=part, number=number, gap_before=gap if i == 0 else 1)
            line.indented = indented
            pieces.append(line)
        gap = 0
    width = _wrap_width(pieces)
    lines: list[Line] = []
    for line in pieces:
        if lines and line.gap_before == 0 and _is_wrapped(lines[-1].text, line.text, width):
            lines[-1].text += line.text
        else:
            lines.append(line)
    return lines


def _wrap_width(lines: list[Line]) -> int:
    """The width a hard-wrapped page is cut at: most of its long lines reach it."""
    lengths = sorted(len(line.text) for line in lines if len(line.text) >= 10)
    if len(lengths) < 3:
        return 10**6
    return lengths[int(len(lengths) * 0.9) - 1]


def _is_wrapped(text: str, following: str, width: int) -> bool:
    """A line that a hard wrap cut: as long as the page's lines get, mid-sentence,
    followed by more text at once."""
    return (
        len(text) >= 20
        and len(text) >= 0.85 * width
        and bool(re.search(r"[,、;]", fold(text)))  # running text, not a line of labels
        and not ends_sentence(text)
        and fold(text)[-1:] not in ":"
        and not re.search(r"(摄|供图)\s*$", text)
        and chinese.count_han(following) >= 1
        and not is_chrome(following)
        and not v.LABEL_AT_START.match(following)  # "责任编辑：钟慧" after a sign-off
    )


def unglue(raw: str) -> list[str]:
    """Split a line that holds several paragraphs, or text between pieces of chrome."""
    stripped = raw.strip()
    pieces = [p.strip() for p in _GLUE.split(stripped) if p.strip()]
    if len(pieces) >= 2:
        long_pieces = sum(1 for p in pieces if chinese.count_han(p) >= 12 and clause_marks(p))
        chrome = [is_chrome(p) for p in pieces]
        if long_pieces >= 2 or (any(chrome) and not all(chrome)):
            return [_SPACES.sub(" ", p) for p in pieces]
    return [_SPACES.sub(" ", stripped)]


# One token of a tool bar: a chrome word with its brackets and colon, or the 大 中 小
# of a font-size picker.
_TOOL_TOKEN = Folded(
    rf"^[【\[(]?\s*(?:{v.CHROME_WORDS.regex.pattern[1:-1]})\s*[】\])]?\s*:?\s*(?:[大中小]\s*)*$|^[大中小]$",
    re.IGNORECASE,
)
_SHARE_TARGETS = Folded(
    r"^(微信|微博|新浪微博|腾讯微博|QQ|QQ空间|朋友圈|豆瓣|人人网|复制链接|链接)$"
)


def cut_chrome_edges(piece: str) -> list[str]:
    """ "分享到： 标题 字号：大 中 小" -> ["分享到：", "标题", "字号：大 中 小"]: tool-bar
    tokens at either end of a line become pieces of their own."""
    tokens = piece.split(" ")
    if len(tokens) < 2 or is_breadcrumb(piece):
        return [piece]

    def is_tool(token: str) -> bool:
        return bool(_TOOL_TOKEN.match(token) or _SHARE_TARGETS.match(token))

    head = 0
    while head < len(tokens) and is_tool(tokens[head]):
        head += 1
    tail = len(tokens)
    while tail > head and is_tool(tokens[tail - 1]):
        tail -= 1
    middle = " ".join(tokens[head:tail])
    if (head == 0 and tail == len(tokens)) or chinese.count_han(middle) < 4:
        return [piece]
    parts = [" ".join(tokens[:head]), middle, " ".join(tokens[tail:])]
    return [p for p in parts if p]
