"""Chinese text helpers: script conversion (OpenCC), pinyin annotations, mojibake, words (jieba)."""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import importlib.util
import os
import re
import sqlite3
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path

from briefing.files import open_read_only, replace_atomically
from briefing.text import chars
from briefing.text.chars import HAN, HAN_CHAR, HAN_RUN

# A pinyin syllable written after the character it annotates: 項(xiàng), 動(dòng).
# Tone marks are what tell pinyin apart from an ordinary Latin word in brackets.
_TONED_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN_SYLLABLE = rf"[a-zü{_TONED_VOWELS}]{{1,6}}"
_HAS_TONE_MARK = re.compile(f"[{_TONED_VOWELS}]")

# A text counts as Traditional when this share of its Han characters changes under t2s.
TRADITIONAL_SHARE = 0.03

# Mojibake: "??" or U+FFFD where Han characters were lost in a bad re-encoding.
# A single "?" between Han characters is usually a half-width question mark.
# Private-use characters come from the same accidents.
_MOJIBAKE = (
    rf"(?:(?<=[{HAN}])\?{{2,}}|\?{{2,}}(?=[{HAN}])|\ufffd+|[\ue000-\uf8ff]+"
    rf"|(?<=[{HAN}])\?$)"
)


# Ingest's patterns, compiled when it first uses them: their classes of every Han block
# took 3 ms to compile in every build, one that adds a Markdown article too.
@cache
def _pinyin_annotation() -> re.Pattern[str]:
    return re.compile(rf"(?<=[{HAN}])[(\uff08]({_PINYIN_SYLLABLE})[)\uff09]")


@cache
def _loose_annotation() -> re.Pattern[str]:
    return re.compile(rf"[(\uff08?]({_PINYIN_SYLLABLE})[)\uff09]")


@cache
def _mojibake() -> re.Pattern[str]:
    return re.compile(_MOJIBAKE)


def strip_pinyin_annotations(text: str) -> str:
    """Remove pinyin written in brackets after characters, as some sites print for learners.

    Only when the text carries several toned annotations, so that a lone
    "(ai)" in an ordinary article is left alone.
    """
    annotations = [m for m in _pinyin_annotation().finditer(text) if _HAS_TONE_MARK.search(m[1])]
    if len(annotations) < 3:
        return text
    text = _pinyin_annotation().sub("", text)
    # In an annotated page, toned syllables in brackets are annotations wherever
    # they stand. "?xiàng)" is a damaged one: keep the "?" so the loss is reported.
    return _loose_annotation().sub(_drop_loose_annotation, text)


