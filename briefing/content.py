"""The content store: articles as Markdown files with YAML front-matter.

Bodies are kept as Markdown source, one block (paragraph or `## heading`) per
blank-line-separated chunk. Text that came from a scraped page is escaped on
the way in, so that nothing in it can turn into Markdown markup.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import pickle
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from stat import S_ISLNK

import yaml

from briefing.cache import Cache, digest
from briefing.config import Project
from briefing.errors import InputError, WarningCounter, log, warn
from briefing.files import write_atomic
from briefing.inputs import (
    input_files,
    parse_flat_yaml,
    parse_yaml,
    read_input_text,
    yaml_problem,
)
from briefing.model import Article, Block, pack_blocks
from briefing.parallel import map_forked

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
TRANSLATION_METHODS = ("machine", "editorial")
# More tags than this on one article are not used: each tag is a page in each language.
MAX_TAGS_PER_ARTICLE = 12

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def checked_id(article_id: str) -> str:
    """An id given on the command line: an article's, never a path (no '/', no '..')."""
    if not ID_PATTERN.match(article_id):
        raise InputError(article_id, "not an article id (lowercase a-z, 0-9 and '-')")
    return article_id


# --- reading ------------------------------------------------------------------


def read_article(path: Path, lang: str, within: Path | None = None) -> Article:
    """Parse one Markdown article; raise InputError naming the file on bad input.

    `within`: the folder the file (or the file a link leads to) must be in; its own
    folder by default."""
    try:
        text = read_input_text(path, within or path.parent, what="Markdown articles")
    except InputError as exc:
        if exc.message.startswith("not UTF-8"):
            raise InputError(path, "not UTF-8 text (Markdown articles must be UTF-8)") from None
        raise
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = split_front_matter(text, path)
    return article_from_meta(meta, body, path, lang)


def split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    if not text.startswith("---\n"):
        raise InputError(path, "no front-matter (the file must start with a '---' line)")
    end = text.find("\n---", 3)
    if end == -1 or text[end + 4 : end + 5] not in ("\n", ""):
        raise InputError(path, "front-matter is not closed by a '---' line")
    front = text[4 : end + 1]
    try:
        meta = parse_flat_yaml(front) or parse_yaml(front)
    except yaml.YAMLError as exc:
        # The front-matter starts on the file's line 2, after the opening '---'.
        problem = yaml_problem(exc, first_line=2)
        raise InputError(path, f"front-matter is not valid YAML{problem}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(path, "front-matter must be a mapping of keys to values")
    return meta, text[end + 5 :]


def article_from_meta(meta: dict, body: str, path: Path, lang: str) -> Article:
    article_id = meta.get("id", path.stem)
    if not isinstance(article_id, str) or not ID_PATTERN.match(article_id):
        raise InputError(
            path, f"id {article_id!r} is not a lowercase ASCII slug (a-z, 0-9 and '-')"
        )
    if article_id != path.stem:
        raise InputError(path, f"id {article_id!r} does not match the file name {path.name!r}")
    if meta.get("lang", lang) != lang:
        raise InputError(path, f"lang is {meta.get('lang')!r} but the file is in {lang}/")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise InputError(path, "front-matter has no title")

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
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 999:
                raise InputError(path, f"part must be a whole number from 1 to 999, not {value!r}")
        elif not isinstance(value, str):
            raise InputError(path, f"{key} must be text, not {type(value).__name__}")
        values[key] = value
    if "tags" in values:
        values["tags"] = _usable_tags(values["tags"], path)
    extra = {k: v for k, v in meta.items() if k not in FIELDS}
    for key in extra:
        if not isinstance(key, str):
            raise InputError(path, f"front-matter key {key!r} is not text")
        if key not in OTHER_KNOWN_KEYS:
            warn(path, f"unknown front-matter key {key!r} (kept as it is)")
    if "translation" in extra:
        _check_translation(extra["translation"], path)
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
        raise InputError(path, f"{key} must be a list of text items")
    return [str(v) for v in value]


def _usable_tags(tags: list[str], path: Path) -> list[str]:
    """Tags without blanks and repeats, and no more than MAX_TAGS_PER_ARTICLE."""
    usable = list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
    if len(usable) > MAX_TAGS_PER_ARTICLE:
        warn(path, f"{len(usable)} tags; only the first {MAX_TAGS_PER_ARTICLE} are used")
    return usable[:MAX_TAGS_PER_ARTICLE]


def _check_translation(info, path: Path) -> None:
    """`translation:` says how an English version was made (see translate.py)."""
    methods = " or ".join(TRANSLATION_METHODS)
    if not isinstance(info, dict):
        raise InputError(
            path, f"translation must be a mapping (method: {methods}, ...), not {info!r}"
        )
    method = info.get("method")
    if method is not None and method not in TRANSLATION_METHODS:
        raise InputError(path, f"translation method must be {methods}, not {method!r}")
    for key in ("source_hash", "output_hash", "reviewed_by", "reviewed_at"):
        if info.get(key) is not None and not isinstance(info[key], str):
            raise InputError(path, f"translation {key} must be text, not {info[key]!r}")
    warnings = info.get("warnings")
    if warnings is not None and not (
        isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)
    ):
        raise InputError(path, f"translation warnings must be a list of text, not {warnings!r}")


