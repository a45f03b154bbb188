"""A raw page (text) -> clean Chinese articles: the story of reading one page.

  1. repair the script (control characters and pinyin annotations out,
     Traditional -> Simplified) and cut the text into lines (text.py);
  2. measure every line (features.py) and find the body: the densest run of
     prose (body.py);
  3. score every headline candidate above the body and take the best (title.py);
  4. give every line a role: above the body (title, kicker, metadata, chrome),
     in it (paragraph, heading, caption, byline, chrome that slipped in) and
     below it (bylines, editors, via, footer);
  5. read date, source and authors from where they stand (metadata.py, credits.py);
  6. split off unrelated stories appended to the page; join paragraphs a page
     break cut (articles.py);
  7. say how sure the reading is: what an editor should check (`review`).

`explain()` prints all of it, line by line, with the title candidates' scores.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field

from briefing.content import escape_markdown
from briefing.ingest import credits as c
from briefing.ingest import metadata as meta
from briefing.ingest import title as t
from briefing.ingest import vocabulary as v
from briefing.ingest.articles import (
    Section,
    is_teaser_of,
    join_broken_paragraphs,
    make_id,
    mojibake_warnings,
    split_articles,
    split_title,
    text_similarity,
)
from briefing.ingest.body import (
    SUMMARY_LABEL,
    VIA_LABEL,
    body_role,
    credit_role,
    find_run,
    is_caption,
    usual_gap,
)
from briefing.ingest.features import Features, Kind, kind_of, measure, prose_weight
from briefing.ingest.lines import split_lines
from briefing.ingest.page import DROPPED, IngestError, Line, Role
from briefing.ingest.text import fold, repair_script
from briefing.model import Article, Block
from briefing.text import chinese

# Less article text than this (Han characters) is not an article.
MIN_BODY_HAN = 20
# Less article text than this is worth a look: a brief, or a page mostly lost.
VERY_SHORT_HAN = 80
# A paragraph at the end of a content farm's page sharing less than this (cosine of
# content words) with the article was pasted on.
UNRELATED_SIMILARITY = 0.05
# A title candidate scoring below this is not a headline at all.
MIN_TITLE_SCORE = -3.0


@dataclass
class Hints:
    """What a saved HTML page's markup says (html.py): it comes before the text's word."""

    headlines: list[str] = field(default_factory=list)  # best first
    date: str | None = None
    date_from: str = ""
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    captions: set[str] = field(default_factory=set)  # <figcaption>s and their like

    def simplified(self) -> Hints:
        """The hints of a Traditional page, in Simplified as its text will be."""
        convert = chinese.to_simplified
        return Hints(
            headlines=[convert(h) for h in self.headlines],
            date=self.date,
            date_from=self.date_from,
            authors=[convert(a) for a in self.authors],
            publisher=convert(self.publisher) if self.publisher else None,
            captions={convert(c) for c in self.captions},
        )


@dataclass
class CleanPage:
    """What ingest made of one raw page: its articles, and how it read the page."""

    articles: list[Article]
    lines: list[Line]
    notes: list[str] = field(default_factory=list)  # one-line warnings, without the file name
    candidates: list[t.Candidate] = field(default_factory=list)  # title candidates, best first
    fields: dict[str, meta.Choice] = field(default_factory=dict)  # where each field came from


@dataclass
class _Page:
    """The page while it is read: its lines and what was measured of them."""

    lines: list[Line]
    features: list[Features]
    kinds: list[Kind]

    def prose(self, start: int, end: int) -> str:
        """The prose lines of lines[start:end], as one text."""
        return "\n".join(
            line.text
            for line, kind in zip(self.lines[start:end], self.kinds[start:end], strict=True)
            if kind is Kind.PROSE
        )


def read_page(
    text: str, original: str, original_sha256: str, hints: Hints | None = None
) -> CleanPage:
    """Turn a raw page's decoded text into one or more clean articles."""
    hints = hints or Hints()
    traditional = chinese.is_traditional(text)
    if traditional:
        hints = hints.simplified()
    text = repair_script(text, traditional)
    lines = split_lines(text)
    if not any(chinese.count_han(line.text) for line in lines):
        raise IngestError("no Chinese text found")
    features = [measure(line.text) for line in lines]
    page = _Page(lines, features, [kind_of(f) for f in features])
    for line, f, kind in zip(lines, features, page.kinds, strict=True):
        line.weight = prose_weight(f, kind)
    start, end = body_run(page)
    if chinese.count_han(page.prose(start, end)) < MIN_BODY_HAN:
        raise IngestError("no article text found (no run of prose on the page)")
    body_pairs = t.bigrams(page.prose(start, end))
    candidates = title_candidates(page, start, body_pairs, hints.headlines)
    if not candidates or candidates[0].score < MIN_TITLE_SCORE:
        raise IngestError("no recognizable title (no headline-like line before the text)")
    chosen = candidates[0]
    title_index = chosen.line
    start = max(start, title_index + 1)
    give_roles(page, chosen, start, end, body_pairs, hints)
    drop_unrelated_tail(page, start, end)
    fields = read_fields(page, chosen, start, end, hints)
    body = [line for line in lines[start:end] if line.role not in DROPPED]
    sections = split_articles(chosen.text, body)
    result = CleanPage(articles=[], lines=lines, candidates=candidates, fields=fields)
    page_id = make_id(_value(fields, "date"), hashlib.sha256(text.encode("utf-8")).hexdigest())
    review = review_reasons(page, candidates, fields, start, end)
    appended = {id(line) for section in sections[1:] for line in section.lines}
    for number, section in enumerate(sections, start=1):
        # Further stories on the page share its id, so they sort and read as its parts.
        article_id = page_id if number == 1 else f"{page_id}-{number}"
        if number == 1:
            own = [line for line in lines if id(line) not in appended]
            article = build_article(section, own, fields, article_id)
        else:
            article = build_article(section, section.lines, {}, article_id)
        article.original, article.original_sha256 = original, original_sha256
        if number > 1:
            article.part = number
            article.source = _value(fields, "source")
            result.notes.append(
                f"a second article ({article.title!r}) follows the first on this page; "
                f"ingested it on its own as {article.id}"
            )
        article.review = [*review] if number == 1 else ["appended to another article's page"]
        if not article.paragraphs:
            raise IngestError(f"no article text found under the title {article.title!r}")
        article.warnings = mojibake_warnings(article)
        result.notes.extend(article.warnings)
        result.articles.append(article)
    return result


