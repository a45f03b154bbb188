"""Which line is the headline: every candidate scored, the best one taken.

The strongest evidence is the body itself: an article's headline is written in
its words, so the share of a candidate's character pairs that the body uses
counts most. Then its shape (a headline's length, no full stop, not a label,
byline, menu, site name or spam), where it stands (just above the body, above
the date line), and whether the page prints it twice (window title and
headline) or calls it the original title (原标题).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from briefing.ingest import credits as c
from briefing.ingest import vocabulary as v
from briefing.ingest.dates import find_dates
from briefing.ingest.features import Features, Kind, measure
from briefing.ingest.text import fold
from briefing.text import chinese

# A title guessed with less than this lead over the next candidate, or with less
# of its words in the body, is marked for review.
CLEAR_MARGIN = 1.0
SUPPORTED = 0.35


@dataclass
class Candidate:
    text: str
    line: int  # index of the line it comes from
    score: float = 0.0
    support: float = 0.0  # share of its character pairs used by the body
    reasons: list[str] = field(default_factory=list)

    def add(self, points: float, reason: str) -> None:
        if points:
            self.score += points
            self.reasons.append(f"{points:+.1f} {reason}")


def bigrams(text: str) -> set[str]:
    han = re.sub(r"[^\u3400-\u9fff0-9A-Za-z]", "", text)
    return {han[i : i + 2] for i in range(len(han) - 1)}


def support(text: str, body_pairs: set[str]) -> float:
    """The share of a text's character pairs that the body uses."""
    pairs = bigrams(text)
    return len(pairs & body_pairs) / len(pairs) if pairs else 0.0


def evidence(text: str, body_pairs: set[str]) -> float:
    """Support, discounted for short texts: one shared pair of three ("汾州发布" in a
    text about 汾州) says less than eight of eighteen."""
    pairs = bigrams(text)
    return len(pairs & body_pairs) / (len(pairs) + 3)


def same_text(a: str, b: str) -> bool:
    """The same headline, whatever its spacing and punctuation width."""
    return "".join(fold(a).split()) == "".join(fold(b).split())


def pieces(text: str) -> list[str]:
    """A window title or a spam-glued headline cut at its separators: "标题_站点名"."""
    return [p.strip() for p in v.SEPARATORS.split(text) if p.strip()]


def clean_headline(text: str, body_pairs: set[str]) -> str:
    """Cut what content farms and window titles glue onto a headline (site names, spam,
    channel names), keeping the part the body supports."""
    original = v.ORIGINAL_TITLE.match(text)
    if original:
        text = original[2]
    parts = pieces(text)
    if len(parts) < 2:
        return _without_spam_words(text, body_pairs)
    kept = [
        p for p in parts if not v.spam_hits(p) and not v.is_site_name(p) and not measure(p).chrome
    ]
    if not kept:
        return text
    if len(kept) == len(parts):
        # "主标题——副标题" stays whole; a piece the body never uses beside one it
        # plainly does was glued on ("标题_彩票开奖结果查询").
        backed = [p for p in parts if support(p, body_pairs) >= 0.5]
        if backed and any(support(p, body_pairs) < 0.15 for p in parts):
            kept = [p for p in parts if support(p, body_pairs) >= 0.15]
            return _without_spam_words(" ".join(kept), body_pairs)
        return text
    best = max(kept, key=lambda p: (support(p, body_pairs), len(p)))
    return _without_spam_words(best, body_pairs)


_DASHED = re.compile(r"(?=\s*[—–-]+\s*\S)")
_BRACKETED = re.compile(r"[【\[(（〔][^】\])）〕]{1,24}[】\])）〕]")


def _without_spam_words(text: str, body_pairs: set[str]) -> str:
    """Spam words injected into a headline, which the body never uses, are cut out
    ("云州地铁3号线【百家乐真人】今日起试运营": the whole bracket)."""
    text = _BRACKETED.sub(lambda m: "" if v.spam_hits(m[0]) else m[0], text)
    # A piece after a dash that carries spam: "……助农增收—澳门真人娱乐平台"
    pieces = _DASHED.split(text)
    text = "".join(p for i, p in enumerate(pieces) if i == 0 or not v.spam_hits(p))
    for hit in dict.fromkeys(v.spam_hits(text)):
        if support(hit, body_pairs) < 0.5:
            text = re.sub(rf"[\w.]*{re.escape(hit)}[\w.]*?(?=[\u4e00-\u9fff]{{2}}|$)", "", text)
    return re.sub(r"\s{2,}", " ", text).strip(" |_-—")


