"""Search over the seed site, run by what ships: templates/static/search.js in Chromium.

The index is written by Python (briefing/search/: terms.py, index.py); the query
side is only the browser's JavaScript, and these queries go through it.
"""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import random
import shutil
import sys
import threading
from array import array

import pytest

from briefing.search import index
from briefing.search.index import (
    _Postings,
    _shards_of_postings,
    pack_terms,
    terms_of,
    unpack_terms,
)
from briefing.search.terms import fnv1a, latin_terms, stem

from .conftest import REPO, serving
from .site_helpers import index_file

ZCG = "2022-02-27-d9ab3b7d"  # 山西晋中：激活“智创谷”动力源
NO4 = "2022-06-02-70a5743f"  # 山西智创城NO.4
PLAN = "2022-05-26-326a0657"  # 安排25项活动 (山西智创城 action plan)
RAIN = "2025-06-06-6ecaf2db"  # 晋中市科技局 "rainforest"
TAIYUAN = "undated-89793ac4"  # 创新驱动龙城焕新颜
RENT = "undated-89793ac4-2"  # 租房市场

SEARCH = """async ([lang, text]) => {
    const s = window.briefingSearch;
    const index = new s.StaticIndex(`/search/${lang}/`);
    const results = await index.search(s.parseQuery(text), 20);
    return results.map((r) => r.doc.url.replace(/\\/$/, "").split("/").pop());
}"""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def search_page(browser, base_url):
    page = browser.new_page()
    page.goto(f"{base_url}/en/search/")  # loads search.js
    yield page
    page.close()


def found(search_page, lang: str, query: str) -> list[str]:
    """The ids of the articles search.js finds, in its order."""
    return search_page.evaluate(SEARCH, [lang, query])


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
        ("６６平方公里", {ZCG, NO4}, {RENT, RAIN}),  # full-width digits, as IMEs type them
    ],
)
def test_chinese_queries(search_page, query, expected, absent):
    results = set(found(search_page, "zh", query))
    assert expected <= results
    assert not (absent & results)


def test_bigrams_apart_are_not_a_match(search_page):
    # The NO.4 story has every bigram of 山西智创谷 (山西智创城, “智创谷”) but not the phrase.
    assert found(search_page, "zh", "山西智创谷") == [ZCG]


def test_single_character_finds_titles(search_page):
    assert found(search_page, "zh", "谷") == [ZCG]  # only one title holds 谷


def test_title_match_ranks_first(search_page):
    assert found(search_page, "zh", "山西智创城")[0] == NO4  # the one with it in its title


def test_english_title_matches_rank_above_body_matches(search_page):
    # Three titles say innovation/innovative; others only say it in their text.
    results = found(search_page, "en", "innovation")
    assert set(results[:3]) == {ZCG, PLAN, TAIYUAN}
    assert len(results) > 3


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
def test_english_queries(search_page, query, expected, absent):
    results = set(found(search_page, "en", query))
    assert expected <= results
    assert not (absent & results)


def test_english_word_forms_find_the_same_articles(search_page):
    assert stem("innovation") == stem("innovative") == stem("innovations") == "innov"
    assert found(search_page, "en", "innovation") == found(search_page, "en", "innovative")
    assert set(found(search_page, "en", "innovations")) >= {ZCG, NO4, RAIN}


def test_query_needs_every_term(search_page):
    assert found(search_page, "en", "Jinzhong rental") == []


def test_the_browser_makes_the_terms_the_index_holds(search_page):
    """Index terms come from Python, query terms from search.js: they must agree."""
    js = search_page.evaluate(
        """() => {
            const s = window.briefingSearch;
            return {
                stems: ["innovation", "companies", "billion", "students"].map(s.stem),
                latin: s.latinTerms("220,000 Students and 4.2 billion"),
                hash: s.fnv1a("智创"),
                required: ["智创谷", "山西智创城 innovation", "谷", "６６平方公里"].map(
                    (q) => s.parseQuery(q).required),
            };
        }"""
    )
    assert js["stems"] == [stem(w) for w in ["innovation", "companies", "billion", "students"]]
    assert js["latin"] == latin_terms("220,000 Students and 4.2 billion")
    assert js["latin"] == ["220000", "student", "4.2", "billion"]
    assert js["hash"] == fnv1a("智创")
    assert js["required"] == [
        ["智创", "创谷"],
        ["山西", "西智", "智创", "创城", "innov"],
        ["谷"],
        ["平方", "方公", "公里", "66"],
    ]


