"""A raw scraped page (text) -> clean Chinese articles: the rules of ingest.

The page is read as a list of lines. Each line gets a role (site name,
navigation, metadata, title, body, caption, byline, footer chrome, ...) by
general rules about how Chinese news pages are laid out, not by rules for
particular files. `explain()` prints the roles, which is how a rule is
debugged on a new page.

The story of `clean_page()`:
  1. repair the script (pinyin annotations out, Traditional -> Simplified);
  2. split paragraphs glued on one line, note blank-line gaps (images sat there);
  3. find the title in the page header and read date, source, kicker from it;
  4. give every body line a role; drop chrome; keep captions, bylines, via;
  5. join paragraphs a page break cut in two;
  6. split off a second, unrelated article appended to the page;
  7. report lost characters (mojibake) per paragraph.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum

from briefing import chinese
from briefing.content import escape_markdown
from briefing.model import Article, Block

# --- what lines look like ----------------------------------------------------------

# Pages write punctuation full-width (，：（）) or half-width (,:()); the rules
# are written half-width and match both. Folding maps one character to one, so
# match positions hold for the original text, which is what we keep.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    return text.translate(_FULL_WIDTH)


class _Folded:
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


_CLOSING_QUOTES = "”’」』\"')）"
_SENTENCE_END = _Folded(r"[。!?…]")
_CLAUSE_PUNCTUATION = _Folded(r"[,。;!?、]")

_DATE = _Folded(
    r"(?<!\d)(20\d\d|19\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})\s*[:时]\s*(\d{2})(?:\s*[:分]\s*(\d{2}))?)?"
)
_META_LABEL = _Folded(
    r"(发布时间|发布日期|更新时间|时间|日期|来源|稿源|作者|编辑|责编|记者|浏览|阅读|点击|字号|评论)\s*:"
)
_SOURCE_LABEL = _Folded(r"(?:来源|稿源|出处)\s*:\s*([^\s|｜/]+)")
_NAV = _Folded(r"(您的位置|当前位置|所在位置|首页\s*[>›»/]|[>›»]\s*正文)")
_NAV_SEPARATOR = _Folded(r"(?<![<\w/])\s*[>›»]\s*")
_SITE_SUFFIX = _Folded(
    r"(网|网站|在线|资讯|新闻|日报|晚报|早报|时报|周刊|频道|门户|电视台|\.com|\.cn|\.net)$"
)
_SITE_SEPARATORS = _Folded(r"\s*[-_|｜—]+\s*")
_NOISE = _Folded(r"^[\d\s\W_]{0,8}$")  # counters ("0", "2"), lone "?" and bullets
# Page tool bars: font size, print, share, favourites.
_PAGE_TOOLS = _Folded(
    r"^【?(字号|字体|打印|分享到?|收藏|关闭|返回|阅读模式|默认\s*大|大\s*中\s*小)"
)
_COLUMN_TAG = _Folded(r"^[【\[]([^】\]]{2,20})[】\]]\s*")

# Footer chrome: once one of these follows the article, the page has moved on.
_FOOTER_START = _Folded(
    r"^(【?\s*(版权|免责|郑重|特别)(及免责)?声明|版权所有|copyright|©|本文地址|原文地址|原文链接|"
    r"留言与评论|发表评论|网友评论|我要评论|验证码|关于我们|关于.{2,12}网$|联系我们|分享到|"
    r"扫一扫|返回顶部|上一篇|下一篇|打印本页|关闭窗口|【?\s*纠错|【?\s*责任编辑|编辑:|责编:)",
    re.IGNORECASE,
)
_FOOTER_ANYWHERE = _Folded(r"(ICP备|公网安备|版权所有|All rights reserved)", re.IGNORECASE)
# Lists of other stories: the heading and the short lines under it go.
_LIST_HEADING = _Folded(
    r"^(相关推荐|相关阅读|相关新闻|相关文章|延伸阅读|推荐阅读|热点\S{0,4}|热门\S{0,4}|猜你喜欢|"
    r"更多\S{0,6}|精彩推荐|最新\S{0,4}|排行\S{0,4}|今日推荐|图片新闻|视频推荐|微信公众号)$"
)
_END_MARK = _Folded(r"\s*[(【\[]\s*完\s*[)】\]]\s*$")
_SUMMARY = _Folded(r"^(摘要|导读|核心提示|内容提要)\s*:\s*")
_VIA = _Folded(r"^(转自|转载自|转载于|来源|稿源|文章来源|本文来源|新闻来源)\s*:\s*(.{2,30})$")

_NAME = r"[\u4e00-\u9fff·]{2,5}"
_NAMES = rf"{_NAME}(?:[\s、,]+{_NAME})*"
_ROLE_WORDS = (
    r"(?:本报|本台|本刊|全媒体|融媒体|特约|见习)?(?:记者|通讯员|作者|撰文|采写|文字|实习生)"
)
_BYLINE_LINE = _Folded(rf"^(?:{_ROLE_WORDS}\s*[:/]?\s*{_NAMES}\s*)+$")
_BYLINE_PART = _Folded(rf"{_ROLE_WORDS}\s*[:/]?\s*({_NAMES})")
_SLASH_BYLINE = _Folded(rf"^文\s*/\s*({_NAMES})$")
# "(晋中日报记者 周八)" on a line of its own; "(完)" is an end mark, checked first.
_NAMES_IN_BRACKETS = rf"\(\s*(?:[\u4e00-\u9fff]{{0,8}}?(?:记者|通讯员|作者):?\s*)?({_NAMES})\s*\)"
_BRACKET_BYLINE = _Folded(rf"^{_NAMES_IN_BRACKETS}$")
_PHOTO_CREDIT = _Folded(
    rf"^(?:本版)?(?:摄影|图片|图|摄)\s*[:/]?\s*(?:{_ROLE_WORDS}\s*)?({_NAMES})$"
)
# Reporters in brackets at the end of the last paragraph: "……智创高地。(刘宪芳)"
_TRAILING_NAMES = _Folded(rf"(?<=[。!?”」…])\s*{_NAMES_IN_BRACKETS}\s*$")
# "……过好节。” 本报记者 贺娟芳"
_TRAILING_BYLINE = _Folded(rf"(?<=[。!?”」…])\s*({_ROLE_WORDS}\s*:?\s*{_NAMES})\s*$")
# Dateline with reporters: "中新网太原2月27日电 (杨杰英 张云)"
_DATELINE_NAMES = _Folded(rf"^(.{{2,30}}?[电讯])\s*\(\s*(?:记者\s*)?({_NAMES})\s*\)")

_CAPTION_CREDIT = _Folded(
    r"(\s*[\u4e00-\u9fff·]{2,5}\s*摄|供图|摄影|图片来源:.*|\(图片来源.*\))\s*$"
)
_CAPTION_START = _Folded(r"^(图为|图:|\(图\)|▲)")

HEADING_MAX_CHARS = 32  # a section heading is short ...
HEADLINE_MAX_CHARS = 80  # ... a page title may be longer
PROSE_MIN_CHARS = 30
CAPTION_MAX_CHARS = 40

# A section whose words share less than this (cosine) with the article before
# it is a different story that the page happened to carry.
APPENDED_ARTICLE_SIMILARITY = 0.12


class Role(Enum):
    SITE = "site name"
    NAV = "navigation"
    META = "metadata"
    KICKER = "kicker"
    TITLE = "title"
    SUMMARY = "summary"
    BODY = "body"
    HEADING = "heading"
    CAPTION = "caption"
    BYLINE = "byline"
    PHOTO_CREDIT = "photo credit"
    VIA = "via"
    END_MARK = "end mark"
    NOISE = "noise"
    FOOTER = "footer chrome"
    LIST = "story list"
    NEW_ARTICLE = "title of an appended article"


@dataclass
class Line:
    text: str
    number: int  # 1-based line number in the raw file, for messages
    gap_before: int  # blank lines above it
    role: Role | None = None
    why: str = ""


@dataclass
class CleanPage:
    """What ingest made of one raw page: its articles and what it noticed."""

    articles: list[Article]
    lines: list[Line]
    notes: list[str] = field(default_factory=list)  # one-line warnings, without the file name


class IngestError(ValueError):
    """The page cannot become an article (the caller adds the file name)."""


# --- the story ---------------------------------------------------------------------


def clean_page(text: str, original: str, original_sha256: str) -> CleanPage:
    """Turn a raw page's decoded text into one or more clean articles."""
    text = repair_script(text)
    lines = split_lines(text)
    if not any(chinese.count_han(line.text) for line in lines):
        raise IngestError("no Chinese text found")
    body_start = read_header(lines)
    classify_body(lines, body_start)
    header = header_fields(lines[:body_start])
    sections = split_articles(lines, body_start)
    page = CleanPage(articles=[], lines=lines)
    page_id = make_id(header.get("date"), hashlib.sha256(text.encode("utf-8")).hexdigest())
    for number, section in enumerate(sections, start=1):
        # Further stories on the page share its id, so they sort and read as its parts.
        article_id = page_id if number == 1 else f"{page_id}-{number}"
        article = build_article(section, header if number == 1 else {}, article_id)
        article.original, article.original_sha256 = original, original_sha256
        if number > 1:
            article.part = number
            article.source = header.get("source")
            page.notes.append(
                f"a second article ({article.title!r}) follows the first on this page; "
                f"ingested it on its own as {article.id}"
            )
        article.warnings = mojibake_warnings(article)
        page.notes.extend(article.warnings)
        page.articles.append(article)
    return page


