"""Markdown -> HTML and plain text (markdown-it-py, raw HTML disabled)."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt

from briefing.model import Block


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # CommonMark with raw HTML off: "<script>" in an article is text, and
    # markdown-it refuses javascript:, vbscript: and file: link targets.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def block_html(block: Block) -> str:
    """One body block as HTML: a paragraph (or whatever Markdown it holds) or an <h2>."""
    if block.kind == "heading":
        return f"<h2>{_parser().renderInline(block.text)}</h2>"
    return _parser().render(block.text).strip()


def plain_text(markdown: str) -> str:
    """The text a reader sees, without Markdown syntax or escapes."""
    tokens = _parser().parseInline(markdown)
    parts = []
    for token in tokens:
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    return "".join(parts).strip()
