"""A saved web page (HTML) -> clean Chinese articles.

Three steps, each by the tool made for it:
  1. bytes -> text in the page's own charset: a BOM, then the <meta charset> or
     http-equiv declaration, then the same detection as text pages (decoding.py);
  2. the page's markup names its metadata better than any text does: JSON-LD
     NewsArticle, Open Graph and article:* meta tags, <title>, <h1>, WeChat's
     account and time fields (trafilatura.extract_metadata reads most of these);
  3. trafilatura finds the main content (scripts, styles, navigation, share bars,
     related lists, comments and footers out); the result goes through the same
     reader as text pages, with the markup's headline on top and its metadata as
     hints that come before what the text says.

Links and images become text: a link's words stay, an image's caption stays as a
caption, the remote image itself is dropped (the site loads nothing from
elsewhere).
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from dataclasses import dataclass, field

from briefing.errors import InputError
from briefing.ingest.metadata import banner_name
from briefing.ingest.reader import CleanPage, Hints, IngestError, read_page
from briefing.text import chinese
from briefing.text.decoding import decode_bytes

_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
# What pages declare, and what decodes it: GB2312 and GBK pages use GB18030's
# characters too, Big5 pages Hong Kong's additions.
_CODECS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}


def decode_html(data: bytes, name: str) -> str:
    """The page's text, in the charset it declares (or the one its bytes show)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if m := _DECLARED.search(data[:8192]):
        declared = m[1].decode("ascii").lower()
        encoding = _CODECS.get(declared, declared)
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: the bytes decide
    return decode_bytes(data, name)


@dataclass
class Markup:
    """What the page's markup says about the article."""

    headlines: list[str] = field(default_factory=list)  # best first
    date: str | None = None
    date_from: str = ""
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    captions: set[str] = field(default_factory=set)


def read_html_page(data: bytes, original: str, original_sha256: str) -> CleanPage:
    """Turn a saved HTML page into one or more clean articles."""
    import trafilatura  # imported here: text-only projects never pay for lxml

    html = decode_html(data, original)
    if "<" not in html:
        raise IngestError("not an HTML page (no markup)")
    markup = read_markup(html)
    main = trafilatura.extract(
        html, include_comments=False, include_tables=True, include_images=False, include_links=False
    )
    if not main or not main.strip():
        raise IngestError(
            "no article text in this HTML (a list page, a login wall, a page that is all "
            "script, or one cut short?)"
        )
    page_text = "\n\n".join(around_main(page_lines(html), main.splitlines(), markup.headlines))
    try:
        return read_page(
            page_text,
            original,
            original_sha256,
            hints=Hints(
                headlines=markup.headlines,
                date=markup.date,
                date_from=markup.date_from,
                authors=markup.authors,
                publisher=markup.publisher,
                captions=markup.captions,
            ),
        )
    except InputError as exc:
        raise IngestError(exc.message) from None


# Elements that never hold the article's words.
_SKIPPED = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "canvas",
    "iframe",
    "head",
    "button",
    "select",
    "option",
    "form",
    "input",
    "textarea",
}
# Elements that start a line of their own.
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "aside",
    "nav",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "td",
    "th",
    "br",
    "figure",
    "figcaption",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "hr",
    "center",
    "address",
    "caption",
    "tbody",
    "thead",
}
# Lines kept above and below the main content: the headline's metadata, bylines, 来源.
HEAD_LINES, TAIL_LINES = 12, 6


def page_lines(html: str) -> list[str]:
    """The page as a reader sees it: one line per block, scripts and styles left out."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    parts: list[str] = []

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag.lower() in _SKIPPED:
            if element.tail:
                parts.append(element.tail)
            return
        block = tag.lower() in _BLOCKS
        if block:
            parts.append("\n")
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
        if block:
            parts.append("\n")
        if element.tail:
            parts.append(element.tail)

    body = tree.find(".//body")
    walk(body if body is not None else tree)
    return [" ".join(line.split()) for line in "".join(parts).split("\n") if line.strip()]


def around_main(lines: list[str], main: list[str], headlines: list[str]) -> list[str]:
    """The main content as the page shows it (captions included), with the lines just
    above it (headline, date, source, byline) and just below it (sign-off, 来源).

    trafilatura tells where the main content is; the page's own lines from its
    first to its last piece are taken, so captions and subheadings it left out come
    back, and the reader drops whatever chrome slipped in."""
    pieces = [cell for row in main for cell in _cells(row)]
    keys = [_key(line) for line in lines]
    found = [i for piece in pieces if (i := _find(keys, _key(piece))) is not None]
    if found:
        first, last = min(found), max(found)
        head = lines[max(0, first - HEAD_LINES) : first]
        body = lines[first : last + 1]
        tail = lines[last + 1 : last + 1 + TAIL_LINES]
    else:  # the page's lines don't show it as trafilatura did: take its text
        head, body, tail = [], pieces, []
    named = headlines[0] if headlines else ""
    if named and not any(named in line for line in head + body[:3]):
        head = [named, *head[-3:]]  # the headline above all: the page printed it elsewhere
    return [*head, *body, *tail]


def _cells(row: str) -> list[str]:
    """A line of trafilatura's text; a table row ("| a | b |") is its cells."""
    row = row.replace("\\|", "|")
    return [" ".join(cell.split()) for cell in row.split("|") if cell.strip()]


