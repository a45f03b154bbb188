"""Where the article is on the page: the densest run of prose, and what each line in it is.

Every line has a weight (features.prose_weight): prose counts by its length,
chrome and labels count against, a list of other stories or the footer is a wall.
The body is the run of lines with the largest total weight (the maximum-sum run),
so unknown chrome falls outside it because it is not prose, not because it was
listed. Short lines inside the run are judged by their neighbours: a heading
stands before prose, a caption where an image stood, a byline at an end.
"""

from __future__ import annotations

from collections import Counter

from briefing.ingest import credits as c
from briefing.ingest import vocabulary as v
from briefing.ingest.dates import find_dates
from briefing.ingest.features import HEADING_MAX_CHARS, Features, Kind
from briefing.ingest.page import Line, Role
from briefing.ingest.text import SENTENCE_END, Folded, ends_sentence

CAPTION_CREDIT = Folded(
    r"(\s*[\u4e00-\u9fff·]{2,5}\s*摄(影)?|供图|摄影|图片来源\s*[:：].*|[(（]图片来源.*|"
    r"[(（]\s*(新华社|中新社|本报|记者)?\s*[\u4e00-\u9fff·]{0,5}\s*摄\s*[)）])\s*$"
)
CAPTION_START = Folded(
    r"^[(（]?\s*(图为|图片为|图:|图片:|图\d|\(图\)|▲|△|↑|上图|下图|左图|右图|组图)"
)
SUMMARY_LABEL = Folded(
    r"^[【\[]?\s*(摘要|导读|核心提示|内容提要|提要|编者按|导语)\s*[】\]]?\s*[:|｜]?\s*"
)
VIA_LABEL = Folded(
    r"^[【\[(]?\s*(转自|转载自|转载于|来源|稿源|文章来源|本文来源|新闻来源|信息来源|来源于|本文转自)"
    r"\s*[:|｜]\s*(.{2,40}?)\s*[】\])]?$"
)
CAPTION_MAX_CHARS = 60


def find_run(weights: list[float]) -> tuple[int, int]:
    """The run of lines [start, end) with the largest total weight."""
    best, best_range = float("-inf"), (0, 0)
    total, start = 0.0, 0
    for i, weight in enumerate(weights):
        if total <= 0:
            total, start = 0.0, i
        total += weight
        if total > best:
            best, best_range = total, (start, i + 1)
    return best_range


def body_role(
    line: Line,
    kind: Kind,
    f: Features,
    next_kind: Kind | None,
    usual_gap: int,
    indented_page: bool = False,
):
    """The role of a line inside the body run, and why."""
    text = line.text
    if kind is Kind.SPAM:
        return Role.SPAM, f"spam words: {', '.join(dict.fromkeys(f.spam))}"
    if kind is Kind.BARRIER:
        return Role.LIST, "the page moves on"
    if v.END_MARK.fullmatch(text):
        return Role.END_MARK, "end of article mark"
    if SUMMARY_LABEL.match(text) and len(SUMMARY_LABEL.sub("", text)) >= 10:
        return Role.SUMMARY, "teaser"
    if SUMMARY_LABEL.fullmatch(text):
        return Role.NOISE, "the label of a teaser or editor's note below it"
    credits = c.read_credits(text)
    if credits.whole_line and f.marks <= 3 and not ends_sentence(text):
        return credit_role(credits)
    if (m := VIA_LABEL.match(text)) and not v.looks_like_url(m[2]):
        return Role.VIA, "reposted from"
    if kind is Kind.CHROME:
        return Role.CHROME, "footer words" if f.footer else "menu, tool bar or prompt"
    if kind is Kind.META:
        return Role.META, "labels and values"
    if is_caption(text, f):
        return Role.CAPTION, "photo caption"
    if (
        (line.gap_before > usual_gap or (indented_page and not line.indented))
        and len(text) <= 40
        and len(SENTENCE_END.findall(text)) <= 1
        and ends_sentence(text)
    ):
        return Role.CAPTION, "lone sentence where an image stood"
    if kind is Kind.PROSE:
        return Role.BODY, ""
    # Short lines, by their neighbours.
    if f.headline_shaped and len(text) <= HEADING_MAX_CHARS and next_kind is Kind.PROSE:
        return Role.HEADING, "short line before prose"
    if f.han >= 6 and (ends_sentence(text) or f.marks >= 1) and not f.chrome:
        return Role.BODY, "a short paragraph"
    if find_dates(text) and f.han <= 12:
        return Role.META, "a date"
    return Role.NOISE, "neither text nor heading"


def credit_role(credits: c.Credits) -> tuple[Role, str]:
    if credits.writers:
        return Role.BYLINE, "reporters"
    if credits.photographers and not credits.editors:
        return Role.PHOTO_CREDIT, "photographers"
    return Role.EDITORS, "editors (not authors)"


def is_caption(text: str, f: Features) -> bool:
    """A photo caption: "图为……", "▲……", "……（记者 张三 摄）", "……供图"."""
    if len(text) > 160:
        return False
    if CAPTION_START.match(text):
        return True
    return bool(CAPTION_CREDIT.search(text)) and (f.marks <= 6 or text.lstrip()[:1] in "(（")


def usual_gap(lines: list[Line]) -> int:
    gaps = Counter(line.gap_before for line in lines) or Counter({1: 1})
    return gaps.most_common(1)[0][0]