def test_english_terms_are_the_same_once_the_tokens_remembered_start_over(monkeypatch):
    """Each distinct token's term is worked out once and remembered, at most
    _TOKENS_KEPT of them: past that they start over, and the terms are the same."""
    from briefing.search import terms

    text = "The innovations: 220,000 yuan, 3.5 billion and innovative firms in 2024"
    expected = latin_terms(text)
    assert expected == ["innov", "220000", "yuan", "3.5", "billion", "innov", "firm", "2024"]
    monkeypatch.setattr(terms, "_TOKENS_KEPT", 3)
    monkeypatch.setattr(terms, "_LATIN_TERMS", terms._TokenTerms())
    assert latin_terms(text) == expected
    assert 0 < len(terms._LATIN_TERMS) <= 3


def test_shards_are_found_by_the_published_hash():
    assert fnv1a("a") == 0xE40C292C  # FNV-1a's published test vector
    assert fnv1a("") == 0x811C9DC5


def test_an_entrys_terms_are_packed_and_unpacked_whole():
    for counts in ({}, {"a": 1}, {"智创谷": 5, "2022": 2, "innov": 3, "智创": 1}):
        packed = pack_terms(counts)
        assert terms_of(packed) == counts
        assert unpack_terms(packed)[0] == list(counts)  # in the entry's order


def shards_as_postings(postings, shards):
    """The shards _shards_of_postings writes, back as {term: [(doc, count), ...]}."""
    found = {}
    for k, data in enumerate(_shards_of_postings(postings, shards)):
        shard = json.loads(data)
        assert list(shard) == sorted(shard)  # terms in order
        for term, flat in shard.items():
            assert fnv1a(term) % shards == k
            docs = list(itertools.accumulate(flat[0::2]))  # steps back to doc numbers
            found[term] = list(zip(docs, flat[1::2], strict=True))
    return found


def gathered(documents):
    """The postings of documents ({term: count} each), gathered as _rebuild does."""
    postings = _Postings(len(documents))
    for doc, terms in enumerate(documents):
        postings.add(doc, *unpack_terms(pack_terms(terms)))
    return postings


@pytest.mark.parametrize("block", [1 << 20, 7])  # one block; many, terms across their ends
def test_shards_hold_every_posting_by_term_then_document(block, monkeypatch):
    monkeypatch.setattr(index, "_BLOCK", block)
    rng = random.Random(3)
    words = [f"w{i}" for i in range(400)] + ["智创谷", "山西", "2022"]
    documents = [
        {w: rng.choice([1, 2, 3, 65_535]) for w in rng.sample(words, rng.randrange(0, 60))}
        for _ in range(300)
    ]
    expected = {}
    for doc, terms in enumerate(documents):
        for term, count in terms.items():
            expected.setdefault(term, []).append((doc, count))
    for shards in (1, 8):
        assert shards_as_postings(gathered(documents), shards) == expected


def test_a_count_past_what_bm25_tells_apart_is_capped():
    """The same in a whole index and in one brought up to date (which reads terms_of)."""
    found = shards_as_postings(gathered([{"a": 1, "b": 70_000}, {"b": (1 << 31) - 1}]), 1)
    assert found == {"a": [(0, 1)], "b": [(0, 65_535), (1, 65_535)]}
    assert terms_of(pack_terms({"a": 1, "b": 70_000})) == {"a": 1, "b": 65_535}


def test_an_index_too_large_for_its_keys_is_refused():
    postings = _Postings(1 << 40)  # documents' numbers take 40 bits: 7 left for terms'
    for doc in range(10):
        postings.add(doc, [f"t{doc}-{i}" for i in range(60)], array("i", [1] * 60).tobytes())
    with pytest.raises(ValueError, match="600 postings"):
        list(_shards_of_postings(postings, 1))