# --- 2. the body -------------------------------------------------------------------------


def body_run(page: _Page) -> tuple[int, int]:
    """The densest run of prose; a wall (a list of other stories, the footer) inside it
    splits it, and the heavier side is kept."""
    weights = [line.weight for line in page.lines]
    start, end = find_run(weights)
    while True:
        walls = [i for i in range(start, end) if page.kinds[i] is Kind.BARRIER]
        if not walls:
            return start, end
        wall = walls[0]
        before, after = sum(weights[start:wall]), sum(weights[wall + 1 : end])
        if before >= after:
            end = wall
        else:
            start = wall + 1
        start, end = _trim(weights, start, end)


def _trim(weights: list[float], start: int, end: int) -> tuple[int, int]:
    """The best run inside [start, end)."""
    inner_start, inner_end = find_run(weights[start:end])
    return start + inner_start, start + inner_end


# --- 3. the title ----------------------------------------------------------------------------


def title_candidates(
    page: _Page, start: int, body_pairs: set[str], named: list[str]
) -> list[t.Candidate]:
    """Every line above the body (and the body's first line, if it is short) as a
    headline, scored; best first."""
    lines, kinds = page.lines, page.kinds
    indices = list(range(start))
    if start < len(lines) and kinds[start] is Kind.SHORT:
        indices.append(start)  # a page that starts with its headline and then the text
    texts = [t.clean_headline(lines[i].text, body_pairs) for i in range(len(lines))]
    pieces = [t.pieces(line.text) for line in lines]
    candidates = []
    places = t.headline_block_places(
        [
            i
            for i in indices
            if kinds[i] is Kind.SHORT
            and page.features[i].headline_shaped
            and not line_credits(lines[i].text).whole_line
            and not v.ORIGINAL_TITLE.match(lines[i].text)
        ],
        lines,
    )
    for i in indices:
        text = texts[i]
        if chinese.count_han(text) < 2:
            continue
        f = measure(text) if text != lines[i].text else page.features[i]
        kind = kind_of(f) if text != lines[i].text else kinds[i]
        candidate = t.Candidate(text, i)
        if text != lines[i].text:
            candidate.reasons.append(f"cut from {lines[i].text[:40]!r}")
        if places.get(i) == "subtitle" and t.dash_led(lines[i].text):
            candidate.add(-8, "a subtitle: a dash under its headline")
        if any(t.same_text(text, headline) for headline in named[:3]):
            candidate.add(3, "the page's markup names it the headline")
        if v.ORIGINAL_TITLE.match(lines[i].text):
            candidate.add(-2, "the original title of a repost: the page shows its own")
        meta_below = any(
            kinds[j] is Kind.META or bool(meta.find_dates(lines[j].text))
            for j in range(i + 1, min(i + 4, len(lines)))
        )
        twice = any(j != i and (texts[j] == text or text in pieces[j]) for j in range(len(lines)))
        t.score(candidate, f, kind, body_pairs, places.get(i), meta_below, twice)
        candidates.append(candidate)
    candidates.sort(key=lambda cand: (-cand.score, cand.line))
    return candidates