def _drop_loose_annotation(match: re.Match) -> str:
    if not _HAS_TONE_MARK.search(match[1]):
        return match[0]
    return "?" if match[0].startswith("?") else ""


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented; loads its dictionaries on construction

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese (OpenCC t2s)."""
    return _t2s().convert(text)


def is_traditional(text: str) -> bool:
    """True when enough Han characters change under t2s to call the text Traditional."""
    han = HAN_CHAR.findall(text)[:5000]
    if not han:
        return False
    changed = sum(1 for ch in han if _is_traditional_character(ch))
    return changed / len(han) >= TRADITIONAL_SHARE


@cache
def _is_traditional_character(ch: str) -> bool:
    """Does t2s change this character? Asked once per character: OpenCC is slow, and a
    page repeats its characters."""
    return to_simplified(ch) != ch


def find_mojibake(text: str) -> str | None:
    """Return a short excerpt around the first run of lost characters, or None."""
    match = _mojibake().search(text)
    if not match:
        return None
    start, end = max(0, match.start() - 6), min(len(text), match.end() + 6)
    return text[start:end]


def count_han(text: str) -> int:
    return chars.count_han(text)


# --- words (jieba) -----------------------------------------------------------

_STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "在",
        "是",
        "为",
        "对",
        "以",
        "将",
        "也",
        "都",
        "而",
        "并",
        "等",
        "这",
        "那",
        "有",
        "个",
        "之",
        "其",
        "于",
        "从",
        "到",
        "向",
        "把",
        "被",
        "让",
        "就",
        "还",
        "又",
        "我们",
        "他们",
        "我市",
        "一个",
        "一批",
        "一场",
        "进行",
        "通过",
        "已经",
        "正在",
        "目前",
        "今年",
        "去年",
        "年",
        "月",
        "日",
        "万",
        "亿",
        "元",
        "家",
        "名",
    ]
)


# The segmenter's extra words (the glossary's terms) and the segmenter made with exactly
# those: a build says which terms it wants (use_terms), and a build that wants other
# terms gets a new segmenter, never one that still knows a term the glossary dropped
# (`serve` runs many builds in one process).
_WANTED_TERMS: tuple[str, ...] = ()
_SEGMENTER: tuple[tuple[str, ...], object] | None = None


def _segmenter():
    """jieba's algorithm and dictionary as jieba-rs runs them (rjieba): the same words
    as the jieba package (tests/test_glossary.py), about 30 times faster, which is what
    lets a build segment thousands of articles in seconds. Its dictionary loads on first
    use (0.3 s), so a build that segments nothing new does not wait for it."""
    global _SEGMENTER
    if _SEGMENTER is None or _SEGMENTER[0] != _WANTED_TERMS:
        import rjieba

        # Importing rjieba makes its module-level instance (its dictionary loaded);
        # nothing else here uses it, so the first segmenter of a process is that one
        # rather than a second load of the same dictionary. Another set of words
        # later needs an instance that has never seen the old ones: a new one, unless
        # the one there has seen none (a helper loads it before it is told the words).
        if _SEGMENTER is None:
            segmenter = getattr(rjieba, "_DEFAULT_JIEBA", None) or rjieba.Jieba()
        elif not _SEGMENTER[0]:
            segmenter = _SEGMENTER[1]
        else:
            segmenter = rjieba.Jieba()
        for term in _WANTED_TERMS:
            segmenter.add_word(term, max(segmenter.suggest_freq(term), 1000), None)
        _SEGMENTER = (_WANTED_TERMS, segmenter)
        _SEARCH_PARTS.clear()  # they depend on the dictionary
        _HAN_SEARCH_PARTS.clear()
    return _SEGMENTER[1]


def prepare() -> None:
    """Load the segmenter now: before forking workers, so that they share it."""
    _segmenter()


def use_terms(terms: list[str]) -> None:
    """The glossary terms that must be single words for jieba (智创谷 would otherwise
    split): these, and no others left from an earlier build."""
    global _WANTED_TERMS, _WORDS_VERSION
    wanted = tuple(sorted(set(terms)))
    if wanted != _WANTED_TERMS:
        _WANTED_TERMS = wanted
        _WORDS_VERSION += 1
        _SEARCH_PARTS.clear()  # worked out with the old words
        _HAN_SEARCH_PARTS.clear()


_WORDS_VERSION = 0


def words_version() -> int:
    """Changes whenever the segmenter's words do: what others remember of its output
    (search terms of tag names) is worked out again."""
    return _WORDS_VERSION


# What each distinct token is, worked out once: a corpus repeats its words, and a
# dictionary lookup costs far less than a regular expression or a call into jieba.
_CONTENT_WORD: dict[str, bool] = {}
_HAN_WORD: dict[str, bool] = {}
_SEARCH_PARTS: dict[str, list[str]] = {}
_HAN_SEARCH_PARTS: dict[str, list[str]] = {}


def segment(text: str) -> list[str]:
    """jieba's segmentation of a text. The functions below take its tokens, so that a
    text is segmented once for all its uses (words, keywords, search terms)."""
    return _segmenter().cut(text)


def cut_lengths(tokens: list[str]) -> bytes | None:
    """Where a segmentation cut its text, as the tokens' lengths (uint16): a kilobyte or
    so that gives the tokens back from the text (tokens_from_cuts), where the tokens
    themselves, kept for every story of a build, would be megabytes. None for a token
    too long to say so."""
    lengths = list(map(len, tokens))
    if lengths and max(lengths) > 0xFFFF:
        return None
    return array("H", lengths).tobytes()


def tokens_from_cuts(text: str, cuts: bytes) -> list[str] | None:
    """The tokens cut_lengths() described, from the text they were cut from; None if
    their lengths do not add up to the text's (a text of the same length is not told
    apart: the caller gives the same text)."""
    ends = list(accumulate(array("H", cuts)))
    if (ends[-1] if ends else 0) != len(text):
        return None
    if not ends:  # an empty text
        return []
    # A comprehension of slices: mapping text.__getitem__ over slice objects took half
    # as long again (76 us against 48 us for an article's 580 tokens).
    return [text[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def content_words(tokens: list[str]) -> list[str]:
    """Tokens of 2+ characters with Han in them, stopwords left out."""
    return _kept(
        tokens,
        _CONTENT_WORD,
        lambda w: len(w) >= 2 and bool(HAN_CHAR.search(w)) and w not in _STOPWORDS,
    )


def han_words(tokens: list[str]) -> list[str]:
    """Tokens of 2+ characters, all of them Han."""
    return _kept(tokens, _HAN_WORD, lambda w: len(w) >= 2 and HAN_RUN.fullmatch(w) is not None)


def _kept(tokens: list[str], known: dict[str, bool], test: Callable[[str], bool]) -> list[str]:
    """The tokens that pass the test, each distinct token tested once (`known` remembers)."""
    words = []
    for w in tokens:
        is_word = known.get(w)
        if is_word is None:
            is_word = known[w] = test(w)
        if is_word:
            words.append(w)
    return words


def words(text: str) -> list[str]:
    """Content words of a Chinese text."""
    return content_words(segment(text))


def word_profile(text: str) -> Counter[str]:
    return Counter(words(text))


# Verbs and fillers of news prose that TF-IDF ranks high but that make poor tags.
_NOT_KEYWORDS = frozenset(
    [
        "打造",
        "建设",
        "推动",
        "加快",
        "实现",
        "开展",
        "提升",
        "推进",
        "促进",
        "形成",
        "发挥",
        "助力",
        "聚焦",
        "围绕",
        "引进",
        "培育",
        "全省",
        "全市",
        "全国",
        "我市",
        "该市",
        "留在",
        "驱动",
        "表示",
        "介绍",
        "目前",
        "今年",
        "去年",
        "创新",
        "发展",
        "落地",
    ]
)


def _idf_path() -> Path:
    """jieba's IDF table (jieba/analyse/idf.txt), parsed once into an SQLite file in
    the user's cache folder ($XDG_CACHE_HOME/briefing, or ~/.cache/briefing), named
    after the file's size and time: a build reads it without importing
    jieba.analyse, whose import also loads the part-of-speech tagger (a second,
    slower dictionary). Where no cache folder can be made, the temp folder."""
    source = _jieba_idf_file()
    stat = source.stat()
    name = hashlib.sha1(f"{source}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    table = _user_cache() / f"jieba-idf-{name}.sqlite"
    if not table.is_file():

        def fill(temporary: str) -> None:
            with contextlib.closing(sqlite3.connect(temporary)) as db:
                _fill_idf_table(db, source)

        replace_atomically(table, fill)  # whole or not there, for a build that reads it
    return table


def _jieba_idf_file() -> Path:
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("jieba is not installed: its IDF table ranks keywords")
    return Path(next(iter(spec.submodule_search_locations))) / "analyse" / "idf.txt"


def _fill_idf_table(db: sqlite3.Connection, source: Path) -> None:
    rows = []
    for line in source.read_text(encoding="utf-8").splitlines():
        word, _, value = line.strip().partition(" ")
        if value:
            rows.append((word, float(value)))
    values = sorted(value for _, value in rows)
    db.execute("CREATE TABLE idf (word TEXT PRIMARY KEY, value REAL) WITHOUT ROWID")
    db.executemany("INSERT OR REPLACE INTO idf VALUES (?, ?)", rows)
    db.execute("CREATE TABLE median (value REAL)")
    db.execute("INSERT INTO median VALUES (?)", (values[len(values) // 2],))
    db.commit()


def _user_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "briefing"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path(tempfile.gettempdir())
    return folder


_IDF_DB: tuple[int, sqlite3.Connection] | None = None


def _idf_db() -> sqlite3.Connection:
    """The IDF table, open read-only in this process (a forked worker opens its own)."""
    global _IDF_DB
    if _IDF_DB is None or _IDF_DB[0] != os.getpid():
        try:
            db = open_read_only(_idf_path())
        except (OSError, sqlite3.Error):  # no room or no right to keep it: this build only
            db = sqlite3.connect(":memory:", check_same_thread=False)
            _fill_idf_table(db, _jieba_idf_file())
        _IDF_DB = (os.getpid(), db)
    return _IDF_DB[1]


@lru_cache(maxsize=1)
def _idf_median() -> float:
    """The IDF table's median, for words it lacks (the same table in forked workers)."""
    (median,) = _idf_db().execute("SELECT value FROM median").fetchone()
    return median