def explain(page: CleanPage) -> str:
    """One line per raw line: its role and why, for debugging the rules on a page."""
    rows = []
    for line in page.lines:
        role = line.role.value if line.role else "?"
        why = f" ({line.why})" if line.why else ""
        rows.append(f"{line.number:4} {role:>14}{why}: {line.text[:60]}")
    return "\n".join(rows)


# --- 1. script ------------------------------------------------------------------------


def repair_script(text: str) -> str:
    """Drop pinyin annotations, then convert Traditional to Simplified if the page is Traditional."""
    text = chinese.strip_pinyin_annotations(text)
    if chinese.is_traditional(text):
        text = chinese.to_simplified(text)
    return text


# --- 2. lines -----------------------------------------------------------------------------

_SPACES = _Folded(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = _Folded(r"[\u200b-\u200d\u2060\ufeff]")
_GLUE = _Folded(r"[ \t\u00a0\u3000]{2,}")


def split_lines(text: str) -> list[Line]:
    """Non-blank lines with the number of blank lines above each; glued paragraphs split."""
    lines: list[Line] = []
    gap = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = _ZERO_WIDTH.sub("", raw)
        if not raw.strip():
            gap += 1
            continue
        for i, piece in enumerate(_unglue(raw)):
            if i == 0 and gap == 0 and lines and _is_wrapped(lines[-1].text):
                lines[-1].text += piece
            else:
                lines.append(Line(text=piece, number=number, gap_before=gap if i == 0 else 1))
        gap = 0
    return lines


def _is_wrapped(text: str) -> bool:
    """A line that a hard wrap cut: long, mid-sentence, followed by a line with no gap."""
    return (
        len(text) >= 20
        and bool(re.search(r"[,、;]", fold(text)))
        and not _ends_sentence(text)
        and not _CAPTION_CREDIT.search(text)
    )


def _unglue(raw: str) -> list[str]:
    """Split a line that holds several paragraphs separated by runs of spaces."""
    pieces = [p.strip() for p in _GLUE.split(raw.strip()) if p.strip()]
    long_pieces = sum(1 for p in pieces if chinese.count_han(p) >= 20)
    if long_pieces >= 2:
        return [_SPACES.sub(" ", p) for p in pieces]
    return [_SPACES.sub(" ", raw.strip())]


def _is_prose(text: str) -> bool:
    """A line of running text: long enough and punctuated like sentences."""
    return len(text) >= PROSE_MIN_CHARS and bool(_CLAUSE_PUNCTUATION.search(text))


def _ends_sentence(text: str) -> bool:
    """Ends like a sentence: 。!?… or ; or a closing quote after one of them."""
    text = fold(text).rstrip()
    while text and text[-1] in _CLOSING_QUOTES:
        if len(text) >= 2 and text[-2] in _CLOSING_QUOTES + "。!?…;":
            text = text[:-1]
            continue
        return False
    return text[-1:] in "。!?…;"


def _is_site_name(text: str) -> bool:
    parts = [p for p in _SITE_SEPARATORS.split(text) if p]
    return (
        len(text) <= 30
        and not _CLAUSE_PUNCTUATION.search(text)
        and all(_SITE_SUFFIX.search(p) for p in parts)
    )


def _is_breadcrumb(text: str) -> bool:
    """ "您的位置:首页 >新闻 >", "新华网 > 时政 > 正文" (but not "<b>x</b>")."""
    if _NAV.search(text):
        return True
    return (
        len(text) <= 40
        and "<" not in text
        and len(_NAV_SEPARATOR.findall(text)) >= 2
        and not _CLAUSE_PUNCTUATION.search(text)
    )


def _is_byline(text: str) -> bool:
    return bool(
        _BYLINE_LINE.match(text) or _SLASH_BYLINE.match(text) or _BRACKET_BYLINE.match(text)
    )


def byline_names(text: str) -> list[str]:
    names = [n for part in _BYLINE_PART.finditer(text) for n in _split_names(part[1])]
    for pattern in (_SLASH_BYLINE, _BRACKET_BYLINE):
        if not names and (match := pattern.match(text)):
            names = _split_names(match[1])
    return names


def _is_headline_like(text: str, max_chars: int) -> bool:
    return (
        chinese.count_han(text) >= 2
        and len(text) <= max_chars
        and not _ends_sentence(text)
        and fold(text)[-1] not in ",:、"
        and "。" not in text  # "?" and "!" do occur inside headings: 到底有多“智”?人才新地标
    )


# --- 3. header --------------------------------------------------------------------------


def read_header(lines: list[Line]) -> int:
    """Give roles to the page header; return the index of the first body line.

    The header runs until the first line of running text. The title is the last
    headline-like line in it; a headline-like line right above the title is a
    kicker (引题). Everything else up there is site chrome or metadata.
    """
    body_start = len(lines)
    for i, line in enumerate(lines):
        role, why = _header_role(line.text)
        if role in (Role.BODY, Role.SUMMARY, Role.CAPTION) and (role is Role.BODY or i > 0):
            body_start = i
            break
        line.role, line.why = role, why
    title_index = None
    for i in range(body_start - 1, -1, -1):
        if lines[i].role is Role.TITLE:
            title_index = i
            break
    if title_index is None:
        # No headline above the text: a first line of text short enough to be a title.
        if body_start < len(lines) and _is_headline_like(
            lines[body_start].text, HEADLINE_MAX_CHARS
        ):
            title_index, body_start = body_start, body_start + 1
            lines[title_index].role = Role.TITLE
        else:
            raise IngestError("no recognizable title (no headline-like line before the text)")
    for i in range(title_index):
        line = lines[i]
        if line.role is Role.TITLE:
            if i == title_index - 1 and not _same_headline(line.text, lines[title_index].text):
                line.role, line.why = Role.KICKER, "headline-like line right above the title"
            else:
                line.role, line.why = Role.SITE, "page title or site banner above the headline"
    return body_start


def _header_role(text: str) -> tuple[Role, str]:
    if _NOISE.match(text):
        return Role.NOISE, "digits or symbols only"
    if _is_breadcrumb(text):
        return Role.NAV, "breadcrumb"
    if _PAGE_TOOLS.match(text):
        return Role.NOISE, "page tools"
    if _is_byline(text):
        return Role.BYLINE, "reporters"
    if _SUMMARY.match(text):
        return Role.SUMMARY, "teaser"
    if _CAPTION_CREDIT.search(text) or _CAPTION_START.match(text):
        return Role.CAPTION, "photo credit"
    has_date = _DATE.search(text)
    if (
        (has_date or _META_LABEL.search(text))
        and not _SENTENCE_END.search(text)
        and len(text) <= 100
    ):
        return Role.META, "date, source or counters"
    if _is_site_name(text):
        return Role.SITE, "site name"
    if _is_headline_like(text, HEADLINE_MAX_CHARS):
        return Role.TITLE, "headline-like"
    if _is_prose(text) or _ends_sentence(text):
        return Role.BODY, ""
    return Role.NOISE, "neither headline nor text"


def _same_headline(a: str, b: str) -> bool:
    a, b = _COLUMN_TAG.sub("", a), _COLUMN_TAG.sub("", b)
    return a.startswith(b) or b.startswith(a)


def header_fields(header: list[Line]) -> dict:
    """Title, kicker, date, source and header authors read from the header lines."""
    fields: dict = {}
    for line in header:
        if line.role is Role.TITLE:
            fields["title"] = line.text
        elif line.role is Role.KICKER:
            fields["kicker"] = line.text
        elif line.role is Role.META:
            if "date" not in fields and (date := parse_date(line.text)):
                fields["date"] = date
            if "source" not in fields and (source := _meta_source(line.text)):
                fields["source"] = source
        elif line.role is Role.BYLINE:
            fields.setdefault("authors", []).extend(byline_names(line.text))
        elif line.role is Role.SITE and "site" not in fields and _is_site_name(line.text):
            # "大院网-山西大院资讯网", "太原新闻网_太原市重点新闻网站": a name ending in 网
            # beats a description ending in 网站; the fuller name beats the short one.
            parts = [p for p in _SITE_SEPARATORS.split(line.text) if p]
            fields["site"] = max(parts, key=lambda p: (p.endswith("网"), len(p)))
    if "source" not in fields and "site" in fields:
        fields["source"] = fields["site"]
    return fields


def _meta_source(text: str) -> str | None:
    if match := _SOURCE_LABEL.search(text):
        return match[1]
    for token in text.split():
        if _is_site_name(token) and not _DATE.search(token):
            return token
    return None


def parse_date(text: str) -> str | None:
    """The first date in a line as ISO 8601; China time (+08:00) where a time is given."""
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day, hour, minute, second = match.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day)).isoformat()
        stamp = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            tzinfo=dt.timezone(dt.timedelta(hours=8)),
        )
    except ValueError:
        return None
    return stamp.isoformat()