# --- 4. roles ----------------------------------------------------------------------------------


def give_roles(
    page: _Page, title: t.Candidate, start: int, end: int, body_pairs: set[str], hints: Hints
) -> None:
    lines, kinds, features = page.lines, page.kinds, page.features
    title_index = title.line
    lines[title_index].role = Role.TITLE
    lines[title_index].why = f"best headline (score {title.score:.1f})"
    for i in range(title_index):
        role, why = _above_title_role(lines[i], kinds[i], features[i])
        lines[i].role, lines[i].why = role, why
    if title_index > 0 and _is_kicker(
        lines[title_index - 1],
        kinds[title_index - 1],
        features[title_index - 1],
        lines[title_index].text,
        body_pairs,
    ):
        lines[title_index - 1].role = Role.KICKER
        lines[title_index - 1].why = "headline-like line right above the title"
    gap = usual_gap(lines[start:end])
    captions = {" ".join(caption.split()) for caption in hints.captions}
    prose = [
        line
        for line, kind in zip(lines[start:end], kinds[start:end], strict=True)
        if kind is Kind.PROSE
    ]
    indented_page = sum(line.indented for line in prose) > 0.7 * len(prose)
    for i in range(title_index + 1, end):
        next_kind = kinds[i + 1] if i + 1 < end else None
        role, why = body_role(lines[i], kinds[i], features[i], next_kind, gap, indented_page)
        if lines[i].text in captions:
            role, why = Role.CAPTION, "a caption in the page's markup"
        elif role is Role.BODY and i > 0 and SUMMARY_LABEL.fullmatch(lines[i - 1].text):
            role, why = Role.SUMMARY, "under an editor's note label (编者按)"
        # Between the title and the text: no headings there.
        if i < start and (
            role is Role.HEADING or (role is Role.NOISE and features[i].headline_shaped)
        ):
            role, why = _below_title_role(lines[i], i == title_index + 1)
        lines[i].role, lines[i].why = role, why
    barrier = False
    for i in range(end, len(lines)):
        line = lines[i]
        if kinds[i] is Kind.BARRIER:
            barrier = True
            line.role, line.why = Role.LIST, "the page moves on: other stories, comments or footer"
        elif barrier:
            line.role, line.why = Role.FOOTER, "below the end of the article"
        else:
            line.role, line.why = _below_body_role(line, kinds[i], features[i], i - end)