# The dates an article can have: a day, or a time of day with an optional UTC offset, as
# ISO 8601 or YAML writes them (the loader keeps YAML's timestamps as the text written).
_DATE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?"
    r"[ \t]*(?:(?P<utc>Z)|(?P<sign>[-+])(?P<offset_hours>\d{1,2})(?::?(?P<offset_minutes>\d{2}))?)?)?"
)


def _as_iso_date(value, path: Path) -> str:
    """The date as ISO 8601 text: "2022-02-27" or "2022-02-27T17:00:04+08:00"."""
    if isinstance(value, str) and value[:1].isdigit():
        # Most dates are written as the build writes them: known at once.
        try:
            parse = dt.date.fromisoformat if len(value) == 10 else dt.datetime.fromisoformat
            if parse(value).isoformat() == value:
                return value
        except ValueError:
            pass  # said in words below
    match = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise InputError(
            path,
            f"date {value!r} is not an ISO 8601 date (2022-02-27, or 2022-02-27T17:00:04+08:00)",
        )
    number = {k: int(v) for k, v in match.groupdict().items() if v and v.isdigit()}
    try:
        day = dt.date(number["year"], number["month"], number["day"])
    except ValueError as exc:
        raise InputError(path, f"date {value!r} is not a real date ({exc})") from None
    if match["hour"] is None:
        return day.isoformat()
    if number["hour"] > 23 or number["minute"] > 59 or number.get("second", 0) > 59:
        raise InputError(path, f"date {value!r} is not a real time of day")
    offset = None
    if match["utc"]:
        offset = dt.timezone.utc
    elif match["sign"]:
        hours, minutes = number["offset_hours"], number.get("offset_minutes", 0)
        if hours > 23 or minutes > 59:
            raise InputError(
                path, f"date {value!r} has a UTC offset out of range (-23:59 to +23:59)"
            )
        sign = -1 if match["sign"] == "-" else 1
        offset = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    fraction = (match["fraction"] or "").ljust(6, "0")[:6]
    stamp = dt.datetime.combine(
        day,
        dt.time(number["hour"], number["minute"], number.get("second", 0), int(fraction)),
        offset,
    )
    return stamp.isoformat()


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
    return "sha256:" + article.text_digest


# --- writing ------------------------------------------------------------------


def article_to_markdown(article: Article) -> str:
    meta: dict = {"id": article.id, "lang": article.lang, "title": article.title}
    for key in FIELDS[3:]:
        value = getattr(article, key)
        if value in (None, [], ""):
            continue
        meta[key] = value
    meta.update(article.extra)
    body = "\n\n".join(f"## {b.text}" if b.kind == "heading" else b.text for b in article.blocks)
    return f"---\n{front_matter_yaml(meta)}---\n\n{body}\n"


def front_matter_yaml(meta: dict) -> str:
    return yaml.safe_dump(
        meta, allow_unicode=True, sort_keys=False, width=100_000, default_flow_style=None
    )


