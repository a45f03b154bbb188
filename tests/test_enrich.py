"""Enrichment of the seed articles: tags, figures, summaries, order, related articles."""

from __future__ import annotations

import random

import pytest

from briefing import related as related_module
from briefing.cache import Cache
from briefing.config import Project
from briefing.content import read_articles
from briefing.enrich import FIGURES_KEPT, Story, Tag, enrich, find_figures, tag_slug
from briefing.glossary import load_glossary
from briefing.related import related_map
from briefing.search.index import make_entry
from briefing.text import chinese

from .conftest import REPO


@pytest.fixture(scope="module")
def stories():
    project = Project(REPO)  # read only: nothing is ingested or written
    zh = read_articles(project, "zh").articles
    en = read_articles(project, "en").articles
    glossary = load_glossary(project.glossary_path)
    chinese.use_terms(list(glossary))
    return {s.id: s for s in enrich(zh, en, glossary)}


def test_stories_run_newest_first_with_undated_last(stories):
    order = list(stories)
    assert order[0] == "2025-06-06-6ecaf2db"
    assert order[-2:] == ["undated-89793ac4-2", "undated-89793ac4"]
    first = stories[order[0]]
    assert first.newer is None and first.older == order[1]
    assert stories[order[1]].newer == order[0]


def test_tags_come_from_the_glossary_with_english_names(stories):
    story = stories["2022-02-27-d9ab3b7d"]
    names = {t.name("zh"): t.name("en") for t in story.tags}
    assert names["智创谷"] == "Zhichuang Valley"
    assert names["山西大学城"] == "Shanxi University Town"
    assert [t.slug for t in story.tags if t.name("zh") == "智创谷"] == ["zhichuang-valley"]


def test_the_articles_own_column_tag_is_kept_with_its_english_name(stories):
    story = stories["2022-06-02-70a5743f"]
    tag = story.tags[0]
    assert tag.name("zh") == "全方位推动高质量发展"
    assert tag.name("en") == "High-quality development in every respect"


def test_keyword_tags_without_english_stay_on_the_chinese_side(stories):
    rental = stories["undated-89793ac4-2"]
    zh_only = [t for t in rental.tags if t.name("en") is None]
    assert "租房" in [t.name("zh") for t in zh_only]
    assert all(t.slug.startswith("t-") for t in zh_only)
    assert [t.name("en") for t in rental.tags_in("en")] == ["Taiyuan"]


def test_key_figures_carry_their_context(stories):
    story = stories["2022-02-27-d9ab3b7d"]
    figures = {f.value: f.context for f in find_figures(story.versions["zh"])}
    assert "66平方公里" in figures and "核心区域面积" in figures["66平方公里"]
    english = {f.value for f in find_figures(story.versions["en"])}
    assert {"220,000 students", "68 companies", "CNY 100 billion"} <= english
    # A story keeps what the home page can show of it: its weightiest two of each language.
    for lang in ("zh", "en"):
        assert story.figures[lang] == find_figures(story.versions[lang])[:FIGURES_KEPT]
    assert FIGURES_KEPT == 2 and story.figures["zh"][0].value == "66平方公里"


@pytest.mark.parametrize(
    ("lang", "text", "values"),
    [
        # A number is taken whole, never from its middle or after a point or comma.
        ("zh", "新增企业1,200家,投资12.5亿元,增长.5%", ["200家", "12.5亿元"]),
        ("zh", "10家单位签约", ["10家"]),  # at the start of a clause
        ("zh", "项目x3项,第2020年", ["3项"]),
        (
            "en",
            "CNY 3,000.5 billion went to 68 companies; 12.5% more",
            ["CNY 3,000.5 billion", "68 companies", "12.5%"],
        ),
        ("en", "It had 1,200 people, and 5, people said 9 mud.", ["1,200 people"]),
        # After a letter is a number's start; CNY is found wherever it stands.
        (
            "en",
            "C5 people and CCNY 5 and x1.5 square kilometres",
            ["5 people", "CNY 5", "1.5 square kilometres"],
        ),
    ],
)
def test_figures_start_and_end_at_whole_numbers(lang, text, values):
    from briefing.model import Article, Block

    article = Article(id="x", lang=lang, title="t", blocks=[Block("paragraph", text)])
    assert sorted(f.value for f in find_figures(article)) == sorted(values)


def test_summary_is_cut_at_a_sentence_end(stories):
    summary = stories["2022-02-27-d9ab3b7d"].summaries["zh"]
    assert summary.endswith("。") and len(summary) <= 110