# --- 4. body roles ------------------------------------------------------------------------


def classify_body(lines: list[Line], start: int) -> None:
    """Give every line after the header its role."""
    gaps = Counter(line.gap_before for line in lines[start:]) or Counter({1: 1})
    usual_gap = gaps.most_common(1)[0][0]
    footer = False
    in_list = False
    seen_text = False
    for line in lines[start:]:
        text = line.text
        if footer:
            line.role, line.why = Role.FOOTER, "below the page footer"
            continue
        if seen_text and (_FOOTER_START.match(text) or _FOOTER_ANYWHERE.search(text)):
            line.role, line.why, footer = Role.FOOTER, "copyright, comments or site footer", True
            continue
        if _LIST_HEADING.match(text):
            line.role, line.why, in_list = Role.LIST, "list of other stories", True
            continue
        if in_list:
            if _is_prose(text) and _ends_sentence(text):
                in_list = False
            else:
                line.role, line.why = Role.LIST, "item of a story list"
                continue
        role, why = _body_role(text, line.gap_before, usual_gap)
        line.role, line.why = role, why
        seen_text = seen_text or role is Role.BODY


def _body_role(text: str, gap_before: int, usual_gap: int) -> tuple[Role, str]:
    if _NOISE.match(text):
        return Role.NOISE, "digits or symbols only"
    if _END_MARK.fullmatch(text):
        return Role.END_MARK, "end of article mark"
    if _SUMMARY.match(text):
        return Role.SUMMARY, "teaser"
    if _is_byline(text):
        return Role.BYLINE, "reporters"
    if _PHOTO_CREDIT.match(text):
        return Role.PHOTO_CREDIT, "photographers"
    if _VIA.match(text):
        return Role.VIA, "reposted from"
    if _CAPTION_CREDIT.search(text) or _CAPTION_START.match(text):
        return Role.CAPTION, "photo credit"
    if (
        gap_before > usual_gap
        and len(text) <= CAPTION_MAX_CHARS
        and len(_SENTENCE_END.findall(text)) <= 1
        and _ends_sentence(text)
    ):
        return Role.CAPTION, "lone sentence where an image stood"
    if _is_headline_like(text, HEADING_MAX_CHARS) and not _is_prose(text):
        return Role.HEADING, "short line without sentence punctuation"
    return Role.BODY, ""


