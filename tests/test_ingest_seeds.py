"""Ingest of the five real scraped seed pages: what "clean" means, seed by seed."""

from __future__ import annotations

import re

import pytest

from briefing.content import article_to_markdown
from briefing.text import chinese

# Chrome that must never reach an article, on any seed.
CHROME = [
    "您的位置",
    "首页",
    "时间:",
    "来源:",
    "转自",
    "郑重声明",
    "版权",
    "免责",
    "Copyright",
    "copyright",
    "留言",
    "评论",
    "验证码",
    "相关推荐",
    "延伸阅读",
    "热点",
    "微信公众号",
    "(完)",
    "摘要",
    "B站影视",
    "内地电影",
    "网络编辑",
    "ICP备",
    "本文地址",
    "关于山西大院",
    "本报记者",
    "本版摄影",
    " 摄",
    "供图",
]


def body(page, n=0) -> str:
    return "\n".join(b.text for b in page.articles[n].blocks)


def markdown(page, n=0) -> str:
    text = article_to_markdown(page.articles[n])
    return text.split("\n---\n", 1)[1]


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_no_site_chrome_in_any_body(seed_pages, seed):
    for n in range(len(seed_pages[seed].articles)):
        text = markdown(seed_pages[seed], n)
        found = [c for c in CHROME if c in text]
        assert not found, f"{seed} article {n}: {found}"


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_body_is_simplified_chinese(seed_pages, seed):
    for article in seed_pages[seed].articles:
        assert not chinese.is_traditional(article.text)


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_no_lone_counters_or_symbols(seed_pages, seed):
    for article in seed_pages[seed].articles:
        for block in article.blocks:
            assert len(block.text) >= 4, block


# --- 000: 中国新闻网 via 晋城生活网 -----------------------------------------------------


def test_000_front_matter(seed_pages):
    (article,) = seed_pages["000"].articles
    assert article.title == "山西晋中:激活“智创谷”动力源 打造一流创新生态"
    assert article.date == "2022-02-27T17:00:04+08:00"
    assert article.source == "中国新闻网"
    assert article.authors == ["杨杰英", "张云"]
    assert article.via is None
    assert article.id == "2022-02-27-" + article.id.split("-")[-1]


def test_000_captions_are_not_paragraphs(seed_pages):
    (article,) = seed_pages["000"].articles
    assert len(article.captions) == 4
    assert all(c.endswith(("摄", "供图")) for c in article.captions)
    assert not any("摄" in p[-3:] or p.endswith("供图") for p in article.paragraphs)


def test_000_structure(seed_pages):
    (article,) = seed_pages["000"].articles
    assert len(article.paragraphs) == 17
    assert [b.text for b in article.blocks if b.kind == "heading"] == [
        "科教资源优势明显",
        "打造山西版“中关村”",
        "激活“智创谷”动力源",
    ]
    assert article.paragraphs[0].startswith("中新网太原2月27日电")
    assert article.paragraphs[-1].endswith("贡献力量。")  # "(完)" removed


# --- 001: glued paragraphs, column tag, trailing reporters -----------------------------


def test_001_front_matter(seed_pages):
    (article,) = seed_pages["001"].articles
    assert article.title == "山西智创城NO.4打造发展新动能"
    assert article.tags == ["全方位推动高质量发展"]
    assert article.date == "2022-06-02T10:20:27+08:00"
    assert article.source == "山西大院资讯网"
    assert article.authors == ["张琦", "李倩倩"]


def test_001_glued_paragraphs_are_split(seed_pages):
    (article,) = seed_pages["001"].articles
    assert len(article.paragraphs) == 18
    assert len([b for b in article.blocks if b.kind == "heading"]) == 3
    assert all("   " not in p for p in article.paragraphs)
    assert article.paragraphs[0] == (
        "晋商故里,智创未来。“智创”正在成为晋中发展的关键词。从去年到今年,匠心独具、应运而生"
        "的山西“智创谷”,正以全新的科创发展模式走入人们的视野。"
    )
    assert article.paragraphs[-1].endswith("还需加速前进。")  # "(张琦 李倩倩)" moved out


