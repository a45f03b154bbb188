"""A synthetic bilingual corpus of N articles made from the seed articles, for benchmarks.

Each article takes a seed's Chinese and English versions, keeps a varying
share of their paragraphs (aligned), and gets its own title, date and tag, so
that sizes, dates and tags vary as in a real archive. The result is a project
folder (content/zh, content/en, templates, site.toml) that `python build.py`
and the benchmarks build; no translation model is needed.
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.config import Project  # noqa: E402
from briefing.content import (  # noqa: E402
    article_to_markdown,
    read_articles,
    source_hash,
)
from briefing.model import Article  # noqa: E402

PLACES = [
    ("太原", "Taiyuan"),
    ("晋中", "Jinzhong"),
    ("大同", "Datong"),
    ("长治", "Changzhi"),
    ("临汾", "Linfen"),
    ("运城", "Yuncheng"),
    ("忻州", "Xinzhou"),
    ("吕梁", "Lüliang"),
]
TOPICS = [
    ("数字经济", "digital economy"),
    ("新材料", "new materials"),
    ("人才", "talent"),
    ("科技金融", "technology finance"),
    ("乡村振兴", "rural revitalization"),
    ("绿色能源", "green energy"),
    ("高校合作", "university cooperation"),
]


def make_corpus(n: int, dest: Path, seed: int = 7) -> Path:
    """Write a project with n articles to dest (replacing it) and return dest."""
    rng = random.Random(seed)
    repo = Project(ROOT)
    zh = {a.id: a for a in read_articles(repo, "zh").articles}
    en = {a.id: a for a in read_articles(repo, "en").articles}
    pairs = [(zh[i], en[i]) for i in sorted(zh) if i in en]
    if dest.exists():
        shutil.rmtree(dest)
    for sub in ("zh", "en", "raw"):
        (dest / "content" / sub).mkdir(parents=True)
    shutil.copytree(ROOT / "templates", dest / "templates")
    shutil.copy(ROOT / "site.toml", dest / "site.toml")
    shutil.copy(ROOT / "content" / "glossary.yaml", dest / "content" / "glossary.yaml")
    for i in range(n):
        base_zh, base_en = pairs[i % len(pairs)]
        place_zh, place_en = PLACES[rng.randrange(len(PLACES))]
        topic_zh, topic_en = TOPICS[rng.randrange(len(TOPICS))]
        keep = max(2, int(len(base_zh.blocks) * rng.uniform(0.3, 1.0)))
        start = rng.randrange(0, len(base_zh.blocks) - keep + 1)
        picked = range(start, start + keep)
        day = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        article_id = f"{day}-bench{i:05d}"
        zh_article = Article(
            id=article_id,
            lang="zh",
            title=f"{place_zh}{topic_zh}：{base_zh.title}（{i}）",
            blocks=[base_zh.blocks[k] for k in picked if k < len(base_zh.blocks)],
            date=f"{day}T{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}:00+08:00",
            source=base_zh.source,
            authors=base_zh.authors,
            tags=[topic_zh],
        )
        en_article = Article(
            id=article_id,
            lang="en",
            title=f"{place_en}, {topic_en}: {base_en.title} ({i})",
            blocks=[base_en.blocks[k] for k in picked if k < len(base_en.blocks)],
            tags=[topic_en],
            authors=base_en.authors,
            extra={"translation": {"method": "editorial", "source_hash": source_hash(zh_article)}},
        )
        for article in (zh_article, en_article):
            path = dest / "content" / article.lang / f"{article_id}.md"
            path.write_text(article_to_markdown(article), encoding="utf-8")
    return dest


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / ".cache" / f"corpus-{count}"
    print(make_corpus(count, target))
