"""Search terms, and the query logic that templates/static/search.js runs in the browser
(here for tests and benchmarks). briefing/search_index.py writes the index files.

Index layout under site/search/<lang>/:
  meta.json          {"docs": N, "avgdl": average document length, "shards": S}
  shard-<k>.json     {term: [doc delta, count, length, ...]} for terms with fnv1a(term) % S == k
  doc/<n>.json       title, url, date, tags and plain text of document n: fetched for shown results

Terms. Chinese: jieba's search-mode words (with the glossary as user words), every
character bigram of a run of Han characters (so any query of two or more characters
finds the text that contains it), and single characters of titles. English: lower-case
words with light suffix stemming (innovation / innovative / innovations -> innov),
numbers without thousands separators. A posting's count weighs title (x3), tags (x2)
and body (x1); the reader scores BM25 from it, the document's length and meta.json,
so that adding an article changes no other article's postings.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from briefing import chinese

FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
BM25_K1, BM25_B = 1.2, 0.75

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


@lru_cache(maxsize=200_000)  # news prose repeats its words: stem each once
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
        if term := _latin_term(token):
            terms.append(term)
    return terms


@lru_cache(maxsize=65536)  # each distinct token worked out once; a corpus repeats them
def _latin_term(token: str) -> str:
    """A token's index term; "" for a stopword."""
    if token[0].isdigit():
        return token.replace(",", "")
    return "" if token in STOPWORDS else stem(token)


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def chinese_terms(
    text: str, with_chars: bool = False, tokens: list[str] | None = None
) -> list[str]:
    """jieba search-mode words, bigrams of each Han run, and (titles) single characters.

    `tokens`, jieba's segmentation of the normalized text, saves segmenting it again."""
    text = normalize(text)
    found = chinese.search_words_from(tokens) if tokens is not None else chinese.search_words(text)
    terms = chinese.han_words(found)
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

    def postings(self, terms: list[str]) -> dict[str, dict[int, float]]:
        """Each term's documents with their BM25 score for it."""
        docs, average = self.meta["docs"], self.meta["avgdl"]
        shards: dict[int, dict] = {}
        found = {}
        for term in terms:
            number = fnv1a(term) % self.meta["shards"]
            if number not in shards:
                shards[number] = self._get(f"shard-{number}.json")
            flat = shards[number].get(term, [])
            frequency = len(flat) // 3
            idf = math.log(1 + (docs - frequency + 0.5) / (frequency + 0.5))
            doc, entries = 0, {}
            for i in range(0, len(flat), 3):
                doc += flat[i]
                count, length = flat[i + 1], flat[i + 2]
                norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average)
                entries[doc] = idf * count * (BM25_K1 + 1) / (count + norm)
            found[term] = entries
        return found

    def search(self, text: str, limit: int = 10) -> list[Result]:
        query = parse_query(text)
        if not query.required:
            return []
        found = self.postings(query.required + query.bonus)
        candidates = set.intersection(*(set(found[t]) for t in query.required))
        scored = sorted(
            ((sum(found[t].get(d, 0) for t in found), d) for d in candidates),
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
