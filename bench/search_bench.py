"""Search benchmark: briefing's index against Pagefind on the same built sites, in one run.

    pip install "pagefind[extended]"      # Pagefind with Chinese segmentation
    python bench/search_bench.py [--sizes 5,1000,4000]

For each size (5 = the real seed site; larger ones are synthetic corpora made
from the seeds by bench/corpus.py) it builds the site, times both index
builds, sums both indexes' sizes, and measures in headless Chromium the bytes
a first query downloads (client code, index, and the data of up to ten
results). On the seed site it also measures recall@10 on the queries in
bench/search_queries.py. Prints one table.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import make_corpus  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from search_queries import QUERIES  # noqa: E402

from briefing.config import Project  # noqa: E402
from briefing.pipeline import build  # noqa: E402
from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

FIRST_QUERIES = {"zh": ["智创谷", "山西大学城"], "en": ["innovation", "Zhichuang Valley"]}
PAGEFIND_PAGE = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>pf</title>
<script type="module">import * as pf from "/pagefind/pagefind.js"; window.pf = pf; window.ready = true;</script>
</head><body></body></html>"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def seed_site(dest: Path) -> Path:
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copy(ROOT / "site.toml", dest / "site.toml")
    return dest


def run_pagefind(site: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pagefind",
            "--site",
            str(site),
            "--glob",
            "*/articles/*/index.html",
            "--output-subdir",
            "pagefind",
            "--silent",
        ],
        check=True,
    )
    elapsed = time.perf_counter() - start
    for lang in ("zh", "en"):
        (site / f"pf-{lang}.html").write_text(
            PAGEFIND_PAGE.format(lang="zh-Hans" if lang == "zh" else "en")
        )
    return elapsed


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class Meter:
    """Counts the bytes of responses whose path starts with a prefix."""

    def __init__(self, page, prefixes):
        self.raw = 0
        self.gzipped = 0
        self.prefixes = prefixes
        self.responses = []
        page.on("response", lambda response: self.responses.append(response))

    def finish(self) -> Meter:
        """Read the bodies (while the page is still open) and add them up."""
        for response in self.responses:
            path = "/" + response.url.split("/", 3)[-1]
            if any(path.startswith(p) for p in self.prefixes):
                body = response.body()
                self.raw += len(body)
                self.gzipped += len(gzip.compress(body, 6))
        return self


OURS_QUERY = """async ([lang, q]) => {
    const index = new window.briefingSearch.StaticIndex(`/search/${lang}/`);
    const results = await index.search(window.briefingSearch.parseQuery(q), 10);
    return results.map((r) => r.doc.url);
}"""
PAGEFIND_QUERY = """async (q) => {
    const search = await window.pf.search(q);
    const data = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
    return data.map((d) => d.url);
}"""


def ours_query(browser, base, lang, query):
    page = browser.new_page()
    meter = Meter(page, ["/search/", "/assets/search."])
    page.goto(f"{base}/{lang}/search/")
    urls = page.evaluate(OURS_QUERY, [lang, query])
    meter.finish()
    page.close()
    return urls, meter


def pagefind_query(browser, base, lang, query):
    page = browser.new_page()
    meter = Meter(page, ["/pagefind/"])
    page.goto(f"{base}/pf-{lang}.html")
    page.wait_for_function("window.ready === true")
    urls = page.evaluate(PAGEFIND_QUERY, query)
    meter.finish()
    page.close()
    return urls, meter


def article_id(url: str) -> str:
    return url.rstrip("/").split("/articles/", 1)[-1].split("/")[0]


def measure(size: int, workdir: Path, browser) -> dict:
    root = workdir / f"n{size}"
    if size == 5:
        seed_site(root)
    else:
        make_corpus(size, root)
    project = Project(root)
    start = time.perf_counter()
    result = build(project)  # from scratch: no cache, no site
    build_seconds = time.perf_counter() - start
    # What the build spent on both languages' indexes (terms, postings, files written).
    ours_seconds = result.timings["search index + write"]
    pagefind_seconds = run_pagefind(project.site_dir)
    row = {
        "size": size,
        "build": build_seconds,
        "ours_index_s": ours_seconds,
        "pf_index_s": pagefind_seconds,
        "ours_bytes": folder_bytes(project.site_dir / "search"),
        "pf_bytes": folder_bytes(project.site_dir / "pagefind"),
    }
    # A plain static server: the bench page that loads Pagefind uses an inline
    # module script, which the site's own CSP (applied by `serve`) forbids.
    handler = functools.partial(QuietHandler, directory=str(project.site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        ours_first, ours_gz, pf_first = [], [], []
        for lang, queries in FIRST_QUERIES.items():
            for query in queries:
                _, meter = ours_query(browser, base, lang, query)
                ours_first.append(meter.raw)
                ours_gz.append(meter.gzipped)
                _, meter = pagefind_query(browser, base, lang, query)
                pf_first.append(meter.raw)
        row["ours_first"] = statistics.mean(ours_first)
        row["ours_first_gz"] = statistics.mean(ours_gz)
        row["pf_first"] = statistics.mean(pf_first)
        if size == 5:
            row["ours_recall"], row["pf_recall"] = recall(browser, base)
    finally:
        server.shutdown()
    return row


def recall(browser, base) -> tuple[float, float]:
    """recall@10 of each engine over QUERIES, each language's queries in one page per
    engine (only the first-query bytes need a fresh page)."""
    ours, pagefind = [], []
    pages = {}
    for lang in {lang for lang, _, _ in QUERIES}:
        mine = browser.new_page()
        mine.goto(f"{base}/{lang}/search/")
        theirs = browser.new_page()
        theirs.goto(f"{base}/pf-{lang}.html")
        theirs.wait_for_function("window.ready === true")
        pages[lang] = (mine, theirs)
    try:
        for lang, query, expected in QUERIES:
            mine, theirs = pages[lang]
            urls = mine.evaluate(OURS_QUERY, [lang, query])
            ours.append(len(expected & {article_id(u) for u in urls[:10]}) / len(expected))
            urls = theirs.evaluate(PAGEFIND_QUERY, query)
            pagefind.append(len(expected & {article_id(u) for u in urls[:10]}) / len(expected))
            if ours[-1] < 1 or pagefind[-1] < 1:
                print(
                    f"  recall {lang} {query!r}: ours {ours[-1]:.2f}, pagefind {pagefind[-1]:.2f}"
                )
    finally:
        for both in pages.values():
            for page in both:
                page.close()
    return statistics.mean(ours), statistics.mean(pagefind)


def kb(value: float) -> str:
    return f"{value / 1024:,.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,1000,4000")
    parser.add_argument(
        "--first-queries",
        type=int,
        default=2,
        help="first-query measurements per language, each in a fresh page (default 2)",
    )
    parser.add_argument(
        "--recall-queries",
        type=int,
        help="recall@10 over the first N queries of each language (default: all of them)",
    )
    args = parser.parse_args()
    for lang in FIRST_QUERIES:
        FIRST_QUERIES[lang] = FIRST_QUERIES[lang][: args.first_queries]
    if args.recall_queries is not None:
        QUERIES[:] = [
            q
            for lang in ("zh", "en")
            for q in [q for q in QUERIES if q[0] == lang][: args.recall_queries]
        ]
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in sizes:
            print(f"measuring {size} articles ...", flush=True)
            rows.append(measure(size, Path(tmp), browser))
        browser.close()
    print()
    print(
        f"{len(QUERIES)} recall queries ({sum(q[0] == 'zh' for q in QUERIES)} zh, "
        f"{sum(q[0] == 'en' for q in QUERIES)} en); first query = mean over "
        f"{sum(len(q) for q in FIRST_QUERIES.values())} queries, each in a fresh page"
    )
    header = (
        "articles",
        "index build ours",
        "index build Pagefind",
        "index size ours",
        "index size Pagefind",
        "first query ours (gzip)",
        "first query Pagefind",
        "recall@10 ours",
        "recall@10 Pagefind",
    )
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for r in rows:
        print(
            " | ".join(
                [
                    f"{r['size']:,}",
                    f"{r['ours_index_s']:.2f} s",
                    f"{r['pf_index_s']:.2f} s",
                    kb(r["ours_bytes"]),
                    kb(r["pf_bytes"]),
                    f"{kb(r['ours_first'])} ({kb(r['ours_first_gz'])})",
                    kb(r["pf_first"]),
                    f"{r['ours_recall']:.3f}" if "ours_recall" in r else "-",
                    f"{r['pf_recall']:.3f}" if "pf_recall" in r else "-",
                ]
            )
        )


if __name__ == "__main__":
    main()
