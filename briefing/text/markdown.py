"""Markdown -> HTML and plain text (markdown-it-py, raw HTML off)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from briefing.model import Article, Block

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # CommonMark with raw HTML off: "<script>" in an article is text, and
    # markdown-it refuses javascript:, vbscript: and file: link targets. Imported here:
    # most blocks are plain prose and never need it (block_html).
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.add_render_rule("image", _image_as_link)
    return parser


def prepare() -> None:
    """Load markdown-it now: forked workers then share it rather than each importing it
    (for every pool of a build) at its first block that is not plain prose."""
    _parser()


def _image_as_link(self, tokens, index: int, options, env) -> str:
    """An image as a link to it, named by its alt text. The site shows no image from
    elsewhere: its Content-Security-Policy forbids them, and loading one would tell
    another site who reads what."""
    token = tokens[index]
    source = str(token.attrGet("src") or "")
    text = self.renderInlineAsText(token.children or [], options, env) or source
    from markdown_it.common.utils import escapeHtml

    return f'<a href="{escapeHtml(source)}">{escapeHtml(text)}</a>'


# Most paragraphs of news prose hold no Markdown syntax at all. For those, the HTML is
# the text escaped in a <p>, and parsing them costs far more than everything else a
# build does with them. A block is prose when it has none of the characters that
# start inline syntax (\ ` * _ [ ] < > ~ #), no & that could start a character
# reference (&amp;, &#38;: an & before anything else is an & to markdown-it, as in
# R&D), no line that could start a block (indentation, list and quote markers,
# underlines), no blank line and no whitespace at a line's ends (hard breaks;
# markdown-it strips it). tests/test_markdown.py checks that markdown-it gives the
# same output for every such block.
_SYNTAX_CHARACTERS = re.compile(r"[\\`*_\[\]<>~#\r\0]")
_REFERENCE = re.compile(r"&(?:#|[A-Za-z][A-Za-z0-9]*;)")
# At a line's start: list items, setext underlines, thematic breaks.
_BLOCK_START = re.compile(r"[-+=]|\d{1,9}[.)](?:\s|$)")


def is_prose(text: str) -> bool:
    """True when the text is plain prose: no Markdown syntax in it.

    Every block's text is asked on every build that reads it, so the line checks are
    string tests rather than one regex with line anchors (which tries its anchored
    branches at every character: 3-6 times slower on news paragraphs)."""
    if _SYNTAX_CHARACTERS.search(text) or ("&" in text and _REFERENCE.search(text)):
        return False
    for line in text.split("\n") if "\n" in text else (text,):
        if not line:  # a blank line, an empty text, or a newline at either end
            return False
        if line[0].isspace() or line[-1].isspace() or _BLOCK_START.match(line):
            return False
    return True


def _escape(text: str) -> str:
    # As markdown-it escapes text (< and > are never in prose: see _SYNTAX_CHARACTERS).
    return text.replace("&", "&amp;").replace('"', "&quot;")


def block_html(block: Block) -> str:
    """One body block as HTML: a paragraph (or whatever Markdown it holds) or an <h2>."""
    if is_prose(block.text) and (block.kind != "heading" or "\n" not in block.text):
        tag = "h2" if block.kind == "heading" else "p"
        return f"<{tag}>{_escape(block.text)}</{tag}>"
    return parsed_html(block)


def body_html(article: Article) -> list[str]:
    """An article's body as HTML, a block at a time (block_html)."""
    return [block_html(b) for b in article.blocks]


def parsed_html(block: Block) -> str:
    """block_html by markdown-it itself, without the prose shortcut."""
    if block.kind == "heading":
        return f"<h2>{_parser().renderInline(block.text)}</h2>"
    return _parser().render(block.text).strip()


def plain_body(article: Article) -> str:
    """An article's body as plain text, a line a block: what its features, search entry
    and search result are made from (the search entry cuts it where the features' jieba
    pass did, so both must read the same text)."""
    return "\n".join(plain_text(b.text) for b in article.blocks)


def plain_text(markdown: str) -> str:
    """The text a reader sees, without Markdown syntax or escapes."""
    if is_prose(markdown):
        return markdown.replace("\n", " ").strip()
    return parsed_plain_text(markdown)


def parsed_plain_text(markdown: str) -> str:
    """plain_text by markdown-it itself, without the prose shortcut."""
    parts = []
    for token in _parser().parseInline(markdown):
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    return "".join(parts).strip()