def _key(text: str) -> str:
    return "".join(text.split())[:30]


def _find(keys: list[str], key: str) -> int | None:
    if len(key) < 6:
        return None  # too short to tell one line from another
    for i, line in enumerate(keys):
        if line.startswith(key) or (len(line) >= 10 and key.startswith(line)):
            return i
    return None


_CAPTION_CLASS = re.compile(r"caption|pic-?desc|img-?desc|pic-?title|photo-?desc|tupian|pictext")


def read_markup(html: str) -> Markup:
    """Headline, date, authors and publisher from JSON-LD, meta tags and page fields."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return Markup()
    markup = Markup()
    for data in _json_ld(tree):
        if _is_article(data):
            if isinstance(data.get("headline"), str):
                markup.headlines.append(data["headline"].strip())
            if not markup.date and (date := _iso(data.get("datePublished"))):
                markup.date, markup.date_from = date, "JSON-LD datePublished"
            markup.authors += _names(data.get("author"))
            publisher = data.get("publisher")
            if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
                markup.publisher = markup.publisher or publisher["name"].strip()
    meta = {
        (el.get("property") or el.get("name") or el.get("itemprop") or "").lower(): (
            el.get("content") or ""
        ).strip()
        for el in tree.iter("meta")
        if el.get("content")
    }
    for key in ("og:title", "twitter:title", "title", "headline"):
        if meta.get(key):
            markup.headlines.append(meta[key])
    for key in (
        "article:published_time",
        "og:article:published_time",
        "publishdate",
        "pubdate",
        "publish_date",
        "publishdate",
        "datepublished",
        "dc.date",
        "dcterms.created",
    ):
        if not markup.date and (date := _iso(meta.get(key))):
            markup.date, markup.date_from = date, f"meta {key}"
    if not markup.authors and meta.get("author"):
        markup.authors = _names(meta["author"])
    # WeChat's article page: the account (its og:site_name is the platform's), the
    # headline, the time as a Unix timestamp.
    account = tree.get_element_by_id("js_name", None)
    if account is not None and account.text_content().strip():
        markup.publisher = markup.publisher or account.text_content().strip()
    markup.publisher = markup.publisher or meta.get("og:site_name") or None
    activity = tree.get_element_by_id("activity-name", None)
    if activity is not None and activity.text_content().strip():
        markup.headlines.insert(0, activity.text_content().strip())
    if not markup.date and (m := re.search(r"\bvar\s+ct\s*=\s*\"?(\d{10})", html)):
        stamp = dt.datetime.fromtimestamp(int(m[1]), dt.timezone(dt.timedelta(hours=8)))
        markup.date, markup.date_from = stamp.isoformat(), "WeChat's publish time"
    for h1 in tree.iter("h1"):
        if text := " ".join(h1.text_content().split()):
            markup.headlines.append(text)
            break
    title = tree.find(".//title")
    if title is not None and title.text_content().strip():
        window_title = " ".join(title.text_content().split())
        markup.headlines.append(window_title)
        # "标题 - 港闻 - 维港时报"; a Traditional title is read in Simplified, as the text is
        markup.publisher = markup.publisher or banner_name(chinese.to_simplified(window_title))
    for element in tree.iter():
        css = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
        is_caption = element.tag == "figcaption" or _CAPTION_CLASS.search(css)
        if is_caption and (text := " ".join(element.text_content().split())):
            markup.captions.add(text)
    markup.headlines = list(dict.fromkeys(h for h in markup.headlines if h))
    markup.authors = list(dict.fromkeys(markup.authors))
    return markup


def _json_ld(tree) -> list[dict]:
    found = []
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        items = (
            data
            if isinstance(data, list)
            else data.get("@graph", [data])
            if isinstance(data, dict)
            else []
        )
        found += [item for item in items if isinstance(item, dict)]
    return found


def _is_article(data: dict) -> bool:
    kinds = data.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and k.endswith("Article") for k in kinds)


def _names(value) -> list[str]:
    """Authors' names from JSON-LD (a name, a Person, a list of them) or a meta tag."""
    from briefing.ingest.credits import is_name, read_credits

    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    if isinstance(value, dict):
        value = value.get("name")
    if not isinstance(value, str) or not value.strip():
        return []
    credits = read_credits(value, bare_names_are_writers=True)
    if credits.writers:
        return credits.writers
    return [n for n in re.split(r"[\s,，、;；]+", value.strip()) if is_name(n)]


def _iso(value) -> str | None:
    """An ISO 8601 timestamp from markup, in China time when it gives no zone."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    if stamp.hour == stamp.minute == stamp.second == 0 and "T" not in text and " " not in text:
        return stamp.date().isoformat()
    return stamp.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()
