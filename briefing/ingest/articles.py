"""The body's lines -> articles: paragraphs joined, appended stories split off.

A page sometimes carries a second, unrelated story after the first (a mirror
pasting the next item of its feed): a section whose words share almost nothing
with the article before it becomes its own article.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from briefing.ingest import vocabulary as v
from briefing.ingest.page import Line, Role
from briefing.ingest.text import ends_sentence, fold
from briefing.model import Article
from briefing.text import chinese

# A section whose words share less than this (cosine) with the article before it
# is a different story that the page happened to carry.
APPENDED_ARTICLE_SIMILARITY = 0.12


@dataclass
class Section:
    """The lines of one article on the page, title first."""

    title: str
    lines: list[Line]


def split_articles(title: str, body: list[Line]) -> list[Section]:
    """Cut the body where an unrelated story begins.

    Candidates are section headings. The text from a heading to the next byline
    (or the end) is compared with everything before it; a section that shares
    almost no words with the article is a different story.
    """
    cuts: list[int] = []
    for i, line in enumerate(body):
        if line.role is not Role.HEADING or i == 0:
            continue
        start = cuts[-1] if cuts else 0
        before = "\n".join([section_text(body[start:i]), title if not cuts else ""])
        after_end = next(
            (j + 1 for j in range(i + 1, len(body)) if body[j].role is Role.BYLINE), len(body)
        )
        after = section_text(body[i:after_end])
        if chinese.count_han(after) < 100 or chinese.count_han(before) < 100:
            continue
        similarity = text_similarity(before, after)
        if similarity < APPENDED_ARTICLE_SIMILARITY:
            line.role = Role.NEW_ARTICLE
            line.why = f"shares little with the story above (similarity {similarity:.2f})"
            cuts.append(i)
    sections = []
    for n, (a, b) in enumerate(itertools.pairwise([0, *cuts, len(body)])):
        chunk = body[a:b]
        if n == 0:
            sections.append(Section(title=title, lines=chunk))
        else:
            sections.append(Section(title=chunk[0].text, lines=chunk[1:]))
    return sections


def section_text(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines if line.role in (Role.BODY, Role.HEADING))


def text_similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts' content words (log-scaled counts)."""
    wa, wb = chinese.word_profile(a), chinese.word_profile(b)
    va = {w: 1 + math.log(c) for w, c in wa.items()}
    vb = {w: 1 + math.log(c) for w, c in wb.items()}
    dot = sum(va[w] * vb[w] for w in va.keys() & vb.keys())
    norm = math.sqrt(sum(x * x for x in va.values())) * math.sqrt(sum(x * x for x in vb.values()))
    return dot / norm if norm else 0.0


def join_broken_paragraphs(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join a paragraph that a page or line break cut mid-sentence to its continuation."""
    joined: list[tuple[str, str]] = []
    for kind, text in blocks:
        if (
            kind == "paragraph"
            and joined
            and joined[-1][0] == "paragraph"
            and len(joined[-1][1]) >= 30
            and not ends_sentence(joined[-1][1])
            and fold(joined[-1][1])[-1] not in ",:"
            and fold(text)[:1] not in "(["
        ):
            joined[-1] = ("paragraph", joined[-1][1] + text)
        else:
            joined.append((kind, text))
    # A closing "(完)" ends the article text; it is not part of it.
    if joined and joined[-1][0] == "paragraph":
        joined[-1] = ("paragraph", v.END_MARK.sub("", joined[-1][1]))
    return [(kind, text) for kind, text in joined if text.strip()]


def split_title(text: str) -> tuple[str, str | None, str | None]:
    """Title -> (title, subtitle, column tag).

    "【全方位推动高质量发展】山西智创城NO.4打造发展新动能" has a column tag.
    A couplet headline "“草本灌木”育新机 “乔木成林”筑高地晋中市……的生动实践"
    had its subtitle glued on: the second half of the couplet is as long as the first.
    """
    column = None
    if match := v.COLUMN_TAG.match(text):
        column, text = match[1], text[match.end() :]
    subtitle = None
    halves = text.split(" ")
    if len(halves) == 2 and len(text) >= 36:
        first, second = halves
        if len(second) - len(first) >= 10 and len(first) >= 4:
            text, subtitle = f"{first} {second[: len(first)]}", second[len(first) :]
    return text.strip(), subtitle, column


def is_teaser_of(summary: str, paragraph: str) -> bool:
    teaser = summary.rstrip(".…。 ")
    return len(teaser) >= 10 and paragraph.startswith(teaser[: max(10, len(teaser) - 2)])


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
