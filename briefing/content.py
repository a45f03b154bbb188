"""The content store: articles as Markdown files with YAML front-matter.

Bodies are kept as Markdown source, one block (paragraph or `## heading`) per
blank-line-separated chunk. Text that came from a scraped page is escaped on
the way in, so that nothing in it can turn into Markdown markup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from pathlib import Path

import yaml

from briefing.errors import ContentError, warn
from briefing.model import Article, Block

# Front-matter keys in the order we write them. Anything else is kept in
# Article.extra and written after these.
FIELDS = (
    "id",
    "lang",
    "title",
    "subtitle",
    "kicker",
    "date",
    "source",
    "via",
    "authors",
    "photographers",
    "tags",
    "summary",
    "captions",
    "original",
    "original_sha256",
    "part",
    "warnings",
    "review",
)
LIST_FIELDS = {"authors", "photographers", "tags", "captions", "warnings", "review"}
# Keys other stages own; known, so not reported as unknown.
OTHER_KNOWN_KEYS = {"translation"}

# libyaml's safe loader where PyYAML was built with it: the same YAML, ten times faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


# --- reading ------------------------------------------------------------------


def read_article(path: Path, lang: str) -> Article:
    """Parse one Markdown article; raise ContentError naming the file on bad input."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ContentError(path, "not UTF-8 text (Markdown articles must be UTF-8)") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = split_front_matter(text, path)
    return article_from_meta(meta, body, path, lang)


def split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    if not text.startswith("---\n"):
        raise ContentError(path, "no front-matter (the file must start with a '---' line)")
    end = text.find("\n---", 3)
    if end == -1 or text[end + 4 : end + 5] not in ("\n", ""):
        raise ContentError(path, "front-matter is not closed by a '---' line")
    try:
        meta = yaml.load(text[4 : end + 1], Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        # The front-matter starts on the file's line 2, after the opening '---'.
        problem = yaml_problem(exc, first_line=2)
        raise ContentError(path, f"front-matter is not valid YAML{problem}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError(path, "front-matter must be a mapping of keys to values")
    return meta, text[end + 5 :]


def yaml_problem(exc: yaml.YAMLError, first_line: int = 1) -> str:
    """' (line N): what is wrong' for a YAML error, N counted in the file."""
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + first_line})" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{where}: {problem}"


def article_from_meta(meta: dict, body: str, path: Path, lang: str) -> Article:
    article_id = meta.get("id", path.stem)
    if not isinstance(article_id, str) or not ID_PATTERN.match(article_id):
        raise ContentError(
            path, f"id {article_id!r} is not a lowercase ASCII slug (a-z, 0-9 and '-')"
        )
    if article_id != path.stem:
        raise ContentError(path, f"id {article_id!r} does not match the file name {path.name!r}")
    if meta.get("lang", lang) != lang:
        raise ContentError(path, f"lang is {meta.get('lang')!r} but the file is in {lang}/")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ContentError(path, "front-matter has no title")

    values: dict = {}
    for key in FIELDS:
        if key in ("id", "lang", "title") or key not in meta or meta[key] is None:
            continue
        value = meta[key]
        if key in LIST_FIELDS:
            value = _as_string_list(value, key, path)
        elif key == "date":
            value = _as_iso_date(value, path)
        elif key == "part":
            if not isinstance(value, int):
                raise ContentError(path, f"part must be a whole number, not {value!r}")
        elif not isinstance(value, str):
            raise ContentError(path, f"{key} must be text, not {type(value).__name__}")
        values[key] = value
    extra = {k: v for k, v in meta.items() if k not in FIELDS}
    for key in extra:
        if key not in OTHER_KNOWN_KEYS:
            warn(path, f"unknown front-matter key {key!r} (kept as it is)")
    return Article(
        id=article_id,
        lang=lang,
        title=title.strip(),
        blocks=blocks_from_markdown(body),
        extra=extra,
        path=path,
        **values,
    )


def _as_string_list(value, key: str, path: Path) -> list[str]:
    if isinstance(value, str):
        warn(path, f"{key} should be a list; read the text {value!r} as one item")
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise ContentError(path, f"{key} must be a list of text items")
    return [str(v) for v in value]


def _as_iso_date(value, path: Path) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ContentError(path, f"date {value!r} is not an ISO 8601 date") from None
        return value if len(value) == 10 else parsed.isoformat()
    raise ContentError(path, f"date {value!r} is not an ISO 8601 date")


def blocks_from_markdown(body: str) -> list[Block]:
    blocks = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        chunk = chunk.strip()
        if not chunk:
            continue
        heading = _HEADING.match(chunk) if "\n" not in chunk else None
        if heading:
            blocks.append(Block("heading", heading[2]))
        else:
            blocks.append(Block("paragraph", chunk))
    return blocks


def source_hash(article: Article) -> str:
    """Fingerprint of the text a translation is made from (title and body)."""
    return "sha256:" + hashlib.sha256(article.text.encode("utf-8")).hexdigest()


# --- writing ------------------------------------------------------------------


def article_to_markdown(article: Article) -> str:
    meta: dict = {"id": article.id, "lang": article.lang, "title": article.title}
    for key in FIELDS[3:]:
        value = getattr(article, key)
        if value in (None, [], ""):
            continue
        meta[key] = value
    meta.update(article.extra)
    front = yaml.safe_dump(
        meta, allow_unicode=True, sort_keys=False, width=100_000, default_flow_style=None
    )
    body = "\n\n".join(f"## {b.text}" if b.kind == "heading" else b.text for b in article.blocks)
    return f"---\n{front}---\n\n{body}\n"


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- escaping -------------------------------------------------------------------

# Inline characters that start Markdown syntax (emphasis, code, links, autolinks,
# HTML, entities, tables, strikethrough). CJK punctuation is never special.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")
# Line starts that make a block: headings, quotes, lists, thematic breaks, setext.
_BLOCK_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[-+=](?=\s|[-=]*$)|\d{1,9}(?=[.)](?:\s|$)))")


def escape_markdown(text: str) -> str:
    """Escape scraped plain text so Markdown shows it exactly as written."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    match = _BLOCK_START.match(text)
    if match:
        if match[2][0].isdigit():
            end = match.end()
            text = text[:end] + "\\" + text[end:]
        else:
            text = text[: match.start(2)] + "\\" + text[match.start(2) :]
    return text