def test_first_query_fetches_only_what_it_needs(browser, base_url, seed_site):
    page = browser.new_page()
    fetched: list[str] = []
    page.on(
        "request",
        lambda r: "/search/zh/" in r.url and fetched.append(r.url.split("/search/zh/")[1]),
    )
    page.goto(f"{base_url}/zh/search/?q=租房")
    page.locator(".result").first.wait_for()
    page.close()
    shards = [p for p in fetched if p.startswith("shard-")]
    meta = index_file(seed_site / "site" / "search" / "zh" / "meta.json.gz")
    assert 1 <= len(shards) < meta["shards"]
    assert len([p for p in fetched if p.startswith("doc/")]) == 1  # the one result's text


class _InflatingServer(http.server.SimpleHTTPRequestHandler):
    """A server configured like Apache's `AddEncoding gzip .gz`: it sends .gz files with
    Content-Encoding: gzip, so the browser has inflated them before search.js sees them."""

    def end_headers(self) -> None:
        if self.path.endswith(".gz"):
            self.send_header("Content-Encoding", "gzip")
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


def test_search_works_where_the_server_sends_the_index_as_gzip_encoded(browser, seed_site):
    handler = functools.partial(_InflatingServer, directory=str(seed_site / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/zh/search/")
        assert set(page.evaluate(SEARCH, ["zh", "智创谷"])) == {ZCG, NO4}
    finally:
        page.close()
        server.shutdown()
        server.server_close()


def test_a_browser_that_cannot_inflate_the_index_is_told_so(browser, base_url):
    page = browser.new_page()
    page.add_init_script("delete window.DecompressionStream")
    try:
        page.goto(f"{base_url}/en/search/?q=innovation")
        page.wait_for_function("document.querySelector('#search-status').textContent !== ''")
        assert "too old" in page.locator("#search-status").text_content()
        assert page.locator(".result").count() == 0
    finally:
        page.close()


def test_index_text_is_data_not_markup(project, run):
    (project / "content" / "zh" / "x.md").write_text(
        "---\ntitle: <b>粗体</b>标题\n---\n\n正文<script>alert(1)</script>。\n", encoding="utf-8"
    )
    run(project)
    doc = index_file(project / "site" / "search" / "zh" / "doc" / "0.json.gz")
    assert doc["title"] == "<b>粗体</b>标题"  # JSON text; the client puts it in text nodes
    assert "<script>alert(1)</script>" in doc["text"]


def test_english_search_finds_a_pending_article_by_its_english_tag(browser, project, run):
    """An article with no English yet is found in English by its tags' English names."""
    shutil.copytree(REPO / "content", project / "content", dirs_exist_ok=True)
    (project / "content" / "en" / f"{RAIN}.md").unlink()
    assert run(project)[0] == 0
    with serving(project) as base:
        page = browser.new_page()
        page.goto(f"{base}/en/search/?q=Jinchuang")
        page.locator(".result").first.wait_for()
        link = page.locator(".result-title a").first
        assert link.get_attribute("href") == f"/en/articles/{RAIN}/"
        assert link.get_attribute("lang") == "zh-Hans"  # its Chinese title
        assert page.locator(".result .badge-pending").count() == 1
        assert page.locator("#search-status").inner_text() == "1 article found"
        page.close()


def test_changes_not_in_the_shards_yet_are_found_as_if_they_were(
    browser, tmp_path, run, monkeypatch
):
    """Added and edited articles go into the recent file (index.py), not the shards:
    search.js lays it over the shards' postings and finds what a fresh build's index
    finds, in the same order; once the recent file would be too large, its changes go
    into the shards with the build's own, and the file goes."""
    sys.path.insert(0, str(REPO / "bench"))
    from corpus import make_corpus

    queries = [("zh", "智创谷"), ("zh", "山西智创城"), ("zh", "晋中 人才"), ("en", "Jinzhong")]
    queries += [("en", "innovation"), ("en", "Zhichuang Valley"), ("zh", "长三角经济区")]
    queries += [("en", "Guangdong")]
    queries += [("zh", "补充说明")]

    def answers(root):
        with serving(root) as base:
            page = browser.new_page()
            page.goto(f"{base}/en/search/")
            try:
                return [page.evaluate(SEARCH, list(q)) for q in queries]
            finally:
                page.close()

    def fresh_answers():
        fresh = tmp_path / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".cache"))
        assert run(fresh)[0] == 0
        return answers(fresh)

    project = make_corpus(30, tmp_path / "project")
    held = tmp_path / "held"
    held.mkdir()
    articles = sorted((project / "content" / "zh").glob("*.md"))
    added = [articles[3].stem, articles[17].stem]
    for article in added:
        for lang in ("zh", "en"):
            (project / "content" / lang / f"{article}.md").rename(held / f"{lang}-{article}.md")
    assert run(project)[0] == 0
    folder = project / "site" / "search" / "zh"
    shards = {p.name: p.stat().st_ino for p in folder.glob("shard-*.json.gz")}
    edited = project / "content" / "zh" / f"{articles[9].stem}.md"
    for change in (*added, "edit"):
        if change == "edit":  # (words out of its texts: the shards' postings must go)
            text = edited.read_text(encoding="utf-8")
            assert "长三角经济区" in text
            edited.write_text(text.replace("长三角", "某") + "\n补充说明。\n", "utf-8")
            english = project / "content" / "en" / edited.name
            text = english.read_text(encoding="utf-8")
            assert "Guangdong" in text
            english.write_text(text.replace("Guangdong", "elsewhere"), "utf-8")
        else:
            for lang in ("zh", "en"):
                target = project / "content" / lang / f"{change}.md"
                shutil.copy(held / f"{lang}-{change}.md", target)
        assert run(project)[0] == 0
        meta = index_file(folder / "meta.json.gz")
        assert meta["recent"] and (folder / f"{meta['recent']}.gz").exists()
        assert len(list(folder.glob("recent-*"))) == 1
        assert {p.name: p.stat().st_ino for p in folder.glob("shard-*.json.gz")} == shards
        expected = fresh_answers()
        assert all(expected[:-1]), expected  # each finds something (the last: the edit)
        assert bool(expected[-1]) == (change == "edit")
        assert answers(project) == expected, change
    # Too large now: the next change goes into the shards with the recent file's.
    monkeypatch.setattr(index, "RECENT_POSTINGS", 10)
    edited.write_text(edited.read_text(encoding="utf-8") + "\n再补充。\n", "utf-8")
    assert run(project)[0] == 0
    assert index_file(folder / "meta.json.gz")["recent"] is None
    assert not list(folder.glob("recent-*"))
    assert {p.name: p.stat().st_ino for p in folder.glob("shard-*.json.gz")} != shards
    assert answers(project) == fresh_answers()