def update_front_matter(
    path: Path, lang: str, within: Path, change: Callable[[dict], None]
) -> Article:
    """Change an article file's front-matter in place, its body kept as it is written (a
    person's text, to the byte but for line ends); returns the article as it now reads.
    A file that does not read as an article is refused (InputError), never rewritten."""
    text = read_input_text(path, within, what="Markdown articles")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = split_front_matter(text, path)
    change(meta)
    changed = f"---\n{front_matter_yaml(meta)}---\n{body}"
    article = article_from_meta(meta, body, path, lang)  # what is written must read back
    write_atomic(path, changed)
    return article


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


# --- the reader of a language's articles ----------------------------------------


@dataclass
class ReadArticles:
    """The articles of one language, and the files that could not be read (reported)."""

    articles: list[Article] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)
    parsed: list[str] = field(default_factory=list)  # ids of those read anew, not from the cache


# Below this many files to parse, forking workers costs more than it saves.
PARALLEL_READ_FROM = 64
# The cache's namespaces of articles read: their front-matter, and their blocks apart.
READ = "read"
BLOCKS = "blocks"


def parse_files(folder: Path, lang: str, within: Path) -> dict[str, tuple]:
    """path -> (identity, _parse's result) of each article file in the folder: what a
    process started early parses (helper.EarlyReads), each with the identity taken
    before the file was read, which read_articles compares with its own."""
    parsed = {}
    for path in input_files(folder, "*.md"):
        identity = _file_identity(path, lang)
        parsed[str(path)] = (identity, _parse((path, identity), lang=lang, within=within))
    return parsed


def read_articles(
    project: Project,
    lang: str,
    cache: Cache | None = None,
    parsed_early: dict[str, tuple] | None = None,
) -> ReadArticles:
    """Read content/<lang>/*.md; a bad file is reported (one line) and left out.

    With a cache, a file read before, unchanged since (same inode, size, mtime and
    ctime; ctime cannot be set back by hand) and without warnings then is taken from
    it: unpickling an article costs a fraction of parsing its YAML and Markdown. Its
    blocks are read from the cache only when something wants them (StoredBlocks).
    Many files to parse (a first build) are parsed on every core, or were by a process
    of their own (`parsed_early`: parse_files; a file changed since is parsed again).
    """
    folder = project.lang_dir(lang)
    paths = input_files(folder, "*.md")
    # One entry per file, replaced when the file changes: (identity, the article's state
    # without its blocks), and its blocks under BLOCKS.
    known = cache.get_many(READ, [str(p) for p in paths]) if cache else {}
    identities = {path: _file_identity(path, lang) for path in paths}
    stored_blocks = StoredBlocks(cache, lang, project.content_dir) if cache else None

    def cached(path: Path) -> Article | None:
        entry = known.get(str(path))
        identity = identities[path]
        if not (identity and isinstance(entry, tuple) and entry[0] == identity):
            return None
        article = Article.from_state(entry[1])
        article.path = path  # kept without it (_parse): its key is the path
        article._blocks_from = stored_blocks
        return article

    kept = {path: cached(path) for path in paths}
    # Each with the identity taken above, before the file is read: a change meanwhile shows.
    to_parse = [(path, identities[path]) for path, article in kept.items() if article is None]
    early = {}
    for path, identity in to_parse if parsed_early else ():
        found = parsed_early.get(str(path))  # type: ignore[union-attr]
        if found is not None and identity is not None and found[0] == identity:
            early[path] = found[1]
    parsed = map_forked(
        partial(_parse, lang=lang, within=project.content_dir),
        [item for item in to_parse if item[0] not in early],
        f"{lang} article files",
        parallel_from=PARALLEL_READ_FROM,
    )
    warnings = WarningCounter()
    log.addHandler(warnings)
    read = ReadArticles()
    try:
        for path, article in kept.items():
            if article is not None:
                read.articles.append(article)
                continue
            outcome, said, kept_as, packed_blocks = early.get(path) or next(parsed)
            if kept_as is not None:  # the article comes back as its cache entry
                outcome = Article.from_state(pickle.loads(kept_as)[1])
                outcome.path = path
                outcome._packed_blocks = packed_blocks
            seen = warnings.count
            for level, message in said:  # what reading it said, said here
                log.log(level, "%s", message)
            if isinstance(outcome, str):  # whatever the file holds, it is this file's error
                log.error("%s: %s", project.relative(path), outcome)
                read.failed.append(path)
                continue
            assert outcome is not None  # (None only with its entry, loaded above)
            read.articles.append(outcome)
            read.parsed.append(outcome.id)
            if cache and kept_as and packed_blocks and warnings.count == seen:
                cache.store_pickled(READ, str(path), kept_as)
                cache.store_pickled(BLOCKS, str(path), packed_blocks)
    finally:
        log.removeHandler(warnings)
    return read