def test_001_english_disclaimer_is_gone(seed_pages):
    assert "All articles" not in markdown(seed_pages["001"])


# --- 002: Traditional with pinyin annotations, mojibake ---------------------------------


def test_002_pinyin_removed_and_converted(seed_pages):
    (article,) = seed_pages["002"].articles
    assert article.title == "安排25项活动 打造山西智创高地"
    assert not re.search(r"\([a-zàáǎèéěìíǐòóǒùúǔü]+\)", article.text)
    assert "山西省发改委公布了《2022年山西智创城发展行动计划》" in article.paragraphs[0]


def test_002_front_matter(seed_pages):
    (article,) = seed_pages["002"].articles
    assert article.date == "2022-05-26"  # the page gives no time: none invented
    assert article.source == "中国产业经济信息网"
    assert article.authors == ["刘宪芳"]
    assert article.via.startswith("山西经济日")
    assert len(article.paragraphs) == 6
    assert article.paragraphs[-1].endswith("全力打造智创高地。")


def test_002_mojibake_is_reported_with_its_paragraph(seed_pages):
    page = seed_pages["002"]
    notes = [n for n in page.notes if "mojibake" in n]
    assert any(n.startswith("paragraph 3:") and "高??萍汲晒" in n for n in notes)
    # the damaged name of the outlet it was reposted from is reported too
    assert any(n.startswith("via:") for n in notes)
    assert page.articles[0].warnings == notes


# --- 003: kicker, image captions, a second article on the page ---------------------------


def test_003_kicker_and_title(seed_pages):
    first = seed_pages["003"].articles[0]
    assert first.title == "创新驱动龙城焕新颜"
    assert first.kicker == "聚焦“六新” 科技强市"
    assert first.date is None  # the page has no date
    assert first.source is None
    assert first.authors == ["何宝国"]
    assert first.photographers == ["柴杰梁"]


def test_003_image_captions_without_credit_are_found(seed_pages):
    first = seed_pages["003"].articles[0]
    assert first.captions == ["人工智能等高新技术在我市落地应用。", "通用航空实现快速发展。"]


def test_003_paragraphs_cut_by_page_breaks_are_joined(seed_pages):
    first, second = seed_pages["003"].articles
    assert any("制定全市新基建建设方案" in p for p in first.paragraphs)
    assert any("给出各种优惠。" in p for p in second.paragraphs)
    assert any("我也准备留下,正在选房子" in p for p in second.paragraphs)
    assert len(first.paragraphs) == 16
    assert len(second.paragraphs) == 5


def test_003_appended_article_becomes_its_own(seed_pages):
    page = seed_pages["003"]
    first, second = page.articles
    assert second.title == "选择就地过节 租房市场有热度"
    assert second.authors == ["贺娟芳"]
    assert second.part == 2 and second.id == first.id + "-2"
    assert second.original == first.original
    assert "租房" not in body(page, 0)
    assert "区域中心发力建设" in body(page, 0)  # a section of the first story stays
    assert second.paragraphs[-1].endswith("就地过好节。”")  # byline moved to authors
    assert any("second article" in n for n in page.notes)


# --- 004: header noise, teaser, couplet title with glued subtitle --------------------------


def test_004_front_matter(seed_pages):
    (article,) = seed_pages["004"].articles
    assert article.title == "“草本灌木”育新机 “乔木成林”筑高地"
    assert article.subtitle == "晋中市科技局构建“雨林式”创新生态体系实现产业升级突围的生动实践"
    assert article.date == "2025-06-06T02:43:00+08:00"
    assert article.authors == ["李锐娜"]
    # The mirror names the account it copied from below the text: that is the outlet.
    assert article.source == "捌零子淇聊农村"
    assert article.via is None
    assert article.summary is None  # the teaser repeated the first paragraph


def test_004_structure(seed_pages):
    (article,) = seed_pages["004"].articles
    assert len(article.paragraphs) == 13
    assert len([b for b in article.blocks if b.kind == "heading"]) == 6
    assert article.paragraphs[0].startswith("三晋大地,创新潮涌。")
    assert article.paragraphs[-1].endswith("新征程。")
