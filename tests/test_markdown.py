"""Markdown rendering: plain prose takes a shortcut that must give markdown-it's output."""

from __future__ import annotations

import random

import pytest

from briefing.config import Project
from briefing.content import read_articles
from briefing.model import Block
from briefing.text import markdown

from .conftest import REPO

TRICKY = [
    "普通的一段中文。",
    '他说："创新驱动"。',
    "第一行\n第二行",
    "1. 列表",
    "1) 列表",
    "1.5亿元投资",
    "2022年5月26日，晋中",
    "- 列表",
    "+ 列表",
    "标题\n===",
    "标题\n---",
    "    缩进的代码",
    "\u3000\u3000全角空格缩进",
    "行尾有空格  \n下一行",
    "行尾有一个空格 \n下一行",
    "> 引用",
    "# 标题",
    "A & B",
    "R&D, M&A's; AT&T",
    "AT&T; P&G",
    "&amp; &#38; &#x26; &nbsp; &AMP;",
    "a&b;c",
    "结尾 &",
    "<b>粗体</b>",
    "*强调*",
    "_强调_",
    "`代码`",
    "[链接](https://example.org)",
    "![图](x.png)",
    "~~~\n代码\n~~~",
    "转义\\*星号",
    "结尾没有换行\n",
    "Tab\tinside",
    "Ends with a tab\t",
    "Zhichuang Valley covers 66 km², says “the report”.",
    "Non-breaking\u00a0space inside",
    "\u00a0leading non-breaking space",
]


def _blocks() -> list[Block]:
    project = Project(REPO)
    articles = read_articles(project, "zh").articles + read_articles(project, "en").articles
    blocks = [b for a in articles for b in a.blocks]
    blocks += [Block("paragraph", t) for t in TRICKY] + [Block("heading", t) for t in TRICKY]
    return blocks


@pytest.mark.parametrize("block", _blocks(), ids=lambda b: b.text[:20])
def test_block_renders_as_markdown_it_renders_it(block):
    assert markdown.block_html(block) == markdown.parsed_html(block)
    assert markdown.plain_text(block.text) == markdown.parsed_plain_text(block.text)


def test_most_news_paragraphs_are_prose():
    paragraphs = [b.text for b in _blocks()[: -2 * len(TRICKY)]]
    prose = [t for t in paragraphs if markdown.is_prose(t)]
    assert len(prose) > 0.8 * len(paragraphs)


@pytest.mark.parametrize(
    "text",
    [
        "*强调*",
        "1. 列表",
        "- 列表",
        "标题\n===",
        "    代码",
        "a  \nb",
        "<b>x</b>",
        "A &amp; B",
        "&#38;",
    ],
)
def test_syntax_is_left_to_markdown_it(text):
    assert not markdown.is_prose(text)


@pytest.mark.parametrize("text", ["R&D", "A & B", "M&A's", "结尾 &", "&1;"])
def test_an_ampersand_that_starts_no_reference_is_prose(text):
    assert markdown.is_prose(text)


def test_random_short_texts_render_as_markdown_it_renders_them():
    # Texts made of the pieces that decide whether a block is prose: line breaks, blank
    # lines, spaces of several kinds at a line's ends, list and underline markers,
    # digits (full-width ones too) and syntax characters, among plain words.
    rng = random.Random(20)
    pieces = [*"ab 中文\n\t\u3000\u00a0-+=1２.)9*_#&>;", "10.", "1)", "\n\n", "  ", "创新"]
    pieces += ["&amp", "&#", "x2", "&nbsp", "AT&T"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        for kind in ("paragraph", "heading"):
            block = Block(kind, text)
            assert markdown.block_html(block) == markdown.parsed_html(block), repr(text)
        assert markdown.plain_text(text) == markdown.parsed_plain_text(text), repr(text)
