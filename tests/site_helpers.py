"""Reading a built site back: pages, links and head metadata (html.parser, no extra deps)."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

from briefing.cli import main

from .conftest import REPO


def snapshot(site: Path) -> dict[str, str]:
    """Every file of a site by its path inside it: its SHA-256."""
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def index_file(path: Path):
    """What a search index file (gzip-compressed JSON) holds."""
    return json.loads(gzip.decompress(path.read_bytes()))


def build_copy_of_repo(root: Path, base_url: str | None = None) -> Path:
    """Copy the repo's content, templates and settings to root and build it there."""
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, root / name)
    for name in ("site.toml", "netlify.toml"):
        shutil.copy(REPO / name, root / name)
    if base_url:
        config = (root / "site.toml").read_text(encoding="utf-8")
        config = config.replace(
            'base_url = "https://shanxi-briefing.netlify.app/"', f'base_url = "{base_url}"'
        )
        (root / "site.toml").write_text(config, encoding="utf-8")
    assert main(["-q"], root=root) == 0
    return root / "site"


class PageParser(HTMLParser):
    """Collects what the tests look at in one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.html_lang: str | None = None
        self.links: list[tuple[str, str]] = []  # (tag, url) for a/link/script/img/form
        self.head_links: list[dict[str, str]] = []
        self.meta: dict[str, str] = {}
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if tag == "html":
            self.html_lang = values.get("lang")
        if tag == "link":
            self.head_links.append(values)
        if tag == "meta":
            key = values.get("name") or values.get("property")
            if key:
                self.meta[key] = values.get("content", "")
        for attribute in ("href", "src", "action"):
            if attribute in values:
                self.links.append((tag, values[attribute]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def resolve(site: Path, url: str, base_path: str = "/") -> Path | None:
    """The file an internal URL serves, or None if it isn't internal."""
    if url.startswith(("http://", "https://", "mailto:", "#")):
        return None
    path = url.split("#", 1)[0].split("?", 1)[0]
    assert path.startswith(base_path), f"internal link {url!r} does not start with {base_path!r}"
    relative = path[len(base_path) :]
    target = site / relative
    return target / "index.html" if path.endswith("/") or target.is_dir() else target


def search_index(site: Path, lang: str) -> dict:
    """What a language's search index says, by article URL rather than document number:
    an incremental build numbers new articles after the others, a fresh one in order."""
    folder = site / "search" / lang
    url = {
        int(p.name.split(".")[0]): index_file(p)["url"] for p in (folder / "doc").glob("*.json.gz")
    }
    docs = {url[n]: index_file(folder / "doc" / f"{n}.json.gz") for n in url}
    meta = index_file(folder / "meta.json.gz")
    counts: dict[str, dict[int, int]] = {}
    lists = sorted(folder.glob("shard-*.json.gz"))
    if meta.pop("recent"):  # the latest changes, laid over the shards (search.js)
        (recent,) = folder.glob("recent-*.json.gz")
        lists.append(recent)
    else:
        assert not list(folder.glob("recent-*"))
    for path in lists:
        for term, flat in index_file(path).items():
            doc, found = 0, counts.setdefault(term, {})
            for i in range(0, len(flat), 2):
                doc += flat[i]
                if flat[i + 1]:
                    found[doc] = flat[i + 1]
                else:
                    del found[doc]  # (a 0 takes out a posting that is there)
    postings = {
        term: {url[doc]: count for doc, count in found.items()}
        for term, found in counts.items()
        if found
    }
    lengths = meta.pop("lengths")
    meta["lengths"] = {url[n]: lengths[n] for n in url}
    assert all(lengths[n] == 0 for n in range(len(lengths)) if n not in url)
    return {"docs": docs, "postings": postings, "meta": meta}


def comparable(site: Path) -> dict:
    """The site's files, with each search index by what it says: an incremental build
    numbers new articles after the others, and keeps its latest changes in the recent
    file (search/index.py), where a fresh build has them in the shards."""
    files = {k: v for k, v in snapshot(site).items() if not k.startswith("search/")}
    return {"files": files, **{lang: search_index(site, lang) for lang in ("zh", "en")}}
