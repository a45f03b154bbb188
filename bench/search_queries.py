"""Queries for the search benchmark's recall@10 on the seed site.

The articles a query should find are those whose text contains it (case
aside): what a reader who types these words expects to see. They are worked
out from content/ when the benchmark runs, so they follow the content.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.config import Project  # noqa: E402
from briefing.content import read_articles  # noqa: E402
from briefing.text.markdown import plain_text  # noqa: E402

ZH = [
    "智创谷",
    "山西智创城",
    "大学城",
    "租房",
    "晋创谷",
    "龙城",
    "高质量发展",
    "技术合同",
    "双创",
    "人才",
    "66平方公里",
    "深圳",
    "疫情",
    "科技金融",
    "太忻一体化",
    "中关村",
    "5G",
]
EN = [
    "Zhichuang Valley",
    "Shanxi University Town",
    "rental",
    "Jinchuang Valley",
    "Dragon City",
    "technology contracts",
    "Shenzhen",
    "epidemic",
    "Spring Festival",
    "Taiyuan-Xinzhou",
    "Zhongguancun",
    "5G",
    "live-streaming",
    "pellet",
    "supercomputing",
    "66",
]


def expected(lang: str, query: str) -> set[str]:
    project = Project(ROOT)
    found = set()
    for article in read_articles(project, lang).articles:
        text = plain_text(article.text).lower()
        if query.lower() in text:
            found.add(article.id)
    return found


QUERIES = [(lang, q, expected(lang, q)) for lang, qs in (("zh", ZH), ("en", EN)) for q in qs]
QUERIES = [(lang, q, found) for lang, q, found in QUERIES if found]