# The IDF of each word looked up so far in this process (the table's median for a word
# it lacks, as jieba ranks them). A corpus repeats its words: its keywords cost one
# query per distinct word, made by the forked workers in parallel, where loading the
# whole table (270,000 words) took half a second before any worker could start.
_IDF_KNOWN: dict[str, float] = {}
_IDF_KNOWN_LIMIT = 1_000_000  # words; a long-running `serve` starts over past this


def _idf_of(words: list[str]) -> dict[str, float]:
    """The IDF of these words, and of others looked up before (the median for a word
    jieba's table lacks)."""
    known = _IDF_KNOWN
    new = [w for w in words if w not in known]
    if new:
        if len(known) + len(new) > _IDF_KNOWN_LIMIT:
            known.clear()
        db, median = _idf_db(), _idf_median()
        for start in range(0, len(new), 500):  # SQLite's limit on parameters is 999 here and there
            some = new[start : start + 500]
            query = f"SELECT word, value FROM idf WHERE word IN ({','.join('?' * len(some))})"
            found = dict(db.execute(query, some))
            for word in some:
                known[word] = found.get(word, median)
    return known


def keywords_from(tokens: list[str], count: int) -> list[str]:
    """The most distinctive words: jieba's TF-IDF (as jieba.analyse.extract_tags ranks
    them, without its slow POS pass), from tokens already segmented."""
    freq = Counter(han_words(tokens))
    idf = _idf_of(list(freq))
    score = {w: n * idf[w] for w, n in freq.items()}
    candidates = [w for w in freq if w not in _STOPWORDS and w not in _NOT_KEYWORDS]
    return heapq.nlargest(count, candidates, key=score.__getitem__)  # ties: first seen first


def search_words_from(tokens: list[str]) -> list[str]:
    """jieba's search mode (cut_for_search) from tokens already segmented: each word, and
    the dictionary words of two and three characters inside longer ones."""
    known = _SEARCH_PARTS
    out: list[str] = []
    for w in tokens:
        parts = known.get(w)
        if parts is None:
            parts = known[w] = _search_parts(w)
        out += parts
    return out


def _search_parts(w: str) -> list[str]:
    is_word = _segmenter().has_word
    parts = []
    if len(w) > 2:
        parts += [w[i : i + 2] for i in range(len(w) - 1) if is_word(w[i : i + 2])]
    if len(w) > 3:
        parts += [w[i : i + 3] for i in range(len(w) - 2) if is_word(w[i : i + 3])]
    parts.append(w)
    return parts


def han_search_words_from(tokens: list[str]) -> list[str]:
    """han_words(search_words_from(tokens)) in one pass, each distinct token's words
    worked out once: what the search index holds of a text's words."""
    known = _HAN_SEARCH_PARTS
    out: list[str] = []
    for w in tokens:
        parts = known.get(w)
        if parts is None:
            parts = known[w] = han_words(_search_parts(w))
        out += parts
    return out