def _parse(
    file: tuple[Path, str | None], lang: str, within: Path
) -> tuple[Article | str | None, list[tuple[int, str]], bytes | None, bytes | None]:
    """read_article(), in a forked worker or here: the article (None when it is in the
    cache's entries) or what is wrong with the file, what reading it logged (the caller
    logs it, in the files' order), and the cache's entries for the file (None for a
    link: see _file_identity). `file`: its path and identity.

    The entries are (the file's identity, the article's state without its path and
    blocks) and the blocks, pickled here: every build unpickles every article, and
    making its Path again was a third of that. The article goes back as the entries:
    pickled once in the worker, not again in the main process (at 4,000 articles 8,000
    of them, a fifth of a second)."""
    path, identity = file
    said = _Said()
    handlers, propagate = log.handlers[:], log.propagate
    log.handlers[:], log.propagate = [said], False
    try:
        article = read_article(path, lang, within=within)
        # Worked out once, kept with it (the text itself stays packed).
        article.content_key  # noqa: B018
        article.text_digest  # noqa: B018
        if identity is None:
            return article, said.messages, None, None
        article.path = None
        entry = (identity, article.state_without_blocks())
        return (
            None,
            said.messages,
            pickle.dumps(entry, pickle.HIGHEST_PROTOCOL),
            pack_blocks(article.blocks),
        )
    except Exception as exc:
        problem = exc.message if isinstance(exc, InputError) else _unexpected(exc)
        return problem, said.messages, None, None
    finally:
        log.handlers[:], log.propagate = handlers, propagate


class StoredBlocks:
    """Gives the blocks of an article taken from the read cache, from the cache, when
    something wants them (Article.blocks): a build reads every article's front-matter,
    but the text of only those it works on, and reading all 2,000 articles' blocks out
    of the cache and into memory was a tenth of adding one article at 1,000 (17 MB).
    In a forked worker, the cache is read through the worker's own connection."""

    def __init__(self, cache: Cache, lang: str, within: Path):
        self.cache, self.lang, self.within = cache, lang, within

    def __call__(self, article: Article) -> list[Block]:
        try:
            blocks = self.cache.get(BLOCKS, str(article.path))
        except sqlite3.Error:  # the cache closed: its build is over (an article kept after)
            blocks = None
        if isinstance(blocks, list):
            return blocks
        # Not there (damaged, say): the file again. It is the file the build read unless
        # it changed meanwhile, which the next build sees (its identity changed).
        return read_article(article.file, self.lang, within=self.within).blocks


class _Said(logging.Handler):
    """What was logged, as (level, message with any traceback)."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append((record.levelno, self.format(record)))


def _unexpected(exc: Exception) -> str:
    log.debug("reading failed", exc_info=exc)  # the traceback with -v
    return f"could not be read ({type(exc).__name__}: {exc})"


def _file_identity(path: Path, lang: str) -> str | None:
    """What changes whenever the file's content may have: None for a link, whose
    target may change without it."""
    try:
        stat = os.lstat(path)  # one call: a link's own, and for a file the file's
    except OSError:
        return None
    if S_ISLNK(stat.st_mode):
        return None
    # digest() covers the code that read it: a cached article read by other code is not used.
    return digest(lang, f"{stat.st_ino}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ctime_ns}")