# --- 5 and 6. blocks and articles ----------------------------------------------------


@dataclass
class Section:
    """The lines of one article on the page, title first."""

    title: str
    lines: list[Line]


def split_articles(lines: list[Line], body_start: int) -> list[Section]:
    """Cut the page body where an unrelated story begins.

    Candidates are section headings. The text from a heading to the next byline
    (or the end) is compared with everything before it; a section that shares
    almost no words with the article is a different story.
    """
    title = next(line.text for line in lines[:body_start] if line.role is Role.TITLE)
    body = [line for line in lines[body_start:] if line.role not in (Role.FOOTER, Role.LIST)]
    cuts = []
    for i, line in enumerate(body):
        if line.role is not Role.HEADING or i == 0:
            continue
        start = cuts[-1] if cuts else 0
        before = "\n".join([_section_text(body[start:i]), title if not cuts else ""])
        after_end = next(
            (j + 1 for j in range(i + 1, len(body)) if body[j].role is Role.BYLINE), len(body)
        )
        after = _section_text(body[i:after_end])
        if chinese.count_han(after) < 100 or chinese.count_han(before) < 100:
            continue
        similarity = text_similarity(before, after)
        if similarity < APPENDED_ARTICLE_SIMILARITY:
            line.role = Role.NEW_ARTICLE
            line.why = f"shares little with the story above (similarity {similarity:.2f})"
            cuts.append(i)
    sections = []
    bounds = [0, *cuts, len(body)]
    for n, (a, b) in enumerate(itertools.pairwise(bounds)):
        chunk = body[a:b]
        if n == 0:
            sections.append(Section(title=title, lines=chunk))
        else:
            sections.append(Section(title=chunk[0].text, lines=chunk[1:]))
    return sections