def test_the_terms_of_a_tag_name_follow_the_glossary():
    """Tag names are segmented once and remembered: for the segmenter's words of the
    time, so a term the glossary gains (in `serve`, between builds) is one word."""
    from briefing.search import index
    from briefing.text import chinese

    kept = list(chinese._WANTED_TERMS)
    try:
        chinese.use_terms([])
        before = index._name_terms("zh", "智创谷")
        chinese.use_terms(["智创谷"])
        after = index._name_terms("zh", "智创谷")
        assert "智创谷" in after and "智创谷" not in before
        assert index._name_terms("zh", "智创谷") is after  # remembered
    finally:
        chinese.use_terms(kept)


def test_a_terms_postings_change_in_place_as_a_dict_of_them_would():
    """index._merge: documents put in, changed and taken out of a [doc delta, count, ...]
    list, at its start, its end and next to each other, give the list a dict of the
    postings encodes to."""

    def encoded(postings: dict[int, int]) -> list[int]:
        flat, previous = [], 0
        for doc in sorted(postings):
            flat += [doc - previous, postings[doc]]
            previous = doc
        return flat

    pick = random.Random(3)
    for _ in range(3000):
        postings = {d: pick.randint(1, 9) for d in pick.sample(range(40), pick.randrange(20))}
        change = {pick.randrange(42): pick.choice([None, 1, 5]) for _ in range(pick.randrange(8))}
        flat = encoded(postings)
        index._merge(flat, change)
        for doc, count in change.items():
            if count is None:
                postings.pop(doc, None)
            else:
                postings[doc] = count
        assert flat == encoded(postings)