def headline_block_places(headlines: list[int], lines: list) -> dict[int, str]:
    """The headline block: the lowest group of adjacent headline-like lines above the text
    (menus and banners stand further up). A newspaper's block is kicker (引题), main
    headline, subtitle (副题); which line is the main one is read from their shape:
    of three, the middle; of two, the lower, unless it reads like a subtitle (figures,
    a comma, a dash) and the upper does not."""
    block: list[int] = []
    # An account's or site's name above the text is not part of the headline block.
    headlines = [
        i
        for i in headlines
        if chinese.count_han(lines[i].text) >= 6 and not v.is_site_name(lines[i].text)
    ]
    for i in reversed(headlines):
        if block and (block[0] - i > 1 or lines[block[0]].gap_before > 1):
            break
        block.insert(0, i)
        if len(block) == 3:
            break
    if not block:
        return {}
    if len(block) == 3:
        main = block[1]
    elif len(block) == 2 and (
        # "——洞庭湖区早稻集中育秧见闻" under its headline: a dash always leads a subtitle
        (dash_led(lines[block[1]].text) and not dash_led(lines[block[0]].text))
        or (
            _reads_like_subtitle(lines[block[1]].text)
            and not _reads_like_subtitle(lines[block[0]].text)
        )
    ):
        main = block[0]
    else:
        main = block[-1]
    return {i: ("main" if i == main else "kicker" if i < main else "subtitle") for i in block}


def _reads_like_subtitle(text: str) -> bool:
    return bool(re.search(r"\d|[,;]", fold(text))) or dash_led(text)


def dash_led(text: str) -> bool:
    return fold(text).lstrip().startswith(("—", "-"))


def score(
    candidate: Candidate,
    f: Features,
    kind: Kind,
    body_pairs: set[str],
    place: str | None,
    meta_below: bool,
    printed_twice: bool,
) -> None:
    """Score one candidate; its reasons say why, for `explain`."""
    text = candidate.text
    han = chinese.count_han(text)
    if han < 4:
        candidate.add(-6, "too short for a headline")
    elif han < 6:
        candidate.add(-3, "short for a headline")
    elif han < 8:
        candidate.add(-1, "short for a headline")
    elif han <= 40:
        candidate.add(1.0, "headline length")
    else:
        candidate.add(-min(6.0, (han - 40) / 6), "long for a headline")
    folded = fold(text)
    if "。" in text or (
        f.ends_sentence and not folded.rstrip().endswith(("?", "!", "”", "?”", "!”"))
    ):
        candidate.add(-4, "ends like a sentence")
    if folded.rstrip()[-1:] in ",:、;":
        candidate.add(-3, "ends mid-sentence")
    if f.marks >= 4:
        candidate.add(-2, "punctuated like prose")
    if kind is Kind.META or f.labels:
        candidate.add(-6, "labels")
    if find_dates(text):
        candidate.add(-3, "a date")
    credits = c.read_credits(text)
    if credits.people and not credits.leftover:
        candidate.add(-8, "a byline")
    if f.nav:
        candidate.add(-8, "navigation")
    if f.chrome or kind is Kind.CHROME:
        candidate.add(-6, "chrome words")
    if kind is Kind.BARRIER:
        candidate.add(-8, "a list heading")
    if v.is_site_name(text):
        candidate.add(-4, "a site name")
    if v.spam_hits(text):
        candidate.add(-3 * len(set(v.spam_hits(text))), "spam words")
    if len(re.findall(r"[|｜]", text)) >= 2:
        candidate.add(-4, "a row of items")
    if v.COLUMN_TAG.fullmatch(text.strip()):
        candidate.add(-5, "a column label only")
    if dash_led(text):
        candidate.add(-3, "a subtitle's dash")
    candidate.support = support(text, body_pairs)
    # Past half the body has shown it is about this headline; the rest of a headline
    # is often rhetoric the text never repeats.
    shown = evidence(text, body_pairs)
    candidate.add(round(6 * min(1.0, shown / 0.5), 2), f"{candidate.support:.0%} of it in the body")
    if place == "main":
        candidate.add(3.0, "the main line of the headline block above the text")
    elif place:
        candidate.add(1.0, f"in the headline block above the text ({place})")
    if meta_below:
        candidate.add(1.5, "a date or source line below it")
    if printed_twice and han >= 6:
        candidate.add(1.5, "printed twice")
