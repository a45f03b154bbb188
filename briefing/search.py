"""Search: a static index per language, split in shards by term, and the same query logic
the browser runs (templates/static/search.js), here for tests and benchmarks.

Index layout under site/search/<lang>/:
  meta.json          {"docs": N, "shards": S}: all a query needs before its terms
  shard-<k>.json     {term: [doc, score, doc delta, score, ...]} for terms with fnv1a(term) % S == k
  doc/<n>.json       title, url, date, tags and plain text of document n: fetched for shown results

Terms. Chinese: jieba's search-mode words (with the glossary as user words), every
character bigram of a run of Han characters (so any query of two or more characters
finds the text that contains it), and single characters of titles. English: lower-case
words with light suffix stemming (innovation / innovative / innovations -> innov),
numbers without thousands separators. Scores are BM25 over title (x3), tags (x2) and
body, computed at build time, so the client only adds them up.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from briefing import chinese
from briefing.enrich import Story
from briefing.markdown import plain_text

SHARD_TARGET_BYTES = 16_000
FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
BM25_K1, BM25_B = 1.2, 0.75
SCORE_SCALE = 100  # scores are stored as integers: BM25 x 100
TEXT_LIMIT = 20_000  # characters of body text kept for snippets

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
    ]
)
# Words whose "suffix" is not one (billion is not bill + ion).
UNSTEMMED = frozenset(
    ["million", "billion", "trillion", "union", "nation", "station", "news", "series"]
)
# Longest first; a stem keeps at least three letters.
SUFFIXES = (
    "ations",
    "ation",
    "atives",
    "ative",
    "ements",
    "ement",
    "ments",
    "ment",
    "ings",
    "ing",
    "ions",
    "ion",
    "ives",
    "ive",
    "ies",
    "ied",
    "ers",
    "er",
    "ed",
    "es",
    "ly",
    "s",
)


# --- terms (mirrored in search.js: keep the two in step) -----------------------------


def normalize(text: str) -> str:
    return text.translate(_FULL_WIDTH).lower()


def stem(word: str) -> str:
    """Light English stemming: innovation, innovative, innovations -> innov."""
    if word in UNSTEMMED:
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def latin_terms(text: str) -> list[str]:
    """English words (stemmed, no stopwords) and numbers ("220,000" -> "220000")."""
    terms = []
    for token in _LATIN.findall(normalize(text)):
        if token[0].isdigit():
            terms.append(token.replace(",", ""))
        elif token not in STOPWORDS:
            terms.append(stem(token))
    return terms


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def chinese_terms(
    text: str, with_chars: bool = False, tokens: list[str] | None = None
) -> list[str]:
    """jieba search-mode words, bigrams of each Han run, and (titles) single characters.

    `tokens`, jieba's segmentation of the normalized text, saves segmenting it again."""
    text = normalize(text)
    found = chinese.search_words_from(tokens) if tokens is not None else chinese.search_words(text)
    terms = [w for w in found if len(w) >= 2 and _HAN_RUN.fullmatch(w)]
    for run in _HAN_RUN.findall(text):
        terms += bigrams(run)
        if with_chars:
            terms += list(run)
    return terms + latin_terms(text)


def document_terms(lang: str, text: str, is_title: bool = False) -> list[str]:
    if lang == "zh":
        return chinese_terms(text, with_chars=is_title)
    return latin_terms(text)


def fnv1a(term: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes: picks a term's shard, in Python and in JS."""
    value = 0x811C9DC5
    for byte in term.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


# --- building -------------------------------------------------------------------------


@dataclass
class Document:
    number: int
    url: str
    title: str
    date: str | None
    tags: list[str]
    text: str
    fields: dict[str, Counter[str]] = field(default_factory=dict)


def field_terms(article, lang: str, tokens: list[str] | None = None) -> dict:
    """An article's own index terms (title, body) and plain text: cached with its features.

    `tokens`: jieba's segmentation of the normalized body, when the caller has it."""
    body = "\n".join(plain_text(b.text) for b in article.blocks)
    body_terms = chinese_terms(body, tokens=tokens) if lang == "zh" else document_terms(lang, body)
    return {
        "title": Counter(document_terms(lang, article.title, is_title=True)),
        "body": Counter(body_terms),
        "text": body[:TEXT_LIMIT],
    }


def build_index(stories: list[Story], lang: str, article_url) -> dict[str, bytes]:
    """The index files of one language, by path relative to site/search/<lang>/."""
    documents = []
    for story in stories:
        article = story.versions.get(lang)
        if article is None:
            continue  # an untranslated article is found in the other language's index
        tags = [t.name(lang) for t in story.tags_in(lang)]
        fields = (
            story.features.search_fields[lang] if story.features else field_terms(article, lang)
        )
        doc = Document(
            number=len(documents),
            url=article_url(lang, story.id),
            title=article.title,
            date=story.date,
            tags=tags,
            text=fields["text"],
        )
        doc.fields = {
            "title": fields["title"],
            "tags": Counter(t for tag in tags for t in document_terms(lang, tag)),
            "body": fields["body"],
        }
        documents.append(doc)
    postings = _bm25_postings(documents)
    shards = _shard(postings)
    files = {
        "meta.json": _json(
            {"version": 1, "lang": lang, "docs": len(documents), "shards": len(shards)}
        ),
    }
    for number, shard in enumerate(shards):
        files[f"shard-{number}.json"] = _json(shard)
    for doc in documents:
        files[f"doc/{doc.number}.json"] = _json(
            {
                "url": doc.url,
                "title": doc.title,
                "date": doc.date,
                "tags": doc.tags,
                "text": doc.text,
            }
        )
    return files


def _bm25_postings(documents: list[Document]) -> dict[str, list[tuple[int, int]]]:
    """Each term's documents and integer BM25 scores, documents in increasing order."""
    weighted = []
    for doc in documents:
        counts: dict[str, float] = {}
        for name, terms in doc.fields.items():
            weight = FIELD_WEIGHTS[name]
            for term, count in terms.items():
                counts[term] = counts.get(term, 0.0) + weight * count
        weighted.append(counts)
    lengths = [
        sum(doc.fields["body"].values()) + sum(doc.fields["title"].values()) for doc in documents
    ]
    average = max(sum(lengths) / len(lengths), 1.0) if lengths else 1.0
    frequency = Counter(term for counts in weighted for term in counts)
    total = len(documents)
    # idf once per term, not once per (term, document): it is the same for all.
    idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
    k1_plus_1 = BM25_K1 + 1
    postings: dict[str, list[tuple[int, int]]] = {term: [] for term in frequency}
    for doc, counts, length in zip(documents, weighted, lengths, strict=True):
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average)
        number = doc.number
        for term, tf in counts.items():
            score = idf[term] * tf * k1_plus_1 / (tf + norm)
            postings[term].append((number, max(1, round(score * SCORE_SCALE))))
    return postings