def test_related_articles_share_topics(stories):
    assert stories["undated-89793ac4-2"].related == ["undated-89793ac4"]
    assert "undated-89793ac4-2" not in stories["2022-02-27-d9ab3b7d"].related


def plain_related(stories: list[Story], words: dict[str, set[str]]) -> dict[str, list[str]]:
    """related_map's rule, pair by pair: what its array operations must give."""
    tags = {s.id: {t.slug for t in s.tags} for s in stories}
    limit = max(3, min(len(stories) // 5, related_module.RELATED_FEATURE_LIMIT))

    def telling(found: dict[str, set[str]]) -> dict[str, set[str]]:
        spread = {
            f: sum(f in other for other in found.values()) for one in found.values() for f in one
        }
        return {i: {f for f in one if spread[f] <= limit} for i, one in found.items()}

    told_tags, told_words = telling(tags), telling(words)
    related = {}
    for one in stories:
        scored = []
        for other in stories:
            if other is one:
                continue
            shared_tags = len(told_tags[one.id] & told_tags[other.id])
            shared = len(told_words[one.id] & told_words[other.id])
            if shared:
                union = len(words[one.id]) + len(words[other.id]) - shared
                score = 2 * shared_tags + 10 * shared / union
                if score > 0.5:
                    scored.append((-score, other.id))
            elif shared_tags:
                scored.append((-2.0 * shared_tags, other.id))
        related[one.id] = [i for _, i in sorted(scored)[: related_module.MAX_RELATED]]
    return related


@pytest.mark.parametrize("counted", [related_module.COUNTED_UP_TO, 0])
@pytest.mark.parametrize("block", [related_module.PAIRS_A_BLOCK, 40])
def test_related_articles_are_the_best_scored_pairs(monkeypatch, block, counted):
    """Random stories from a small vocabulary: words and tags shared by too many, tag
    slugs that are also words, ties; counted in one block of pairs and in many, the
    pairs numbered by counting and by sorting."""
    monkeypatch.setattr(related_module, "PAIRS_A_BLOCK", block)
    monkeypatch.setattr(related_module, "COUNTED_UP_TO", counted)
    pick = random.Random(7)
    vocabulary = [f"w{n}" for n in range(40)]
    slugs = ["w1", "w2", "t1", "t2", "t3", "t4"]
    stories, words = [], {}
    for n in range(90):
        story = Story(id=f"s{pick.randrange(1000):04d}-{n}", versions={})
        story.tags = [Tag(slug=s, names=()) for s in pick.sample(slugs, pick.randrange(3))]
        words[story.id] = set(pick.sample(vocabulary, pick.randrange(1, 8)))
        stories.append(story)
    found, _ = related_map(stories, words)
    assert found == plain_related(stories, words)
    assert sum(map(len, found.values())) > 200  # most stories have related ones


def test_a_few_changed_stories_relate_as_a_whole_count_would(monkeypatch):
    """Stories added, removed and changed a few at a time, each map made from the last
    one's Relations: the same map as every pair counted, and mostly without counting
    them. Words drawn unevenly, so that some are held about as often as the limit
    (which moves with the number of stories) and flip between telling and not."""
    pick = random.Random(11)
    vocabulary = [f"w{n}" for n in range(70)]
    weights = [1 / (n + 1) ** 0.9 for n in range(len(vocabulary))]
    slugs = ["w1", "w3", "t1", "t2", "t3", "t4", "t5"]

    def story(n: int) -> tuple[Story, set[str]]:
        made = Story(id=f"s{pick.randrange(100000):05d}-{n}", versions={})
        made.tags = [Tag(slug=s, names=()) for s in pick.sample(slugs, pick.randrange(3))]
        return made, set(pick.choices(vocabulary, weights, k=pick.randrange(1, 14)))

    counted = []
    whole_map = related_module._whole_map

    def counting(*args):
        counted.append(len(args[0]))
        return whole_map(*args)

    monkeypatch.setattr(related_module, "_whole_map", counting)
    stories, words = [], {}
    for n in range(110):
        made, its_words = story(n)
        stories.append(made)
        words[made.id] = its_words
    previous = None
    for step in range(60):
        for _ in range(pick.randrange(1, 4)):
            change = pick.random()
            if change < 0.45:  # an article added
                made, its_words = story(1000 + step)
                stories.insert(pick.randrange(len(stories) + 1), made)
                words[made.id] = its_words
            elif change < 0.7:  # one removed
                gone = stories.pop(pick.randrange(len(stories)))
                del words[gone.id]
            elif change < 0.85:  # one edited: other words
                edited = pick.choice(stories)
                words[edited.id] = story(0)[1]
            else:  # one whose tags changed (a glossary term's spread, say)
                pick.choice(stories).tags = story(0)[0].tags
        found, previous = related_map(stories, words, previous)
        assert found == plain_related(stories, words), step
    assert len(counted) <= 10  # the first map, and when too much changed at once
    assert sum(map(len, found.values())) > 150


def test_a_build_relates_an_added_article_from_the_last_builds_map(tmp_path, monkeypatch):
    """enrich() keeps what its related map was made from in the cache, and the next
    build, one article more, works from it rather than counting every pair: the same
    related articles as a build without a cache."""
    project = Project(REPO)
    zh = read_articles(project, "zh").articles
    en = read_articles(project, "en").articles
    glossary = load_glossary(project.glossary_path)
    chinese.use_terms(list(glossary))
    cache = Cache(tmp_path / "build.sqlite")
    try:
        enrich(zh[1:], en, glossary, cache)
        cache.commit()
        counted = []
        whole_map = related_module._whole_map
        monkeypatch.setattr(
            related_module, "_whole_map", lambda *a: counted.append(1) or whole_map(*a)
        )
        found = {s.id: s.related for s in enrich(zh, en, glossary, cache)}
    finally:
        cache.close()
    assert not counted  # from the last build's map
    assert found == {s.id: s.related for s in enrich(zh, en, glossary)}
    assert any(found.values())


def test_tag_slugs_are_ascii():
    assert tag_slug("智创谷", "Zhichuang Valley") == "zhichuang-valley"
    assert tag_slug("租房", None).startswith("t-")
    assert tag_slug("租房", None).isascii()


def test_keywords_are_the_same_from_the_kept_table_remembered_words_and_memory(
    tmp_path, monkeypatch
):
    """jieba's IDF table: looked up word by word in its file, then from the words this
    process has looked up, or made in memory where no file can be kept: one ranking."""
    text = sorted((REPO / "content" / "zh").glob("*.md"))[0].read_text(encoding="utf-8")
    tokens = chinese.segment(text)

    def ranked() -> list[str]:
        return chinese.keywords_from(tokens, 6)

    monkeypatch.setattr(chinese, "_IDF_KNOWN", {})
    looked_up = ranked()
    assert chinese._IDF_KNOWN  # remembered: the next text asks only for its new words
    assert ranked() == looked_up
    # No cache folder, and a temp folder that cannot be written: a table in memory.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "gone" / "tmp"))
    monkeypatch.setattr(chinese, "_IDF_DB", None)
    monkeypatch.setattr(chinese, "_IDF_KNOWN", {})
    assert ranked() == looked_up
    assert not list(tmp_path.rglob("*.sqlite*"))


def test_search_entries_cut_the_body_where_the_features_did(stories):
    """The features' segmentation of the Chinese body is the search entry's (no second
    jieba pass): the entry is the same either way."""
    for story in stories.values():
        assert story.body_cuts is not None  # this enrich segmented every story
        with_cuts = make_entry(story, "zh", "/zh/articles/x/")
        cuts, story.body_cuts = story.body_cuts, None
        try:
            assert make_entry(story, "zh", "/zh/articles/x/") == with_cuts
        finally:
            story.body_cuts = cuts


def test_tokens_come_back_from_their_cuts_and_only_for_their_text():
    tokens = chinese.segment("晋中市智创谷：６６平方公里 in 2022!")
    cuts = chinese.cut_lengths(tokens)
    assert cuts is not None
    assert chinese.tokens_from_cuts("".join(tokens), cuts) == tokens
    assert chinese.tokens_from_cuts("".join(tokens) + "多", cuts) is None
    assert chinese.tokens_from_cuts("", chinese.cut_lengths([])) == []
    assert chinese.cut_lengths(["x" * 70_000]) is None  # too long for its two bytes


def test_a_storys_most_frequent_words_are_most_commons_in_its_order():
    """enrich._most_frequent: Counter.most_common's words, in the same order (ties: the
    word seen first first), with many ties and fewer words than asked for."""
    from collections import Counter

    from briefing.enrich import _most_frequent

    rng = random.Random(7)
    for _ in range(500):
        words = [
            rng.choice("甲乙丙丁戊己庚辛壬癸") * rng.randint(1, 2)
            for _ in range(rng.randint(0, 60))
        ]
        for count in (1, 3, 40):
            expected = tuple(word for word, _ in Counter(words).most_common(count))
            assert _most_frequent(words, count) == expected