def _section_text(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines if line.role in (Role.BODY, Role.HEADING))


def text_similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts' content words (log-scaled counts)."""
    wa, wb = chinese.word_profile(a), chinese.word_profile(b)
    va = {w: 1 + math.log(c) for w, c in wa.items()}
    vb = {w: 1 + math.log(c) for w, c in wb.items()}
    dot = sum(va[w] * vb[w] for w in va.keys() & vb.keys())
    norm = math.sqrt(sum(v * v for v in va.values())) * math.sqrt(sum(v * v for v in vb.values()))
    return dot / norm if norm else 0.0


def build_article(section: Section, header: dict, article_id: str) -> Article:
    """Assemble one article from its lines: body blocks, bylines, captions, via."""
    authors: list[str] = list(header.get("authors", []))
    photographers: list[str] = []
    captions: list[str] = []
    via = None
    summary = None
    blocks: list[tuple[str, str]] = []  # (kind, plain text)
    for line in section.lines:
        role, text = line.role, line.text
        if role is Role.BODY:
            blocks.append(("paragraph", text))
        elif role is Role.HEADING:
            blocks.append(("heading", text))
        elif role is Role.CAPTION:
            captions.append(text)
        elif role is Role.BYLINE:
            authors.extend(byline_names(text))
        elif role is Role.PHOTO_CREDIT:
            photographers.extend(_split_names(_PHOTO_CREDIT.match(text)[1]))
        elif role is Role.VIA:
            via = _VIA.match(text)[2].strip()
        elif role is Role.SUMMARY:
            summary = _SUMMARY.sub("", text)
    blocks = join_broken_paragraphs(blocks)
    blocks, trailing_authors = take_trailing_authors(blocks)
    authors.extend(trailing_authors)
    if blocks and blocks[0][0] == "paragraph" and (match := _DATELINE_NAMES.match(blocks[0][1])):
        authors = _split_names(match[2]) + authors
    if summary and any(_is_teaser_of(summary, text) for _, text in blocks):
        summary = None  # a teaser that repeats the first paragraph adds nothing
    title, subtitle, column = split_title(section.title)
    date = header.get("date")
    article = Article(
        id=article_id,
        lang="zh",
        title=title,
        subtitle=subtitle,
        kicker=header.get("kicker"),
        date=date,
        source=header.get("source"),
        via=via,
        authors=_unique(authors),
        photographers=_unique(photographers),
        tags=[column] if column else [],
        summary=summary,
        captions=captions,
        blocks=[Block(kind, escape_markdown(text)) for kind, text in blocks],  # type: ignore[arg-type]
    )
    if not article.paragraphs:
        raise IngestError(f"no article text found under the title {title!r}")
    return article