def _above_title_role(line: Line, kind: Kind, f: Features) -> tuple[Role, str]:
    credits = line_credits(line.text)
    if credits.whole_line:
        return credit_role(credits)
    if kind is Kind.SPAM:
        return Role.SPAM, f"spam words: {', '.join(dict.fromkeys(f.spam))}"
    if f.nav:
        return Role.NAV, "breadcrumb"
    if kind is Kind.META:
        return Role.META, "labels and values"
    if kind in (Kind.CHROME, Kind.BARRIER):
        return Role.CHROME, "menu, tool bar or prompt"
    if v.is_site_name(line.text) or meta.banner_name(line.text):
        return Role.SITE, "site name or window title"
    if kind is Kind.PROSE:
        return Role.NOISE, "text apart from the article"
    return Role.NOISE, "headline-like, but not the title"


def _is_kicker(line: Line, kind: Kind, f: Features, title: str, body_pairs: set[str]) -> bool:
    """A headline-like line right above the title, in the article's words (引题)."""
    return (
        kind is Kind.SHORT
        and line.role is Role.NOISE
        and f.headline_shaped
        and chinese.count_han(line.text) >= 4
        and not line_credits(line.text).people
        and not meta.banner_name(line.text)
        and not _same_headline(line.text, title)
        and t.support(line.text, body_pairs) >= 0.3
    )


def _same_headline(a: str, b: str) -> bool:
    a, b = v.COLUMN_TAG.sub("", a), v.COLUMN_TAG.sub("", b)
    return a.startswith(b) or b.startswith(a)


def _below_title_role(line: Line, right_below: bool) -> tuple[Role, str]:
    if right_below and fold(line.text).lstrip().startswith(("—", "-", "——")):
        return Role.SUBTITLE, "a dash-led line right below the title"
    return Role.NOISE, "headline-like line between the title and the text"


def _below_body_role(line: Line, kind: Kind, f: Features, distance: int) -> tuple[Role, str]:
    # Bare names in brackets sign off the text right below it; further down they are
    # more likely a link or a button.
    credits = line_credits(line.text, bare_names=distance < 2)
    if credits.whole_line:
        return credit_role(credits)
    if v.END_MARK.fullmatch(line.text):
        return Role.END_MARK, "end of article mark"
    if (m := VIA_LABEL.match(line.text)) and not v.looks_like_url(m[2]):
        return Role.VIA, "reposted from"
    if kind is Kind.META:
        return Role.META, "labels and values"
    if is_caption(line.text, f):
        return Role.CAPTION, "photo caption"
    if kind is Kind.SPAM:
        return Role.SPAM, f"spam words: {', '.join(dict.fromkeys(f.spam))}"
    return Role.FOOTER, "below the end of the article"


def line_credits(text: str, bare_names: bool = True) -> c.Credits:
    """The credits of a line; names in brackets on a line of their own are writers."""
    stripped = fold(text).strip()
    bracketed = (
        bare_names
        and stripped[:1] in "([【〔"
        and stripped[-1:] in ")]】〕"
        and not re.search(r"[)\]】〕]", stripped[1:-1])  # one pair, not "[上一篇] [下一篇]"
    )
    return c.read_credits(text, bare_names_are_writers=bracketed)


def drop_unrelated_tail(page: _Page, start: int, end: int) -> None:
    """On a content farm's page (it carried spam), paragraphs at the end that share
    next to no words with the article were pasted on: a diet tip, a car advert."""
    if not any(line.role is Role.SPAM for line in page.lines):
        return
    body = [line for line in page.lines[start:end] if line.role is Role.BODY]
    while len(body) > 2:
        last = body.pop()
        similarity = text_similarity(last.text, "\n".join(line.text for line in body))
        if similarity >= UNRELATED_SIMILARITY:
            return
        last.role, last.why = Role.SPAM, f"appended, unrelated to the article ({similarity:.2f})"


# --- 5. metadata -----------------------------------------------------------------------------------


