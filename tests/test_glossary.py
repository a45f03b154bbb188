"""The glossary file: terms with fixed English, and words jieba keeps whole."""

from __future__ import annotations

import re

from briefing.glossary import load_glossary
from briefing.text import chinese

from .conftest import REPO


def test_committed_glossary_has_the_names_the_site_needs():
    glossary = load_glossary(REPO / "content" / "glossary.yaml")
    assert glossary["山西智创城"] == "Shanxi Zhichuang City"
    assert glossary["智创谷"] == "Zhichuang Valley"
    assert glossary["晋中"] == "Jinzhong"
    assert glossary["太原"] == "Taiyuan"


def use_repo_glossary() -> dict[str, str]:
    """The segmenter's words as a build of the repo sets them (a test run alone, or
    first in its worker, has no earlier build to have done it)."""
    glossary = load_glossary(REPO / "content" / "glossary.yaml")
    chinese.use_terms(list(glossary))
    return glossary


def test_glossary_terms_are_single_words_for_jieba():
    use_repo_glossary()
    words = chinese.words("山西智创城全力打造智创谷，晋创谷与山西大学城联动")
    for term in ("山西智创城", "智创谷", "晋创谷", "山西大学城"):
        assert term in words


def test_missing_glossary_is_empty(tmp_path):
    assert load_glossary(tmp_path / "glossary.yaml") == {}


def test_broken_glossary_stops_the_build_with_one_line(project, run):
    (project / "content" / "glossary.yaml").write_text("智创谷: [Zhichuang\n", encoding="utf-8")
    status, out = run(project)
    assert status == 1
    assert out.strip().startswith("error: content/glossary.yaml: not valid YAML (line 2)")


def test_glossary_entry_without_english_is_named(project, run):
    (project / "content" / "glossary.yaml").write_text(
        "智创谷: Zhichuang Valley\n晋中:\n", encoding="utf-8"
    )
    status, out = run(project)
    assert status == 1
    assert out.strip() == (
        "error: content/glossary.yaml: entry '晋中': both the term and its English must be text"
    )


def test_segmentation_is_jiebas_on_every_seed_article(tmp_path):
    """rjieba runs jieba's algorithm and dictionary; with the same glossary words it
    gives the jieba package's words, search-mode words and TF-IDF keyword ranking."""
    import logging

    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = str(tmp_path)  # its dictionary cache, which it keeps in the temp folder
    for term in use_repo_glossary():
        jieba.add_word(term, freq=max(jieba.suggest_freq(term, tune=False), 1000))
    articles = sorted((REPO / "content" / "zh").glob("*.md"))
    assert len(articles) >= 6
    for path in articles:
        text = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        tokens = chinese.segment(text)
        # jieba-rs keeps "1-3" as one token where jieba splits it: compare Han words.
        assert _han(tokens) == _han(jieba.lcut(text)), path.name
        assert _han(chinese.search_words_from(tokens)) == _han(jieba.cut_for_search(text))
        # What the index holds: the same words, worked out in one pass.
        assert chinese.han_search_words_from(tokens) == chinese.han_words(
            chinese.search_words_from(tokens)
        )
        ours = chinese.keywords_from(tokens, 6)
        ranked = [
            w
            for w in jieba.analyse.extract_tags(text, topK=None)
            if _HAN_WORD.fullmatch(w) and len(w) >= 2
        ]
        assert len(ours) == 6
        assert ours == [w for w in ranked if w in ours], path.name  # same order
        skipped = ranked[: ranked.index(ours[-1])]
        assert all(w in ours or w in chinese._NOT_KEYWORDS | chinese._STOPWORDS for w in skipped)


_HAN_WORD = re.compile(r"[\u3400-\u9fff]+")


def _han(words) -> list[str]:
    return [w for w in words if _HAN_WORD.fullmatch(w)]
