"""The search index files of one language, kept up to date article by article.

The cache remembers what the index in site/ holds: each article's document
number, what its entry was made from (a key) and its terms. A build works only
on the articles that are new, changed or gone: their postings are taken out of
and put into the shards their terms fall in, and only those shards and document
files are written again; the rest are kept from the current site. That works
because no posting depends on another article: the reader (search.js) scores
BM25 from a posting's count and meta.json's document lengths and totals.

A change need not reach the shards at once: what it does to them is kept in one small
file, recent-<hash>.json.gz, named by meta.json, whose postings the reader lays over
the shards' (a count of 0 takes one out). An editor's added article then writes that
file, its document and the meta, where putting its ~700 terms into the shards
rewrote half of them (370 files at 1,000 articles). When the recent file would hold
more than RECENT_POSTINGS postings, its change and the build's are put into the
shards, and it goes. The cache keeps, for each article the recent file is about,
what the shards hold of it (its terms then, or none), so that the file is always the
difference between the shards and the articles as they are.

The index is made afresh, streaming article by article, on the first build, when
the number of shards has to change (it doubles as the index grows), when many
articles changed, or when the files in site/ are not the ones last written.
"""

from __future__ import annotations

import hashlib
import itertools
import marshal
import math
import sqlite3
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from briefing.enrich import Story, story_fingerprint
from briefing.output import CurrentSite
from briefing.search.terms import FIELD_WEIGHTS, chinese, document_terms, fnv1a, normalize
from briefing.text.markdown import plain_body

SHARD_POSTINGS = 1_600  # postings a shard holds, about: picks the shard count
# Postings the recent file holds at most (an added news article has ~700): every query
# reads it beside the meta and its terms' shards, so it stays a few shards' size.
RECENT_POSTINGS = 4 * SHARD_POSTINGS
# Index files are gzip (the reader inflates them): as plain JSON the index took twice
# Pagefind's bytes, mostly the result text of doc files. The deflate is ISA-L's
# (python-isal), levels 0-3: level 3 makes the doc files in a quarter of the time zlib's
# level 6 took (8,000 doc files at 4,000 articles: 0.16 s against 0.60 s, 4% more
# bytes). Shards are written at level 1: an added article rewrites most of them (zlib's
# level 1 took 2.6 times as long for 3% more bytes).
DOC_LEVEL = 3
SHARD_LEVEL = 1
TEXT_LIMIT = 20_000  # characters of body text kept for snippets
# Rows of the docs table a rebuild writes in one call: one a row let the workers'
# feeding threads take the GIL 8,000 times in a full build at 4,000 articles.
REMEMBERED_AT_ONCE = 256
# Bits of a posting's count (in _Postings' sort keys): pack_terms caps a larger count,
# so a whole index and one brought up to date hold the same. BM25 stops growing with
# the count long before 65,535 times one term in one article.
COUNT_BITS = 16
MAX_COUNT = (1 << COUNT_BITS) - 1

# (path in site/, bytes or None for "keep the current file")
IndexFile = tuple[str, bytes | None]


@dataclass
class Plan:
    """What a build does to one language's index (SearchIndex.plan)."""

    current: list[tuple[Story, str]]  # every story, with its URL
    keys: dict[str, str]  # story id -> what its entry is made from
    known: dict[str, tuple]  # story id -> (number, key, length, count) in the index now
    changed: list[tuple[Story, str]]  # the stories whose entries are to be made
    gone: list[str]  # ids in the index no longer among the stories


@dataclass
class Entry:
    """What the index holds of one article: its document file, terms and length."""

    doc: bytes  # doc/<n>.json.gz
    terms: bytes  # {term: weighted count}, packed (pack_terms)
    length: int  # title and body terms: BM25's document length
    count: int  # distinct terms: one posting each


def entry_key(story: Story, lang: str, url: str) -> str:
    """What an article's entry is made from; the entry is redone when this changes.

    The story's fingerprint covers its texts (the date with them), its tags' names and
    the glossary, whose terms are words to the segmenter: a new term changes how every
    Chinese text is cut into words. Worked out already for its pages: no hash here (two
    for every article of the site, on every build)."""
    return f"{lang} {url} {story_fingerprint(story)}"


