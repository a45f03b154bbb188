"""Search terms: what the index holds of a text. briefing/search/index.py writes the
index files; templates/static/search.js, the only query code, reads them in the
browser and must make the same terms of a query (tests/test_search.py checks).

Index layout under site/search/<lang>/, each file gzip-compressed JSON:
  meta.json.gz       {"docs": N, "avgdl": average document length, "shards": S,
                      "lengths": [length of document n, ...]}
  shard-<k>.json.gz  {term: [doc delta, count, ...]} for terms with fnv1a(term) % S == k
  doc/<n>.json.gz    title, url, date, tags and plain text of document n: fetched for shown results

Terms. Chinese: jieba's search-mode words (with the glossary as user words), every
character bigram of a run of Han characters (so any query of two or more characters
finds the text that contains it), and single characters of titles. English: lower-case
words with light suffix stemming (innovation / innovative / innovations -> innov),
numbers without thousands separators. A posting's count weighs title (x3), tags (x2)
and body (x1); the reader scores BM25 from it and meta.json's lengths and totals, so
that adding an article changes no other article's postings.
"""

from __future__ import annotations

import re
from functools import lru_cache

from briefing.text import chinese
from briefing.text.chars import HAN_RUN, to_half_width

FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "body": 1.0}

# search.js's LATIN, possessive: a match never gives back what it took (none could be
# longer), and findall over an English article, a tenth of its entry, was a sixth faster.
_LATIN = re.compile(r"[a-z0-9]++(?:[.,][0-9]++)*+")
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
    return to_half_width(text).lower()


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
    return _latin_terms(normalize(text))


def _latin_terms(normalized: str) -> list[str]:
    # map and filter over the tokens' terms: no Python loop over an article's words
    return list(filter(None, map(_LATIN_TERMS.__getitem__, _LATIN.findall(normalized))))


class _TokenTerms(dict):
    """A token's index term ("" for a stopword), each distinct token worked out once (a
    corpus repeats them): a dict's own lookup, where lru_cache's bookkeeping on every
    hit was 40% of mapping an English article's 700 tokens (38 -> 23 us)."""

    def __missing__(self, token: str) -> str:
        if len(self) >= _TOKENS_KEPT:
            self.clear()
        if token[0].isdigit():
            term = token.replace(",", "")
        else:
            term = "" if token in STOPWORDS else stem(token)
        self[token] = term
        return term


_TOKENS_KEPT = 65_536  # (about 10 MB at most) as many as lru_cache kept; past this, anew
_LATIN_TERMS = _TokenTerms()


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def chinese_terms(
    text: str, with_chars: bool = False, tokens: list[str] | None = None
) -> list[str]:
    """jieba search-mode words, bigrams of each Han run, and (titles) single characters.

    `tokens`, jieba's segmentation of the normalized text, saves segmenting it again;
    the text is then taken as normalized already (normalizing a whole article is a
    lookup per character)."""
    if tokens is None:
        text = normalize(text)
        tokens = chinese.segment(text)
    terms = chinese.han_search_words_from(tokens)
    runs = HAN_RUN.findall(text)
    terms += [run[i : i + 2] for run in runs for i in range(len(run) - 1)]  # bigrams()
    if with_chars:
        terms += [char for run in runs for char in run]
    return terms + _latin_terms(text)


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