def _shard(postings: dict[str, list[tuple[int, int]]]) -> list[dict[str, list[int]]]:
    encoded = {term: _delta(entries) for term, entries in postings.items()}
    size = sum(len(term.encode()) + 8 + 6 * len(e) for term, e in encoded.items())
    count = max(1, math.ceil(size / SHARD_TARGET_BYTES))
    shards: list[dict[str, list[int]]] = [{} for _ in range(count)]
    for term in sorted(encoded):
        shards[fnv1a(term) % count][term] = encoded[term]
    return shards


def _delta(entries: list[tuple[int, int]]) -> list[int]:
    """[doc, score, doc - previous doc, score, ...]; entries come in document order."""
    flat, previous = [], 0
    for doc, score in entries:
        flat += (doc - previous, score)
        previous = doc
    return flat


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- querying (what search.js does, for tests and benchmarks) --------------------------


@dataclass
class Query:
    required: list[str]  # every one must be in a document
    bonus: list[str]  # add to the score where present
    phrases: list[str]  # exact strings that rank a result higher (and, for Han, must occur)


def parse_query(text: str) -> Query:
    text = normalize(text)
    required: list[str] = []
    bonus: list[str] = []
    phrases: list[str] = []
    for run in _HAN_RUN.findall(text):
        if len(run) == 1:
            required.append(run)  # single characters are indexed from titles
        else:
            required += bigrams(run)
            bonus.append(run)
            bonus += [w for w in chinese.search_words(run) if len(w) >= 2 and w != run]
            phrases.append(run)
    latin = latin_terms(_HAN_RUN.sub(" ", text))
    required += latin
    words = [
        w for w in re.findall(r"[a-z0-9][a-z0-9,.]*", _HAN_RUN.sub(" ", text)) if w not in STOPWORDS
    ]
    if len(words) > 1:
        phrases.append(" ".join(words))
    return Query(list(dict.fromkeys(required)), list(dict.fromkeys(bonus)), phrases)


@dataclass
class Result:
    doc: dict
    score: float


class StaticIndex:
    """Reads the files build_index() wrote (from a dict or from disk), as the browser does."""

    def __init__(self, read):
        self.read = read  # path -> bytes
        self.meta = json.loads(read("meta.json"))
        self.fetched: list[str] = ["meta.json"]

    def _get(self, path: str) -> dict:
        self.fetched.append(path)
        return json.loads(self.read(path))

    def postings(self, terms: list[str]) -> dict[str, dict[int, int]]:
        shards: dict[int, dict] = {}
        found = {}
        for term in terms:
            number = fnv1a(term) % self.meta["shards"]
            if number not in shards:
                shards[number] = self._get(f"shard-{number}.json")
            flat = shards[number].get(term, [])
            doc, entries = 0, {}
            for i in range(0, len(flat), 2):
                doc += flat[i]
                entries[doc] = flat[i + 1]
            found[term] = entries
        return found

    def search(self, text: str, limit: int = 10) -> list[Result]:
        query = parse_query(text)
        if not query.required:
            return []
        found = self.postings(query.required + query.bonus)
        candidates = set.intersection(*(set(found[t]) for t in query.required))
        scored = sorted(
            ((sum(found[t].get(d, 0) for t in found) / SCORE_SCALE, d) for d in candidates),
            key=lambda item: (-item[0], item[1]),
        )
        results = []
        for score, number in scored:
            doc = self._get(f"doc/{number}.json")
            haystack = normalize(doc["title"] + "\n" + doc["text"])
            han = [p for p in query.phrases if _HAN_RUN.fullmatch(p)]
            if any(p not in haystack for p in han):
                continue  # the bigrams occur, but not next to each other
            in_title = sum(p in normalize(doc["title"]) for p in query.phrases)
            exact = sum(p in haystack for p in query.phrases)
            results.append((in_title, exact, score, Result(doc, score)))
            if len(results) >= limit:
                break
        results.sort(key=lambda item: (-item[0], -item[1], -item[2]))
        return [r for *_, r in results]
