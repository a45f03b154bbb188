"""The search index of the seed site: Chinese and English queries find the right articles."""

from __future__ import annotations

import json

import pytest

from briefing.search import StaticIndex, fnv1a, latin_terms, parse_query, stem

from .site_helpers import build_copy_of_repo

ZCG = "2022-02-27-d9ab3b7d"  # 山西晋中：激活“智创谷”动力源
NO4 = "2022-06-02-70a5743f"  # 山西智创城NO.4
PLAN = "2022-05-26-326a0657"  # 安排25项活动 (山西智创城 action plan)
RAIN = "2025-06-06-6ecaf2db"  # 晋中市科技局 "rainforest"
TAIYUAN = "undated-89793ac4"  # 创新驱动龙城焕新颜
RENT = "undated-89793ac4-2"  # 租房市场


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_copy_of_repo(tmp_path_factory.mktemp("search"))


def found(site, lang: str, query: str) -> list[str]:
    root = site / "search" / lang
    index = StaticIndex(lambda path: (root / path).read_bytes())
    return [r.doc["url"].rstrip("/").rsplit("/", 1)[-1] for r in index.search(query)]


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ("智创", {ZCG, NO4, PLAN}, {RENT, TAIYUAN}),
        ("智创谷", {ZCG, NO4}, {RENT, PLAN, TAIYUAN}),
        ("大学城", {ZCG, NO4}, {RENT, TAIYUAN}),
        ("山西智创城", {NO4, PLAN}, {RENT, TAIYUAN}),
        ("租房", {RENT}, {ZCG, NO4, PLAN, RAIN, TAIYUAN}),
        ("晋创谷", {RAIN}, {ZCG, RENT}),
        ("龙城", {TAIYUAN}, {ZCG, RENT}),
        ("66平方公里", {ZCG, NO4}, {RENT, RAIN}),
    ],
)
def test_chinese_queries(site, query, expected, absent):
    results = set(found(site, "zh", query))
    assert expected <= results
    assert not (absent & results)


def test_bigrams_apart_are_not_a_match(site):
    # The NO.4 story has every bigram of 山西智创谷 (山西智创城, “智创谷”) but not the phrase.
    assert found(site, "zh", "山西智创谷") == [ZCG]


def test_single_character_finds_titles(site):
    assert found(site, "zh", "谷") == [ZCG]  # only one title holds 谷


def test_title_match_ranks_first(site):
    assert found(site, "zh", "山西智创城")[0] == NO4  # the one with it in its title


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ("Zhichuang", {ZCG, NO4, PLAN}, {RENT, TAIYUAN}),
        ("Jinzhong", {ZCG, NO4, RAIN}, {RENT, TAIYUAN}),
        ("66", {ZCG, NO4}, {RENT, RAIN, TAIYUAN}),
        ("220,000", {ZCG}, {NO4, RENT}),
        ("rental market", {RENT}, {ZCG, NO4, PLAN, RAIN, TAIYUAN}),
        ("Dragon City", {TAIYUAN}, {ZCG, RENT}),
        ("Zhichuang Valley", {ZCG, NO4}, {RENT, TAIYUAN}),
    ],
)
def test_english_queries(site, query, expected, absent):
    results = set(found(site, "en", query))
    assert expected <= results
    assert not (absent & results)


def test_english_stemming_joins_word_forms(site):
    assert stem("innovation") == stem("innovative") == stem("innovations") == "innov"
    assert found(site, "en", "innovation") == found(site, "en", "innovative")
    assert set(found(site, "en", "innovations")) >= {ZCG, NO4, RAIN}


def test_numbers_are_kept_without_separators():
    assert latin_terms("220,000 students and 4.2 billion") == [
        "220000",
        "student",
        "4.2",
        "billion",
    ]


def test_query_needs_every_term(site):
    assert found(site, "en", "Jinzhong rental") == []


def test_first_query_fetches_only_what_it_needs(site):
    root = site / "search" / "zh"
    index = StaticIndex(lambda path: (root / path).read_bytes())
    index.search("租房")
    shards = [p for p in index.fetched if p.startswith("shard-")]
    docs = [p for p in index.fetched if p.startswith("doc/")]
    assert len(shards) <= len(parse_query("租房").required) + len(parse_query("租房").bonus)
    assert len(shards) < json.loads((root / "meta.json").read_bytes())["shards"]
    assert docs == ["doc/5.json"] or len(docs) == 1


def test_shard_of_a_term_is_stable():
    assert fnv1a("智创") == fnv1a("智创")
    assert fnv1a("a") == 0xE40C292C  # the published FNV-1a test vector


def test_index_text_is_data_not_markup(project, run):
    (project / "content" / "zh" / "x.md").write_text(
        "---\ntitle: <b>粗体</b>标题\n---\n\n正文<script>alert(1)</script>。\n", encoding="utf-8"
    )
    run(project)
    doc = json.loads((project / "site" / "search" / "zh" / "doc" / "0.json").read_bytes())
    assert doc["title"] == "<b>粗体</b>标题"  # JSON text; the client puts it in text nodes
    assert "<script>alert(1)</script>" in doc["text"]
