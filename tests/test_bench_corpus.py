"""The benchmarks' synthetic corpus builds like real content (so the benchmarks keep working)."""

from __future__ import annotations

import sys

from briefing.cli import main

from .conftest import REPO


def test_synthetic_corpus_builds_with_both_languages(tmp_path):
    sys.path.insert(0, str(REPO / "bench"))
    from corpus import make_corpus

    root = make_corpus(20, tmp_path / "corpus")
    assert main(["-q"], root=root) == 0
    articles = sorted((root / "site" / "en" / "articles").iterdir())
    assert len(articles) == 20
    page = (articles[0] / "index.html").read_text(encoding="utf-8")
    assert "Editorial translation" in page  # a translation is there, no model needed
    assert len({p.name[:4] for p in articles}) > 1  # dates vary
