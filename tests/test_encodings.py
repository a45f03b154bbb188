"""The same page saved in another encoding or with other line ends gives the same article."""

from __future__ import annotations

import opencc
import pytest

from briefing.content import article_to_markdown
from briefing.text.chinese import strip_pinyin_annotations

from .conftest import ingest_bytes, seed_path


def comparable(page) -> list[str]:
    """The Markdown of every article, without the provenance lines that name the bytes."""
    out = []
    for article in page.articles:
        lines = article_to_markdown(article).splitlines()
        out.append("\n".join(ln for ln in lines if not ln.startswith("original_sha256:")))
    return out


def variants(text: str, encoding: str) -> dict[str, bytes]:
    return {
        encoding: text.encode(encoding),
        "utf-8-bom": text.encode("utf-8-sig"),
        "utf-16-bom": text.encode("utf-16"),
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "cr-only": text.replace("\n", "\r").encode("utf-8"),
    }


# 001 and 004 hold characters GBK lacks (a no-break space, "・"); GB18030 holds all.
@pytest.mark.parametrize(
    ("seed", "encoding"), [("000", "gbk"), ("003", "gbk"), ("001", "gb18030"), ("004", "gb18030")]
)
def test_gbk_bom_utf16_and_line_ends_give_the_same_markdown(seed, encoding):
    text = seed_path(seed).read_text(encoding="utf-8")
    expected = comparable(ingest_bytes(text.encode("utf-8"), "page.txt"))
    for name, data in variants(text, encoding).items():
        assert comparable(ingest_bytes(data, "page.txt")) == expected, name


def test_traditional_seed_in_gb18030_bom_utf16_and_crlf():
    # 002 carries pinyin with tone marks, which GBK cannot hold; GB18030 can.
    text = seed_path("002").read_text(encoding="utf-8")
    expected = comparable(ingest_bytes(text.encode("utf-8"), "page.txt"))
    for name, data in variants(text, "gb18030").items():
        assert comparable(ingest_bytes(data, "page.txt")) == expected, name


def test_big5_page_gives_the_same_markdown_as_utf8():
    # A Big5 page has no pinyin letters or no-break spaces (Big5 cannot encode them).
    text = strip_pinyin_annotations(seed_path("002").read_text(encoding="utf-8"))
    text = text.replace("\u00a0", " ").replace("\ue37a", "")
    text = "".join(ch for ch in text if _big5_ok(ch))
    expected = comparable(ingest_bytes(text.encode("utf-8"), "page.txt"))
    big5 = ingest_bytes(text.encode("big5"), "page.txt")
    assert comparable(big5) == expected
    assert big5.articles[0].title == "安排25项活动 打造山西智创高地"


def test_big5_of_a_simplified_seed_converted_to_traditional():
    simplified = seed_path("000").read_text(encoding="utf-8")
    traditional = opencc.OpenCC("s2t").convert(simplified)
    traditional = "".join(ch for ch in traditional if _big5_ok(ch))
    page = ingest_bytes(traditional.encode("big5"), "page.txt")
    assert comparable(page) == comparable(ingest_bytes(traditional.encode("utf-8"), "page.txt"))
    assert page.articles[0].title == "山西晋中:激活“智创谷”动力源 打造一流创新生态"
    assert page.articles[0].authors == ["杨杰英", "张云"]


def _big5_ok(ch: str) -> bool:
    try:
        ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return True