def join_broken_paragraphs(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join a paragraph that a page or line break cut mid-sentence to its continuation."""
    joined: list[tuple[str, str]] = []
    for kind, text in blocks:
        if (
            kind == "paragraph"
            and joined
            and joined[-1][0] == "paragraph"
            and _is_prose(joined[-1][1])
            and not _ends_sentence(joined[-1][1])
            and fold(joined[-1][1])[-1] not in ",:"
        ):
            joined[-1] = ("paragraph", joined[-1][1] + text)
        else:
            joined.append((kind, text))
    # A closing "(完)" ends the article text; it is not part of it.
    if joined and joined[-1][0] == "paragraph":
        joined[-1] = ("paragraph", _END_MARK.sub("", joined[-1][1]))
    return joined


def take_trailing_authors(blocks: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """Reporter names closing the last paragraph, "(李锐娜)" or "本报记者 贺娟芳", move to authors."""
    for index in range(len(blocks) - 1, -1, -1):
        kind, text = blocks[index]
        if kind != "paragraph":
            continue
        text = _END_MARK.sub("", text)
        for pattern in (_TRAILING_NAMES, _TRAILING_BYLINE):
            if match := pattern.search(text):
                names = _BYLINE_PART.search(match[1])
                found = _split_names(names[1] if names else match[1])
                blocks = [
                    *blocks[:index],
                    (kind, text[: match.start()].rstrip()),
                    *blocks[index + 1 :],
                ]
                return blocks, found
        return blocks, []
    return blocks, []


def split_title(text: str) -> tuple[str, str | None, str | None]:
    """Title -> (title, subtitle, column tag).

    "【全方位推动高质量发展】山西智创城NO.4打造发展新动能" has a column tag.
    A couplet headline "“草本灌木”育新机 “乔木成林”筑高地晋中市……的生动实践"
    had its subtitle glued on: the second half of the couplet is as long as the first.
    """
    column = None
    if match := _COLUMN_TAG.match(text):
        column, text = match[1], text[match.end() :]
    subtitle = None
    halves = text.split(" ")
    if len(halves) == 2:
        first, second = halves
        if len(second) - len(first) >= 10 and len(first) >= 4:
            text, subtitle = f"{first} {second[: len(first)]}", second[len(first) :]
    return text.strip(), subtitle, column


def _is_teaser_of(summary: str, paragraph: str) -> bool:
    teaser = summary.rstrip(".…。 ")
    return len(teaser) >= 10 and paragraph.startswith(teaser[: max(10, len(teaser) - 2)])


def _split_names(names: str) -> list[str]:
    return [n for n in re.split(r"[\s、,]+", fold(names).strip()) if n]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def make_id(date: str | None, page_hash: str) -> str:
    """Stable ASCII id: the date (or "undated") and a hash of the page's text.

    The hash is of the decoded text, so the same page saved in another encoding
    gets the same id (and is reported as a duplicate).
    """
    return f"{date[:10] if date else 'undated'}-{page_hash[:8]}"


def mojibake_warnings(article: Article) -> list[str]:
    warnings = []
    for number, text in enumerate(article.paragraphs, start=1):
        if excerpt := chinese.find_mojibake(text):
            warnings.append(f"paragraph {number}: lost characters (mojibake) near {excerpt!r}")
    for name in ("title", "subtitle", "source", "via"):
        value = getattr(article, name)
        if value and chinese.find_mojibake(value):
            warnings.append(f"{name}: lost characters (mojibake) in {value!r}")
    return warnings