def read_fields(
    page: _Page, title: t.Candidate, start: int, end: int, hints: Hints
) -> dict[str, meta.Choice]:
    lines, title_index = page.lines, title.line
    fields: dict[str, meta.Choice] = {}
    fields["title"] = meta.Choice(title.text, "the best headline candidate")
    around = [(i, "above" if i < title_index else "head") for i in range(start) if i != title_index]
    around += [
        (i, "meta")
        for i in range(start, end)
        if lines[i].role in (Role.META, Role.BYLINE, Role.EDITORS)
    ]
    # Below the text up to where the page moves on (a list of other stories, the footer).
    tail_end = next((i for i in range(end, len(lines)) if lines[i].role is Role.LIST), len(lines))
    around += [(i, "tail") for i in range(end, tail_end)]
    first = next((line.text for line in lines[start:end] if line.role is Role.BODY), "")
    dated = [(zone, lines[i].text) for i, zone in around]
    page_text = "\n".join(line.text for line in lines)
    if hints.date and meta.plausible(hints.date):
        fields["date"] = meta.Choice(hints.date, f"the page's markup ({hints.date_from})")
    elif date := meta.choose_date(dated, first, page_text):
        fields["date"] = date
    if hints.authors:
        fields["authors"] = meta.Choice(hints.authors, "the page's markup")
    # Source: a label above the text, else one below it, else a dateline, else the site.
    # 来源 labels first; a government page's 发布机构 only if there is none.
    labelled = sorted(around, key=lambda item: item[1] == "tail")
    for publishers, (i, zone) in itertools.product((False, True), labelled):
        if "source" in fields:
            break
        if value := meta.source_value(lines[i].text, publishers):
            fields["source"] = meta.Choice(value, f"{zone} label: {lines[i].text[:40]}")
    site = meta.site_name_of(
        [
            lines[i].text
            for i in range(title_index)
            if lines[i].role in (Role.SITE, Role.META, Role.NOISE)
        ],
        [line.text for line in lines[title_index + 1 : start] if line.role is Role.META],
        [line.text for line in lines[end:]],
    )
    outlet = meta.dateline_outlet(first)
    # "豫东网讯" on 豫东新报's page is the paper's own lead-in, like 本报讯
    if "source" not in fields and outlet and not (site and site.value[:2] == outlet[:2]):
        fields["source"] = meta.Choice(outlet, "the dateline of the first paragraph")
    if "source" not in fields and hints.publisher and (name := meta.clean_outlet(hints.publisher)):
        fields["source"] = meta.Choice(name, "the page's markup (publisher)")
    if "source" not in fields:
        header = [line for line in lines[title_index + 1 : start] if line.role is Role.META]
        for line in header:
            if name := meta.outlet_beside_date(line.text):
                fields["source"] = meta.Choice(
                    name, f"the outlet beside the date: {line.text[:40]}"
                )
                break
    if "source" not in fields and site:
        fields["source"] = site
    via = [
        m[2].strip()
        for line in lines
        if line.role is Role.VIA and (m := VIA_LABEL.match(line.text))
    ]
    source = _value(fields, "source")
    outlets = [outlet for value in via if (outlet := meta.clean_outlet(value)) and outlet != source]
    if outlets and source is None:
        # A blog or aggregator that names no outlet of its own: the one it copied is the source.
        fields["source"] = meta.Choice(outlets[0], "the outlet it was reposted from")
    elif outlets:
        fields["via"] = meta.Choice(outlets[0], "a 'reposted from' line")
    return fields


def _value(fields: dict[str, meta.Choice], name: str):
    choice = fields.get(name)
    return choice.value if choice else None


# --- 6. articles ----------------------------------------------------------------------------------


CREDIT_ROLES = {Role.BYLINE, Role.PHOTO_CREDIT, Role.EDITORS, Role.META, Role.VIA}