def doc_file(story: Story, lang: str, url: str, body: str | None = None) -> bytes:
    """doc/<n>.json.gz: what a result shows. Text, never markup: the reader puts it in text nodes.

    An article with no English yet is in the English index too, found by its tags'
    English names: its result shows the Chinese title, marked `original`."""
    article = story.versions.get(lang)
    doc: dict = {
        "url": url,
        "date": story.date,
        "tags": [t.name(lang) for t in story.tags_in(lang)],
    }
    if article is None:
        doc.update(
            title=story.versions["zh"].title, text=story.summaries.get("zh", ""), original="zh"
        )
        return _gzip(_json(doc), DOC_LEVEL)
    if body is None:
        body = plain_body(article)
    doc.update(title=article.title, text=body[:TEXT_LIMIT])
    if (article.extra.get("translation") or {}).get("method") == "machine":
        doc["machine"] = True
    return _gzip(_json(doc), DOC_LEVEL)


def entry_of(item: tuple[Story, str, str]) -> Entry:
    """make_entry of a (story, URL, language): what the build's workers are handed."""
    story, url, lang = item
    return make_entry(story, lang, url)


def make_entry(story: Story, lang: str, url: str) -> Entry:
    """An article's terms by field, weighted: the costly part (segmentation)."""
    article = story.versions.get(lang)
    if article is None:  # no English yet: its English tags, and the numbers of its title
        title = Counter(document_terms(lang, story.versions["zh"].title, is_title=True))
        found = {t: int(FIELD_WEIGHTS["title"]) * c for t, c in title.items()}
        for term, count in _tag_terms(story, lang).items():
            found[term] = found.get(term, 0) + int(FIELD_WEIGHTS["tags"]) * count
        return Entry(doc_file(story, lang, url), pack_terms(found), sum(title.values()), len(found))
    body = plain_body(article)
    title = Counter(document_terms(lang, article.title, is_title=True))
    if lang == "zh":  # segment the normalized text once for words and bigrams
        normalized = normalize(body)
        tokens = None
        if story.body_cuts is not None:  # segmented for the features in this build
            tokens = chinese.tokens_from_cuts(normalized, story.body_cuts)
        if tokens is None:
            tokens = chinese.segment(normalized)
        body_terms = Counter(_chinese_body_terms(normalized, tokens))
    else:
        body_terms = Counter(document_terms(lang, body))
    tags = _tag_terms(story, lang)
    weighted = dict(body_terms)  # the body's weight is 1: its terms go in as they are
    assert FIELD_WEIGHTS["body"] == 1
    for name, counts in (("title", title), ("tags", tags)):
        weight = int(FIELD_WEIGHTS[name])
        for term, count in counts.items():
            weighted[term] = weighted.get(term, 0) + weight * count
    return Entry(
        doc=doc_file(story, lang, url, body),
        terms=pack_terms(weighted),
        length=sum(title.values()) + sum(body_terms.values()),
        count=len(weighted),
    )


def pack_terms(counts: dict[str, int]) -> bytes:
    """An entry's terms as the main process takes them in: the names in one string and
    the counts as int32 bytes (split and frombytes run in C: a marshalled dict cost a
    full build's main process twice as much, a term at a time, to load and number)."""
    values = list(counts.values())
    if values and max(values) > MAX_COUNT:  # seldom: min() for each count was a sixth of an entry
        values = [min(count, MAX_COUNT) for count in values]
    capped = array("i", values)
    return marshal.dumps(("\0".join(counts), capped.tobytes()))


def unpack_terms(packed: bytes) -> tuple[list[str], bytes]:
    """pack_terms' names, and their counts as int32 bytes."""
    names, counts = marshal.loads(packed)
    terms = names.split("\0") if names else []
    if len(terms) * 4 != len(counts):  # a term of "" or with a NUL: none is ever made
        raise ValueError(f"packed terms: {len(terms)} names for {len(counts) // 4} counts")
    return terms, counts


def terms_of(packed: bytes) -> dict[str, int]:
    names, counts = unpack_terms(packed)
    return dict(zip(names, array("i", counts), strict=True))


def _tag_terms(story: Story, lang: str) -> Counter[str]:
    terms: Counter[str] = Counter()
    for tag in story.tags_in(lang):
        terms.update(_name_terms(lang, tag.name(lang) or ""))
    return terms


