"""How well ingest reads pages: per-field accuracy and chrome left, over the gallery.

    python bench/ingest_eval.py            # the table
    python bench/ingest_eval.py -v         # and every miss, page by page
    python bench/ingest_eval.py --json     # the scores as JSON (the tests read these)

The gallery (tests/gallery/<set>/) holds pages written for this project in the
styles of many kinds of Chinese news sites, each `<name>.txt` (or `.html`) with a
`<name>.yaml` of what an editor expects: title, date, source, authors, the first
paragraph, and strings of chrome that must not survive. "holdout" pages were
written apart from the reader's rules and only measured, never tuned on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.text.decoding import decode_bytes  # noqa: E402
from briefing.text.markdown import plain_text  # noqa: E402

try:
    from briefing.ingest import IngestError, read_page
except ImportError:  # the reader before briefing/ingest/ (to measure "before" from an old checkout)
    from briefing.scrape import IngestError  # type: ignore[no-redef]
    from briefing.scrape import clean_page as read_page  # type: ignore[no-redef]

GALLERY = ROOT / "tests" / "gallery"
FIELDS = ("title", "date", "source", "authors", "first_paragraph")


@dataclass
class PageResult:
    name: str
    set: str
    style: str
    right: dict[str, bool] = field(default_factory=dict)
    got: dict[str, object] = field(default_factory=dict)
    expected: dict[str, object] = field(default_factory=dict)
    chrome_total: int = 0
    chrome_left: list[str] = field(default_factory=list)
    refused: str | None = None
    review: list[str] = field(default_factory=list)

    @property
    def bad(self) -> bool:
        """A page that must be refused (a login wall, a list page ...)."""
        return bool(self.expected.get("refused"))

    @property
    def clean(self) -> bool:
        if self.bad:
            return self.refused is not None
        return self.refused is None and all(self.right.values()) and not self.chrome_left


def normalized(text: str | None) -> str | None:
    if text is None:
        return None
    return "".join(unicodedata.normalize("NFKC", text).split())


def gallery_pages(sets: list[str] | None = None) -> list[tuple[str, Path, dict]]:
    pages = []
    for folder in sorted(p for p in GALLERY.iterdir() if p.is_dir()):
        if sets and folder.name not in sets:
            continue
        for expected in sorted(folder.glob("*.yaml")):
            raw = next(
                (
                    p
                    for p in folder.iterdir()
                    if p.name.startswith(expected.stem + ".") and p.suffix != ".yaml"
                ),
                None,
            )
            if raw is not None:
                pages.append(
                    (folder.name, raw, yaml.safe_load(expected.read_text(encoding="utf-8")))
                )
    return pages


def read(raw: Path):
    data = raw.read_bytes()
    if raw.suffix.lower() in (".html", ".htm"):
        from briefing.ingest import read_html_page

        return read_html_page(data, raw.name, hashlib.sha256(data).hexdigest())
    return read_page(decode_bytes(data, raw.name), raw.name, hashlib.sha256(data).hexdigest())


def evaluate(set_name: str, raw: Path, expected: dict) -> PageResult:
    result = PageResult(raw.name, set_name, expected.get("style", "?"), expected=expected)
    result.chrome_total = len(expected.get("chrome") or [])
    try:
        page = read(raw)
    except (IngestError, ValueError) as exc:
        result.refused = str(exc).splitlines()[0]
        result.right = dict.fromkeys(FIELDS, False)
        return result
    if expected.get("refused"):
        result.got = {"title": page.articles[0].title}
        return result
    article = page.articles[0]
    paragraphs = [plain_text(p) for p in article.paragraphs]
    got = {
        "title": article.title,
        "date": article.date,
        "source": article.source,
        "authors": article.authors,
        "first_paragraph": paragraphs[0] if paragraphs else None,
    }
    result.got = got
    result.review = getattr(article, "review", [])
    result.right = {
        "title": normalized(got["title"]) == normalized(expected.get("title")),
        "date": (got["date"] or None) == (str(expected["date"]) if expected.get("date") else None),
        "source": normalized(got["source"]) == normalized(expected.get("source")),
        "authors": set(got["authors"]) == set(expected.get("authors") or []),
        "first_paragraph": normalized(got["first_paragraph"])
        == normalized(expected.get("first_paragraph")),
    }
    text = (
        normalized("\n".join([article.title, *(plain_text(b.text) for b in article.blocks)])) or ""
    )
    result.chrome_left = [c for c in expected.get("chrome") or [] if normalized(str(c)) in text]
    return result


def scores(results: list[PageResult]) -> dict[str, float]:
    bad = [r for r in results if r.bad]
    results = [r for r in results if not r.bad]
    n = len(results) or 1
    chrome_total = sum(r.chrome_total for r in results) or 1
    out = {name: sum(r.right.get(name, False) for r in results) / n for name in FIELDS}
    out["chrome_left"] = sum(len(r.chrome_left) for r in results) / chrome_total
    out["fully_clean"] = sum(r.clean for r in results) / n
    out["refused"] = sum(r.refused is not None for r in results)
    out["pages"] = len(results)
    out["bad_refused"] = sum(r.refused is not None for r in bad)
    out["bad_pages"] = len(bad)
    return out


GOALS = {
    "title": 0.90,
    "date": 0.90,
    "source": 0.85,
    "authors": 0.85,
    "first_paragraph": 0.90,
    "chrome_left": 0.05,
    "fully_clean": 0.75,
}


def table(groups: dict[str, list[PageResult]]) -> str:
    names = list(groups)
    rows = [
        f"| {'field':<16} | "
        + " | ".join(f"{n} ({sum(not r.bad for r in groups[n])})" for n in names)
        + " | goal |"
    ]
    rows.append("|" + "---|" * (len(names) + 2))
    computed = {n: scores(groups[n]) for n in names}
    for key in (*FIELDS, "chrome_left", "fully_clean", "refused"):
        cells = []
        for n in names:
            value = computed[n][key]
            cells.append(f"{value:.0f}" if key == "refused" else f"{value:.0%}")
        goal = GOALS.get(key)
        goal_text = (
            "0"
            if key == "refused"
            else (f"≤ {goal:.0%}" if key == "chrome_left" else f"≥ {goal:.0%}")
        )
        rows.append(f"| {key:<16} | " + " | ".join(cells) + f" | {goal_text} |")
    if any(computed[n]["bad_pages"] for n in names):
        cells = [
            f"{computed[n]['bad_refused']:.0f} of {computed[n]['bad_pages']:.0f}" for n in names
        ]
        rows.append(f"| {'bad pages refused':<16} | " + " | ".join(cells) + " | all |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--set", action="append", help="only these gallery sets")
    args = parser.parse_args(argv)
    pages = gallery_pages(args.set)
    started = time.perf_counter()
    results = [evaluate(s, raw, exp) for s, raw, exp in pages]
    per_page = (time.perf_counter() - started) / max(1, len(pages))
    groups: dict[str, list[PageResult]] = {}
    for r in results:
        groups.setdefault(r.set, []).append(r)
    groups["all"] = results
    if args.json:
        print(json.dumps({name: scores(group) for name, group in groups.items()}, indent=2))
        return 0
    if args.verbose:
        for r in results:
            if r.clean:
                continue
            print(f"--- {r.set}/{r.name} ({r.style}) review={r.review}")
            if r.bad:
                print(f"    not refused: read as {r.got.get('title')!r}")
                continue
            if r.refused:
                print(f"    refused: {r.refused}")
                continue
            for name in FIELDS:
                if not r.right[name]:
                    print(f"    {name}: got {r.got[name]!r}")
                    print(f"    {' ' * len(name)}  want {r.expected.get(name)!r}")
            if r.chrome_left:
                print(f"    chrome left: {r.chrome_left}")
        print()
    print(table(groups))
    print(
        f"\n{len(pages)} pages, {per_page * 1000:.0f} ms a page (first page included: loads jieba, OpenCC)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