def build_article(
    section: Section, own: list[Line], fields: dict[str, meta.Choice], article_id: str
) -> Article:
    """Assemble one article from its lines (`own`: the lines of the page that are its
    own, the section's and, for the first article, those around the text)."""
    authors: list[str] = []
    photographers: list[str] = []
    captions: list[str] = []
    summary = None
    subtitle_line = None
    kicker = None
    for line in own:
        if line.role in CREDIT_ROLES:
            credits = line_credits(line.text)
            authors += credits.writers
            photographers += credits.photographers
        elif line.role is Role.KICKER:
            kicker = line.text
        elif line.role is Role.SUBTITLE:
            subtitle_line = line.text.lstrip("—-－ ").strip()
        elif line.role is Role.SUMMARY:
            summary = SUMMARY_LABEL.sub("", line.text)
    blocks: list[tuple[str, str]] = []
    for line in section.lines:
        role, text = line.role, line.text
        if role is Role.BODY:
            blocks.append(("paragraph", text))
        elif role is Role.HEADING:
            blocks.append(("heading", text))
        elif role is Role.CAPTION:
            captions.append(text)
            photographers += c.read_credits(text).photographers  # "（图为……。记者 赵刚 摄）"
    blocks = join_broken_paragraphs(blocks)
    blocks, closing = take_sign_off(blocks)
    authors += closing
    if blocks and blocks[0][0] == "paragraph" and (dateline := c.dateline_credits(blocks[0][1])):
        authors = dateline.writers + authors
    if summary and any(is_teaser_of(summary, text) for _, text in blocks):
        summary = None  # a teaser that repeats the first paragraph adds nothing
    title, subtitle, column = split_title(section.title)
    return Article(
        id=article_id,
        lang="zh",
        title=title,
        subtitle=subtitle or subtitle_line,
        kicker=kicker,
        date=_value(fields, "date"),
        source=_value(fields, "source"),
        via=_value(fields, "via"),
        authors=list(fields["authors"].value) if "authors" in fields else _unique(authors),
        photographers=_unique(photographers),
        tags=[column] if column else [],
        summary=summary,
        captions=captions,
        blocks=[Block(kind, escape_markdown(text)) for kind, text in blocks],  # type: ignore[arg-type]
    )


def take_sign_off(blocks: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """Reporter names closing the last paragraph, "(李锐娜)" or "本报记者 贺娟芳", move to authors."""
    for index in range(len(blocks) - 1, -1, -1):
        kind, text = blocks[index]
        if kind != "paragraph":
            continue
        found = c.sign_off(v.END_MARK.sub("", text))
        if found is None:
            return blocks, []
        rest, credits = found
        return [*blocks[:index], (kind, rest), *blocks[index + 1 :]], credits.writers
    return blocks, []


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- 7. how sure -----------------------------------------------------------------------------------


def review_reasons(
    page: _Page, candidates: list[t.Candidate], fields, start: int, end: int
) -> list[str]:
    """What an editor should check on this page, in a few words each."""
    reasons = []
    best = candidates[0]
    others = [
        cand for cand in candidates[1:] if cand.text not in best.text and best.text not in cand.text
    ]
    margin = best.score - others[0].score if others else 99.0
    if best.support < t.SUPPORTED or margin < t.CLEAR_MARGIN:
        reasons.append("title guessed")
    if "date" not in fields:
        reasons.append("no date")
    elif "year" in fields["date"].why:
        reasons.append("year of the date guessed")
    if "source" not in fields:
        reasons.append("no source")
    spam = sum(1 for line in page.lines if line.role is Role.SPAM)
    if spam:
        reasons.append(f"spam removed ({spam} {'line' if spam == 1 else 'lines'})")
    body_han = sum(
        chinese.count_han(line.text) for line in page.lines[start:end] if line.role is Role.BODY
    )
    if body_han < VERY_SHORT_HAN:
        reasons.append("very short text")
    return reasons


# --- explain ---------------------------------------------------------------------------------------


def explain(page: CleanPage) -> str:
    """How ingest read the page: every line's role and weight, the title candidates
    with their scores, and where each field came from."""
    rows = ["line   weight          role  text"]
    for line in page.lines:
        role = line.role.value if isinstance(line.role, Role) else "?"
        why = f" ({line.why})" if line.why else ""
        rows.append(f"{line.number:4} {line.weight:+8.1f} {role:>13}{why}: {line.text[:60]}")
    rows.append("")
    rows.append("title candidates (best first):")
    for cand in page.candidates[:6]:
        rows.append(f"  {cand.score:+6.1f}  {cand.text[:50]}")
        rows.append(f"          {'; '.join(cand.reasons)}")
    rows.append("")
    for name, choice in page.fields.items():
        rows.append(f"{name}: {choice.value} ({choice.why})")
    return "\n".join(rows)