# A site's tags are few and on many articles: each name's terms worked out once, for the
# segmenter's current words.
_NAME_TERMS: dict[tuple[str, str], tuple[str, ...]] = {}
_NAME_TERMS_OF_WORDS = [-1]  # the words_version() they were worked out with


def _name_terms(lang: str, name: str) -> tuple[str, ...]:
    version = chinese.words_version()
    if _NAME_TERMS_OF_WORDS[0] != version or len(_NAME_TERMS) > 50_000:
        _NAME_TERMS.clear()
        _NAME_TERMS_OF_WORDS[0] = version
    found = _NAME_TERMS.get((lang, name))
    if found is None:
        found = _NAME_TERMS[lang, name] = tuple(document_terms(lang, name))
    return found


def _chinese_body_terms(normalized: str, tokens: list[str]) -> list[str]:
    from briefing.search.terms import chinese_terms

    return chinese_terms(normalized, tokens=tokens)


class WholeIndexNeeded(Exception):
    """The index cannot be brought up to date in place: it is to be made afresh."""


def shard_count(postings: int) -> int:
    """A power of two, so that the count changes (and every shard with it) only as the
    index doubles in size."""
    wanted = max(1, math.ceil(postings / SHARD_POSTINGS))
    return 1 << (wanted - 1).bit_length()


# held_terms: what the shards hold of the article, packed, where the recent file
# changes it (none: pack_terms({}), an article added since); NULL: its packed_terms.
DOCS_COLUMNS = (
    "lang TEXT, id TEXT, number INTEGER, key TEXT, length INTEGER, count INTEGER, "
    "packed_terms BLOB, held_terms BLOB, PRIMARY KEY (lang, id)"
)
# recent: the recent file's path in site/, NULL when there is none.
STATE_COLUMNS = "lang TEXT PRIMARY KEY, shards INTEGER, recent TEXT"
# Articles removed while the shards still hold their terms: what they hold of each.
GONE_COLUMNS = "lang TEXT, number INTEGER, held_terms BLOB, PRIMARY KEY (lang, number)"


def _schema_key(columns: str) -> str:
    return hashlib.sha256(columns.encode()).hexdigest()[:10]


