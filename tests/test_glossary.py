"""The glossary file: terms with fixed English, and words jieba keeps whole."""

from __future__ import annotations

from briefing import chinese
from briefing.glossary import load_glossary

from .conftest import REPO


def test_committed_glossary_has_the_names_the_site_needs():
    glossary = load_glossary(REPO / "content" / "glossary.yaml")
    assert glossary["山西智创城"] == "Shanxi Zhichuang City"
    assert glossary["智创谷"] == "Zhichuang Valley"
    assert glossary["晋中"] == "Jinzhong"
    assert glossary["太原"] == "Taiyuan"


def test_glossary_terms_are_single_words_for_jieba():
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


def test_one_segmentation_gives_what_jiebas_own_calls_give():
    import jieba
    import jieba.analyse

    text = (REPO / "content" / "zh" / "2022-02-27-d9ab3b7d.md").read_text(encoding="utf-8")
    tokens = chinese.segment(text)
    assert chinese.search_words_from(tokens) == list(jieba.cut_for_search(text))
    ours = chinese.keywords_from(tokens, 6)
    theirs = jieba.analyse.extract_tags(text, topK=18)
    assert ours == [w for w in theirs if w in ours]  # the same ranking, filtered
    assert ours and all(w in theirs for w in ours)