class SearchIndex:
    """The index of one language: its state in the cache database and its files."""

    def __init__(self, db: sqlite3.Connection, lang: str, site: CurrentSite):
        self.db = db
        self.lang = lang
        self.site = site
        # What it writes to its tables, when kept for another process to write (a forked
        # one makes the index: see held_writes); None: written at once.
        self.writes: list[tuple[str, list[tuple]]] | None = None
        self.folder = f"search/{lang}/"
        # Tables named after their own definition: a new layout starts a new table, the
        # old one is dropped.
        self.docs_table = f"search_doc_{_schema_key(DOCS_COLUMNS)}"
        self.state_table = f"search_state_{_schema_key(STATE_COLUMNS)}"
        self.gone_table = f"search_gone_{_schema_key(GONE_COLUMNS)}"
        for prefix, table, columns in (
            ("search_doc_", self.docs_table, DOCS_COLUMNS),
            ("search_state_", self.state_table, STATE_COLUMNS),
            ("search_gone_", self.gone_table, GONE_COLUMNS),
        ):
            for (old,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?",
                (prefix + "%",),
            ).fetchall():
                if old != table:
                    db.execute(f"DROP TABLE {old}")
            db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")

    def plan(self, stories: list[Story], url_of: Callable[[str], str]) -> Plan:
        """What this build has to do: the articles whose entries are to be made."""
        current = [(s, url_of(s.id)) for s in stories]  # pending ones too, by their tags
        keys = {s.id: entry_key(s, self.lang, url) for s, url in current}
        known = {
            row[0]: row[1:]
            for row in self.db.execute(
                f"SELECT id, number, key, length, count FROM {self.docs_table} WHERE lang = ?",
                (self.lang,),
            )
        }
        changed = [(s, url) for s, url in current if known.get(s.id, (None, None))[1] != keys[s.id]]
        gone = [i for i in known if i not in keys]
        return Plan(current, keys, known, changed, gone)

    def files(
        self, plan: Plan, entries: Iterator[Entry], in_place_only: bool = False
    ) -> Iterator[IndexFile]:
        """The index files, from the plan and the entries of its changed articles, in
        order (made on every core, as they are needed). `in_place_only`: raise
        WholeIndexNeeded rather than make the whole index afresh."""
        current, keys, known, changed, gone = (
            plan.current,
            plan.keys,
            plan.known,
            plan.changed,
            plan.gone,
        )
        keep = self.site.keep
        previous_shards, recent = self._stored_state()
        few = len(changed) + len(gone) <= max(64, len(current) // 4)
        if known and few and previous_shards:
            made = dict(zip((s.id for s, _ in changed), entries, strict=True))
            postings = sum(row[3] for i, row in known.items() if i in keys and i not in made)
            shards = shard_count(postings + sum(e.count for e in made.values()))
            if shards == previous_shards and all(
                keep(self._shard_path(k), f"shards:{shards}") for k in range(shards)
            ):
                yield from self._update(current, keys, known, made, gone, shards, recent)
                return
            if in_place_only:
                raise WholeIndexNeeded(self.lang)
            yield from self._rebuild(current, keys, known, made, gone)
            return
        if in_place_only:
            raise WholeIndexNeeded(self.lang)
        yield from self._rebuild(current, keys, known, None, gone, changed, entries)

    def held_writes(self, db: sqlite3.Connection) -> None:
        """From now on, read through `db` and keep what would be written (`writes`): in
        a forked process, which must not use its parent's connection nor write the
        file the parent is writing; the parent writes them (write)."""
        self.db = db
        self.writes = []

    def write(self, writes: list[tuple[str, list[tuple]]]) -> None:
        """Write what another process's SearchIndex held (held_writes)."""
        for statement, rows in writes:
            self.db.executemany(statement, rows)

    # --- the two ways ---------------------------------------------------------------------

    def _update(
        self,
        current: list[tuple[Story, str]],
        keys: dict[str, str],
        known: dict[str, tuple],
        entries: dict[str, Entry],
        gone: list[str],
        shards: int,
        recent: str | None,
    ) -> Iterator[IndexFile]:
        """Bring the index up to date from the changed articles' entries and the gone
        ones: the difference between the shards and the articles as they now are goes
        into the recent file, or, when that is too much for it, into the shards, shard by
        shard. `recent`: the recent file the last build wrote."""
        held = self._held()  # number -> (id or None; what the shards hold of it; its terms)
        numbers = {i: row[0] for i, row in known.items()}
        # (A number the shards still hold is not given again, not even a gone article's.)
        next_number = max([*numbers.values(), *held], default=-1) + 1
        for story_id in entries:
            if story_id not in numbers:
                numbers[story_id] = next_number
                next_number += 1
        # number -> (what the shards hold of it, what it holds now)
        docs: dict[int, tuple[dict[str, int], dict[str, int]]] = {}
        for number, (held_id, in_shards, now) in held.items():
            if held_id in gone:
                now = {}
            elif held_id in entries:
                now = terms_of(entries[held_id].terms)
            docs[number] = (in_shards, now)
        for story_id in gone:
            docs.setdefault(numbers[story_id], (self._terms_of(story_id), {}))
        for story_id, entry in entries.items():
            if numbers[story_id] not in docs:
                in_shards = self._terms_of(story_id) if story_id in known else {}
                docs[numbers[story_id]] = (in_shards, terms_of(entry.terms))
        change = {n: _difference(*pair) for n, pair in docs.items()}
        change = {n: c for n, c in change.items() if c}
        name = None
        if sum(map(len, change.values())) <= RECENT_POSTINGS:
            for k in range(shards):
                yield self._shard_path(k), None
            if change:
                name, data = self._recent_file(change)
                if name == recent and self.site.keep(name, name):
                    yield name, None
                else:
                    self.site.made(name, name)
                    yield name, _gzip(data, SHARD_LEVEL)
        else:  # the change goes into the shards, and there is no recent file
            yield from self._changed_shards(change, shards)
        yield from self._finish(current, keys, numbers, entries, gone)
        live = {numbers[i]: i for i in entries}  # the articles whose held terms may change
        live.update((n, i) for n, (i, _, _) in held.items() if i is not None and i not in gone)
        self._hold({n: docs[n][0] for n in change} if name else {}, live)
        self._store_state(shards, name)
        yield self._meta_file(self._lengths(current, known, numbers, entries), shards, name)

    def _changed_shards(
        self, change: dict[int, dict[str, int]], shards: int
    ) -> Iterator[IndexFile]:
        """The shards with `change` made to them (a count of 0 takes a posting out): those
        it touches read, changed and written again, the others kept."""
        # term -> {doc: count, or None to remove}
        changes: dict[str, dict[int, int | None]] = {}
        for number, terms in change.items():
            for term, count in terms.items():
                changes.setdefault(term, {})[number] = count or None
        by_shard: dict[int, list[str]] = {}
        for term in changes:
            by_shard.setdefault(fnv1a(term) % shards, []).append(term)
        for k in range(shards):
            path = self._shard_path(k)
            if k not in by_shard:
                yield path, None
                continue
            shard = _loads(self.site.read(path))
            for term in by_shard[k]:
                if _appended(shard.get(term), changes[term]):
                    continue  # new documents after the last: the common case of an addition
                flat = shard.get(term, [])
                _merge(flat, changes[term])
                if flat:
                    shard[term] = flat
                else:
                    shard.pop(term, None)
            self.site.made(path, f"shards:{shards}")
            yield path, _gzip(_json(dict(sorted(shard.items()))), SHARD_LEVEL)

    def _finish(self, current, keys, numbers, entries, gone) -> Iterator[IndexFile]:
        """The document files, and the docs table brought up to date."""
        yield from self._doc_files(current, keys, numbers, entries)
        self._forget(gone)
        self._remember_rows(
            [self._row(i, numbers[i], keys[i], entry) for i, entry in entries.items()]
        )

    @staticmethod
    def _lengths(current, known, numbers, entries) -> dict[int, int]:
        lengths = {i: row[2] for i, row in known.items()}
        lengths.update((i, entry.length) for i, entry in entries.items())
        return {numbers[s.id]: lengths[s.id] for s, _ in current}

    def _recent_file(self, change: dict[int, dict[str, int]]) -> tuple[str, bytes]:
        """recent-<hash>.json.gz: {term: [doc step, count, ...]} as a shard's, a count
        of 0 taking the shard's posting out; named by what it holds, so that a reader
        never takes an older one for it."""
        found: dict[str, list[int]] = {}
        last: dict[str, int] = {}
        for number in sorted(change):
            for term, count in change[number].items():
                found.setdefault(term, []).extend((number - last.get(term, 0), count))
                last[term] = number
        data = _json(dict(sorted(found.items())))
        return f"{self.folder}recent-{hashlib.sha256(data).hexdigest()[:16]}.json.gz", data

    def _rebuild(
        self,
        current: list[tuple[Story, str]],
        keys: dict[str, str],
        known: dict[str, tuple],
        entries: dict[str, Entry] | None,
        gone: list[str],
        changed: list[tuple[Story, str]] | None = None,
        made: Iterator[Entry] | None = None,
    ) -> Iterator[IndexFile]:
        """The whole index afresh: documents numbered in the stories' order (newest
        first), postings gathered as each article comes, kept compact in arrays.
        `entries`: those made already; else `made` yields those of `changed` in turn."""
        if entries is None:
            assert changed is not None and made is not None
            fresh: Iterator[Entry] = made
            changed_ids = {s.id for s, _ in changed}
        postings = _Postings(len(current))
        numbers: dict[str, int] = {}
        lengths: dict[int, int] = {}
        remembered: list[tuple] = []  # rows for the docs table, written some at a time
        for number, (story, url) in enumerate(current):
            numbers[story.id] = number
            if entries is not None and story.id in entries:
                entry = entries[story.id]
            elif entries is None and story.id in changed_ids:
                entry = next(fresh)
            else:
                entry = self._stored_entry(story, url)
            remembered.append(self._row(story.id, number, keys[story.id], entry))
            if len(remembered) >= REMEMBERED_AT_ONCE:
                self._remember_rows(remembered)
                remembered = []
            self.site.made(self._doc_path(number), keys[story.id])
            yield self._doc_path(number), entry.doc
            lengths[number] = entry.length
            postings.add(number, *unpack_terms(entry.terms))
        self._remember_rows(remembered)
        self._forget(gone)
        shards = shard_count(len(postings.keys))
        shard_files = _shards_of_postings(postings, shards)
        for k, shard in enumerate(shard_files):
            self.site.made(self._shard_path(k), f"shards:{shards}")
            yield self._shard_path(k), _gzip(shard, SHARD_LEVEL)
        self._hold_nothing()
        self._store_state(shards, None)
        yield self._meta_file(lengths, shards)

    # --- pieces -----------------------------------------------------------------------------

    def _doc_files(self, current, keys, numbers, entries) -> Iterator[IndexFile]:
        for story, url in current:
            path = self._doc_path(numbers[story.id])
            if story.id in entries:
                self.site.made(path, keys[story.id])
                yield path, entries[story.id].doc
            elif self.site.keep(path, keys[story.id]):
                yield path, None
            else:
                yield path, doc_file(story, self.lang, url)

    def _terms_of(self, story_id: str) -> dict[str, int]:
        row = self.db.execute(
            f"SELECT packed_terms FROM {self.docs_table} WHERE lang = ? AND id = ?",
            (self.lang, story_id),
        ).fetchone()
        return terms_of(row[0]) if row else {}

    def _stored_entry(self, story: Story, url: str) -> Entry:
        """An unchanged article's entry: terms from the cache, its doc file made anew."""
        length, count, terms = self.db.execute(
            f"SELECT length, count, packed_terms FROM {self.docs_table} WHERE lang = ? AND id = ?",
            (self.lang, story.id),
        ).fetchone()
        return Entry(doc=doc_file(story, self.lang, url), terms=terms, length=length, count=count)

    def _row(self, story_id: str, number: int, key: str, entry: Entry) -> tuple:
        return (self.lang, story_id, number, key, entry.length, entry.count, entry.terms, None)

    def _remember_rows(self, rows: list[tuple]) -> None:
        self._write(
            f"INSERT OR REPLACE INTO {self.docs_table} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows
        )

    def _held(self) -> dict[int, tuple[str | None, dict[str, int], dict[str, int]]]:
        """The articles the recent file is about: number -> (id, None for a gone one;
        what the shards hold of it; its terms as the docs table has them, none if gone)."""
        held: dict[int, tuple[str | None, dict[str, int], dict[str, int]]] = {
            number: (story_id, terms_of(in_shards), terms_of(terms))
            for number, story_id, in_shards, terms in self.db.execute(
                f"SELECT number, id, held_terms, packed_terms FROM {self.docs_table} "
                "WHERE lang = ? AND held_terms IS NOT NULL",
                (self.lang,),
            )
        }
        for number, in_shards in self.db.execute(
            f"SELECT number, held_terms FROM {self.gone_table} WHERE lang = ?", (self.lang,)
        ):
            held[number] = (None, terms_of(in_shards), {})
        return held

    def _hold(self, in_shards: dict[int, dict[str, int]], ids: dict[int, str]) -> None:
        """Remember what the shards hold of each article the recent file now is about
        (`ids`: the id of each number still an article's), and of no other."""
        self._write(
            f"UPDATE {self.docs_table} SET held_terms = NULL WHERE lang = ? AND id = ?",
            [(self.lang, i) for n, i in ids.items() if n not in in_shards],
        )
        self._write(
            f"UPDATE {self.docs_table} SET held_terms = ? WHERE lang = ? AND id = ?",
            [(pack_terms(t), self.lang, ids[n]) for n, t in in_shards.items() if n in ids],
        )
        self._write(f"DELETE FROM {self.gone_table} WHERE lang = ?", [(self.lang,)])
        self._write(
            f"INSERT INTO {self.gone_table} VALUES (?, ?, ?)",
            [(self.lang, n, pack_terms(t)) for n, t in in_shards.items() if n not in ids],
        )

    def _hold_nothing(self) -> None:
        """The shards hold every article as it is: no recent file."""
        self._write(
            f"UPDATE {self.docs_table} SET held_terms = NULL "
            "WHERE lang = ? AND held_terms IS NOT NULL",
            [(self.lang,)],
        )
        self._write(f"DELETE FROM {self.gone_table} WHERE lang = ?", [(self.lang,)])

    def _forget(self, gone: list[str]) -> None:
        self._write(
            f"DELETE FROM {self.docs_table} WHERE lang = ? AND id = ?",
            [(self.lang, i) for i in gone],
        )

    def _write(self, statement: str, rows: list[tuple]) -> None:
        if self.writes is None:
            self.db.executemany(statement, rows)
        else:
            self.writes.append((statement, rows))

    def _stored_state(self) -> tuple[int | None, str | None]:
        """The shard count and the recent file the last build wrote."""
        row = self.db.execute(
            f"SELECT shards, recent FROM {self.state_table} WHERE lang = ?", (self.lang,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def _store_state(self, shards: int, recent: str | None) -> None:
        self._write(
            f"INSERT OR REPLACE INTO {self.state_table} VALUES (?, ?, ?)",
            [(self.lang, shards, recent)],
        )

    def _shard_path(self, k: int) -> str:
        return f"{self.folder}shard-{k}.json.gz"

    def _doc_path(self, number: int) -> str:
        return f"{self.folder}doc/{number}.json.gz"

    def _meta_file(
        self, lengths: dict[int, int], shards: int, recent: str | None = None
    ) -> IndexFile:
        """meta.json.gz: the totals, every document's length by number (0 for a number
        no longer used), which BM25 needs for each posting it scores, and the recent
        file's name as the reader asks for it (without .gz), if there is one."""
        docs = len(lengths)
        by_number = [0] * (max(lengths, default=-1) + 1)
        for number, length in lengths.items():
            by_number[number] = length
        meta = {
            "lang": self.lang,
            "docs": docs,
            "avgdl": round(sum(lengths.values()) / docs, 3) if docs else 1.0,
            "shards": shards,
            "recent": recent.removeprefix(self.folder).removesuffix(".gz") if recent else None,
            "lengths": by_number,
        }
        return f"{self.folder}meta.json.gz", _gzip(_json(meta), DOC_LEVEL)


_BLOCK = 1 << 18  # postings decoded at a time: bounds the temporary arrays (about 8 MB)


class _Postings:
    """A whole index's postings as they are gathered, document after document, each
    one int64 that holds (term number, document, count) in bit fields: one sort in
    place orders them by term, then document, with no index array and no sorted
    copies (two arrays, an argsort and its copies were most of a 10,000-article
    build's peak memory). A term's number is the count of postings seen when it first
    came: unique, and given by setdefault inside map, with no Python code per posting;
    the vocabulary's order is its terms' numbers' order."""

    def __init__(self, documents: int):
        import numpy as np  # only a whole index needs it

        self._np = np
        self.doc_bits = max(1, (documents - 1).bit_length())
        self.term_shift = COUNT_BITS + self.doc_bits
        self.keys = array("q")
        self.vocabulary: dict[str, int] = {}
        self._numbers = itertools.count()

    def add(self, doc: int, terms: list[str], counts: bytes) -> None:
        """One document's postings: its terms, and their counts as int32 bytes."""
        np = self._np
        numbers = map(self.vocabulary.setdefault, terms, self._numbers)
        keys = np.fromiter(numbers, dtype=np.int64, count=len(terms))
        keys <<= self.term_shift
        keys |= doc << COUNT_BITS
        keys |= np.frombuffer(counts, dtype=np.int32)  # at most MAX_COUNT: pack_terms
        self.keys.frombytes(keys.tobytes())


def _shards_of_postings(postings: _Postings, shards: int) -> Iterator[bytes]:
    """Each shard's JSON in turn: {term: [doc step, count, ...]}, its terms in
    order, each term's docs in increasing order as the step from the one before.

    The postings' keys are sorted in place and decoded in place into the (doc step,
    count) pairs orjson writes, a term's slice at a time."""
    import numpy as np

    names = list(postings.vocabulary)  # in their numbers' order: the sorted keys' order
    if not names:  # an empty site: empty shards (numpy can't index an empty start)
        yield from (_json({}) for _ in range(shards))
        return
    total, shift = len(postings.keys), postings.term_shift
    if total >> (63 - shift):  # term numbers run up to the postings' count
        raise ValueError(f"search index: {total} postings, more than its keys can number")
    key = np.frombuffer(postings.keys, dtype=np.int64)
    key.sort()  # keys are unique (a term has one posting a doc): any sort is stable here
    term_starts = np.empty(total, dtype=bool)
    term_starts[0] = True
    for start in range(0, total - 1, _BLOCK):
        stop = min(start + _BLOCK, total - 1)
        terms = key[start : stop + 1] >> shift
        term_starts[start + 1 : stop + 1] = terms[1:] != terms[:-1]
    starts = np.flatnonzero(term_starts)
    if len(starts) != len(names):  # every term has a posting, and one number
        raise ValueError(f"search index: {len(starts)} terms in postings, {len(names)} named")
    # Decoded in place: each key's 8 bytes become its (doc step, count) as two int32. A
    # term's first doc counts from 0, the others from the doc before.
    flat = key.view(np.int32).reshape(-1, 2)
    previous_doc = 0
    for start in range(0, total, _BLOCK):
        block = key[start : start + _BLOCK]
        docs = ((block >> COUNT_BITS) & ((1 << postings.doc_bits) - 1)).astype(np.int32)
        counts = (block & MAX_COUNT).astype(np.int32)
        steps = np.diff(docs, prepend=np.int32(previous_doc))
        firsts = term_starts[start : start + _BLOCK]
        steps[firsts] = docs[firsts]
        previous_doc = docs[-1]
        flat[start : start + _BLOCK, 0] = steps  # the key's own bytes: read above
        flat[start : start + _BLOCK, 1] = counts
    del term_starts
    ends = [*starts[1:].tolist(), total]
    starts = starts.tolist()
    by_shard: list[list[int]] = [[] for _ in range(shards)]
    for term in sorted(range(len(names)), key=names.__getitem__):  # in name order
        by_shard[fnv1a(names[term]) % shards].append(term)
    for terms_in_shard in by_shard:
        shard = {names[t]: flat[starts[t] : ends[t]].reshape(-1) for t in terms_in_shard}
        yield _json(shard, numpy=True)


def _difference(held: dict[str, int], now: dict[str, int]) -> dict[str, int]:
    """What turns an article's postings in the shards into its postings now: each term
    whose count is new, and 0 for each term it no longer has."""
    found = {term: count for term, count in now.items() if held.get(term) != count}
    found.update((term, 0) for term in held if term not in now)
    return found


def _appended(flat: list[int] | None, change: dict[int, int | None]) -> bool:
    """Add postings at the end of a term's list, in place, when that is all the change
    is (documents numbered after every one the list has, none taken out): an added
    article's terms, without decoding and encoding lists of thousands of postings."""
    if not flat or None in change.values():
        return False
    last = sum(flat[0::2])
    if min(change) <= last:
        return False
    for doc in sorted(change):
        flat += (doc - last, change[doc])  # type: ignore[arg-type]  # no None: checked above
        last = doc
    return True


def _merge(flat: list[int], change: dict[int, int | None]) -> None:
    """A change ({doc: count, or None to take it out}) made to a term's [doc delta,
    count, ...] list in place: only the pairs at the changed documents and the delta
    after each move (an edited article's terms are in lists of thousands of postings,
    and decoding each into a dict and encoding it again was a third of its build).
    Documents are changed from the last: the places before each are as found."""
    docs = list(itertools.accumulate(flat[0::2]))  # each pair's document, as the list was
    for doc in sorted(change, reverse=True):
        posting = change[doc]
        i = bisect_left(docs, doc)
        previous = docs[i - 1] if i else 0
        if i < len(docs) and docs[i] == doc:
            if posting is not None:
                flat[2 * i + 1] = posting
                continue
            if 2 * i + 2 < len(flat):  # the next document's delta now counts from previous
                flat[2 * i + 2] += flat[2 * i]
            del flat[2 * i : 2 * i + 2]
        elif posting is not None:
            if 2 * i < len(flat):  # the document now after it (one put in here, maybe)
                following = previous + flat[2 * i]
                flat[2 * i] = following - doc
            flat[2 * i : 2 * i] = [doc - previous, posting]


def _json(value, numpy: bool = False) -> bytes:
    """Compact UTF-8 JSON (orjson: the same bytes as json.dumps(ensure_ascii=False,
    separators=(",", ":")), several times faster; an added article rewrites hundreds of
    shards). orjson and ISA-L are imported where an index file is made or read: an
    editor's build makes its index in a forked process, and this one never needs them."""
    import orjson

    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY if numpy else None)


def _loads(data: bytes):
    """What an index file (gzip JSON) holds."""
    import orjson
    from isal import igzip

    return orjson.loads(igzip.decompress(data))


def _gzip(data: bytes, level: int) -> bytes:
    """gzip with no time in its header: the same index makes the same bytes."""
    from isal import igzip

    return igzip.compress(data, level, mtime=0)
