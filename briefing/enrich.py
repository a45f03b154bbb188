"""Enrich: what the pages show beyond an article's own text.

Tags (glossary terms, jieba keywords, the article's own tags), summaries,
key figures with their context, related articles, and the order by date.
Everything is computed once for all articles before any page is rendered, so
cross-links are plain lookups.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import NamedTuple

from briefing.cache import Cache, NoCache, digest
from briefing.model import Article
from briefing.parallel import PARALLEL_FROM, Answer, Helper, map_forked
from briefing.related import Relations, related_map
from briefing.text import chinese, markdown
from briefing.text.markdown import plain_body, plain_text

SUMMARY_CHARS = {"zh": 110, "en": 240}
CONTEXT_CHARS = {"zh": 60, "en": 140}  # longer clauses make poor captions for a figure
MAX_TAGS = 6
FIGURES_KEPT = 2  # of each story and language: the home page shows two at most of one story
# The cache's namespace of what the last related map was made from (related.Relations),
# kept under a key of this code (digest): another version's is not used, and goes.
RELATIONS = "related"


@dataclass(frozen=True, slots=True)
class Tag:
    """One tag, with its name in each language that has one."""

    slug: str
    names: tuple[tuple[str, str], ...]  # (lang, name) pairs; hashable

    def name(self, lang: str) -> str | None:
        for code, name in self.names:  # one or two: a loop, not a dict made each call
            if code == lang:
                return name
        return None


class Figure(NamedTuple):
    """A number from an article with the words around it: 66平方公里 / 规划建设核心区域面积.
    (A named tuple: every build unpickles every story's figures, and a frozen
    dataclass took five times as long.)"""

    value: str
    context: str
    article_id: str


@dataclass(slots=True)
class Story:
    """One article id: its language versions and what enrichment found."""

    id: str
    versions: dict[str, Article]  # "zh" always, "en" when a translation exists
    tags: list[Tag] = field(default_factory=list)
    # Its summaries and figures as its features keep them (Features.shown): read when a
    # page shows them (summaries, figures), by the few pages an editor's build renders.
    shown: bytes | None = None
    related: list[str] = field(default_factory=list)
    newer: str | None = None
    older: str | None = None
    features: Features | None = None  # during enrich(): what it needs the text for
    key: str = ""  # hash of the story's texts and the glossary: what its features came from
    # Where jieba cut the normalized Chinese body (chinese.cut_lengths), when this build
    # segmented it for the features: the search entry cuts it the same way without jieba.
    body_cuts: bytes | None = None
    fingerprint: str | None = None  # how pages that show it see it (render fills it in)
    _summaries: dict[str, str] | None = field(default=None, init=False, repr=False)
    _figures: dict[str, list[Figure]] | None = field(default=None, init=False, repr=False)

    @property
    def summaries(self) -> dict[str, str]:
        """The summary of each language (enrich.summary), from `shown`."""
        if self._summaries is None:
            self._read_shown()
        return self._summaries  # type: ignore[return-value]

    @property
    def figures(self) -> dict[str, list[Figure]]:
        """The weightiest FIGURES_KEPT figures of each language, from `shown`."""
        if self._figures is None:
            self._read_shown()
        return self._figures  # type: ignore[return-value]

    def _read_shown(self) -> None:
        self._summaries, self._figures = pickle.loads(self.shown) if self.shown else ({}, {})

    @property
    def date(self) -> str | None:
        return self.versions["zh"].date

    def tags_in(self, lang: str) -> list[Tag]:
        return [t for t in self.tags if t.name(lang)]


def story_fingerprint(story: Story) -> str:
    """What a page or search entry shows of a story: its texts (Story.key: with the
    glossary and the code that read them) and its tags. A page that shows its related
    articles or neighbours has them in its own context."""
    if story.fingerprint is None:  # a story appears on many pages: work it out once
        # A hash, not the text: the archive and a big tag's pages list thousands of
        # stories, and their tags written out made 45 MB of text to hash at 4,000.
        tags = "|".join([tag_fingerprint(tag) for tag in story.tags])
        text = f"{story.id}|{story.key}|{tags}"
        story.fingerprint = "S" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return story.fingerprint


@lru_cache(maxsize=4096)
def tag_fingerprint(tag: Tag) -> str:
    """A tag written out: tags are few and on many stories and pages, and each one's
    repr was most of the cost of every story's fingerprint."""
    return repr(tag)


def _compute_features(
    stories: list[Story],
    glossary: dict[str, str],
    helper: Helper | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[tuple[Features, bytes | None]]:
    """features_of() for each story, in order, on every core when there are many
    (jieba is CPU-bound), by the helper when there are few. `meanwhile`: what this
    process does while the workers make them (map_forked).

    Workers are forked, so they inherit jieba's dictionary with the glossary words.
    """
    return map_forked(
        partial(features_of, glossary=glossary),
        stories,
        "stories' features",
        before_fork=load_text_tools,
        helper=helper,
        meanwhile=meanwhile,
    )


def load_text_tools(segmenter: bool = True) -> None:
    """What segmenting and reading articles needs loaded (jieba's dictionary with the
    glossary's words, markdown-it): before workers fork, or in a helper, so that they
    share it rather than each loading it."""
    if segmenter:
        chinese.prepare()
    markdown.prepare()


@dataclass(slots=True)
class Features:
    """What enrichment learns from one story's own text (cached by content hash).

    Kept small: every story's features are in memory during a build, and every build
    unpickles them all (plain tuples and dicts: a set of words and a Counter made
    that take three times as long), but for what only the pages that show the story
    need, its summaries and figures, which stay pickled (`shown`): an editor's build
    shows a few dozen stories, and unpickling all of them was half of loading every
    story's features (12 -> 6 ms at 1,000). Block HTML and search terms are made when a
    page or an index entry is made.
    """

    words: tuple[str, ...]  # the Chinese text's most frequent content words, distinct
    keywords: list[str]  # jieba TF-IDF keywords
    glossary_counts: dict[str, int]  # glossary term -> how often the story uses it
    # (summaries, figures), pickled: the summary of each language and its weightiest
    # FIGURES_KEPT figures (Story.summaries, Story.figures)
    shown: bytes


def features_of(story: Story, glossary: dict[str, str]) -> tuple[Features, bytes | None]:
    """Everything learnt from one story's text, and where jieba cut its normalized
    Chinese body (Story.body_cuts); the Chinese is segmented once for all of it."""
    from briefing.search.terms import normalize  # the words search indexes, so tags match queries

    plain = {lang: [plain_text(p) for p in a.paragraphs] for lang, a in story.versions.items()}
    zh = story.versions["zh"]
    body = plain_body(zh)
    body_tokens = chinese.segment(normalize(body))
    text_tokens = chinese.segment(zh.title) + body_tokens
    features = Features(
        words=_most_frequent(chinese.content_words(text_tokens), 40),
        keywords=chinese.keywords_from(text_tokens, 6),
        glossary_counts=dict(_glossary_counts(f"{zh.title}\n{body}", glossary)),
        shown=pickle.dumps(
            (
                {lang: summary(a, plain[lang]) for lang, a in story.versions.items()},
                {
                    lang: find_figures(a, plain[lang])[:FIGURES_KEPT]
                    for lang, a in story.versions.items()
                },
            ),
            protocol=pickle.HIGHEST_PROTOCOL,
        ),
    )
    return features, chinese.cut_lengths(body_tokens)


def _most_frequent(words: list[str], count: int) -> tuple[str, ...]:
    """Counter(words).most_common(count)'s words: the same order (ties: first seen
    first, as a stable sort keeps them), sorted in C where most_common's heap takes a
    Python step for each of a story's 200-300 distinct words (47 -> 33 us a story)."""
    counts = Counter(words)
    return tuple(sorted(counts, key=counts.__getitem__, reverse=True)[:count])


def enrich(
    zh: list[Article],
    en: list[Article],
    glossary: dict[str, str],
    cache: Cache | None = None,
    helper: Helper | None = None,
    asked: AskedFeatures | None = None,
    meanwhile: Callable[[], object] | None = None,
    tagged: Callable[[list[Story]], object] | None = None,
) -> list[Story]:
    """All stories, newest first (undated last), with tags, summaries, figures and links.
    `asked`: features the helper was asked for earlier (ask_features). `meanwhile`:
    what the caller would do next that needs no story, done while workers make the
    features (when they do). `tagged` is called with the stories once they have their
    tags, summaries and neighbours, before their related articles are worked out.

    The costly part, reading each story's text (jieba, Markdown), is cached
    by a hash of the text and the glossary; tags, related articles and the
    order are worked out across all stories every time.
    """
    cache = cache or NoCache()
    stories = _stories(zh, en)
    stories.sort(key=lambda s: (s.date is not None, s.date or "", s.id), reverse=True)
    by_id = {s.id: s for s in stories}
    glossary_key = _glossary_key(glossary)
    keys = {s.id: _story_key(s, glossary_key) for s in stories}
    known = cache.get_many("features", list(keys.values()))
    cache.keep_only("features", list(keys.values()))  # every story is here: none else needs one
    made = asked.made() if asked else {}
    missing = []
    for story in stories:
        story.key = keys[story.id]
        story.features = known.get(keys[story.id])  # type: ignore[assignment]
        if story.features is None and story.key in made:
            story.features, story.body_cuts = made[story.key]
            cache.store("features", story.key, story.features)
        elif story.features is None:
            missing.append(story)
    # Each stored as it comes: pickled while the workers make the others.
    for story, (features, cuts) in zip(
        missing, _compute_features(missing, glossary, helper, meanwhile), strict=True
    ):
        story.features = features
        story.body_cuts = cuts
        cache.store("features", story.key, features)
    spread = Counter(term for s in stories for term in _features(s).glossary_counts)
    telling = telling_terms(spread, len(stories))
    named = {s.id: story_tags(s, glossary, telling) for s in stories}
    tags = site_tags(named, glossary)
    for index, story in enumerate(stories):
        story.tags = list(dict.fromkeys(tags[zh] for zh, _ in named[story.id]))
        story.shown = _features(story).shown
        story.newer = stories[index - 1].id if index > 0 else None
        story.older = stories[index + 1].id if index + 1 < len(stories) else None
    if tagged:
        tagged(stories)
    words = {s.id: _features(s).words for s in stories}
    key = digest("related articles")
    previous = cache.get(RELATIONS, key)
    related, relations = related_map(
        stories, words, previous if isinstance(previous, Relations) else None
    )
    cache.store(RELATIONS, key, relations)
    cache.keep_only(RELATIONS, [key])
    for story_id, others in related.items():
        by_id[story_id].related = others
    for story in stories:  # what pages show of them is on the story now (20 MB at 10,000)
        story.features = None
    return stories


def _stories(zh: list[Article], en: list[Article]) -> list[Story]:
    english = {a.id: a for a in en}
    return [
        Story(id=a.id, versions={"zh": a, **({"en": english[a.id]} if a.id in english else {})})
        for a in zh
    ]


def _glossary_key(glossary: dict[str, str]) -> str:
    return digest(repr(sorted(glossary.items())))  # (hashed once, not for each story)


def _story_key(story: Story, glossary_key: str) -> str:
    """What a story's features are made from: its texts and the glossary."""
    return digest(*(a.content_key for _, a in sorted(story.versions.items())), glossary_key)


class AskedFeatures:
    """The features of a few stories, asked of the helper before enrich() looks in the
    cache for them: an editor's build asks for those of the articles it read anew (a
    new or changed one), and the helper makes them while this process reads every
    story's cached features. Asked when enrich() found them missing, they were waited
    for (up to 30 ms of adding one at 1,000 articles: the helper's dictionary was
    still loading)."""

    def __init__(self, keys: list[str], answer: Answer[tuple[Features, bytes | None]]):
        self._keys, self._answer = keys, answer

    def made(self) -> dict[str, tuple[Features, bytes | None]]:
        """Story key -> what features_of made of it; {} if the helper did not."""
        made = self._answer.result()
        return dict(zip(self._keys, made, strict=True)) if made is not None else {}


def ask_features(
    zh: list[Article],
    en: list[Article],
    ids: set[str],
    glossary: dict[str, str],
    helper: Helper | None,
) -> AskedFeatures | None:
    """Ask the helper for the features of the stories with these ids, when it is there
    and they are few (many are made on every core: map_forked)."""
    if not helper or not ids or len(ids) >= PARALLEL_FROM:
        return None
    stories = _stories([a for a in zh if a.id in ids], [a for a in en if a.id in ids])
    glossary_key = _glossary_key(glossary)
    keys = [_story_key(story, glossary_key) for story in stories]
    return AskedFeatures(keys, helper.ask(partial(features_of, glossary=glossary), stories))


# --- tags ------------------------------------------------------------------------------


TagName = tuple[str, "str | None"]  # (Chinese name, English name if one is given)


def telling_terms(spread: Counter[str], total: int) -> dict[str, float]:
    """How much each glossary term tells about an article that uses it, of `total`
    (`spread`: how many use it): log((1 + total) / spread). Worked out once a build for
    story_tags, not once for each article and term."""
    return {term: math.log((1 + total) / count) for term, count in spread.items()}


def story_tags(story: Story, glossary: dict[str, str], telling: dict[str, float]) -> list[TagName]:
    """The article's own tags, then its most telling glossary terms, then jieba keywords.

    A glossary term is telling when the article uses it often and few other
    articles do (山西 is in nearly every article: it says little; `telling`:
    telling_terms of the site's stories).
    """
    zh = story.versions["zh"]
    en = story.versions.get("en")
    counts = _features(story).glossary_counts
    tags: list[TagName] = []
    # The article's own tags (a column like 全方位推动高质量发展); the English
    # version's tags name them in the same order.
    for i, name in enumerate(zh.tags):
        tags.append((name, en.tags[i] if en and i < len(en.tags) else None))

    def weight(term: str) -> float:
        return (counts[term] + (3 if term in zh.title else 0)) * telling[term]

    for term in sorted(counts, key=weight, reverse=True):
        if len(tags) >= MAX_TAGS - 2:
            break
        if counts[term] >= 2 or term in zh.title:
            tags.append((term, glossary[term]))
    for keyword in _features(story).keywords:
        if len(tags) >= MAX_TAGS:
            break
        names = [name for name, _ in tags]
        if keyword not in glossary and all(keyword not in n and n not in keyword for n in names):
            tags.append((keyword, None))
    return list(dict.fromkeys(tags))


def site_tags(named: dict[str, list[TagName]], glossary: dict[str, str]) -> dict[str, Tag]:
    """The Tag of each Chinese tag name, one for each thing named across the site:

    - a Chinese name has one English name everywhere: the glossary's, else the one the
      English versions give it most (so an article's own 山西 is the glossary's Shanxi);
    - names with one English name are one tag (the glossary's synonyms 晋中 and 晋中市
      are both Jinzhong): the Chinese name is the one used most;
    - tags whose URL names would be the same (C++, C# and C; "A B" and "a-b") get
      different ones, the tag written exactly as its URL name keeping it. Which tag gets
      which URL depends on the tags alone, never on the order of the stories.
    """
    given: dict[str, Counter[str]] = {}
    uses: Counter[str] = Counter()
    for names in named.values():
        for zh, en in names:
            uses[zh] += 1
            given.setdefault(zh, Counter())
            if en and en.strip():
                given[zh][en.strip()] += 1
    english = {
        zh: glossary.get(zh) or (min(found, key=lambda e: (-found[e], e)) if found else None)
        for zh, found in given.items()
    }

    def identity(zh: str) -> str:
        en = english[zh]
        return "en:" + " ".join(en.casefold().split()) if en else "zh:" + zh

    groups: dict[str, list[str]] = {}
    for zh in sorted(given):
        groups.setdefault(identity(zh), []).append(zh)
    named_by = {
        key: min(names, key=lambda n: (-uses[n], len(n), n)) for key, names in groups.items()
    }
    by_slug: dict[str, list[str]] = {}
    for key, zh in sorted(named_by.items()):
        by_slug.setdefault(tag_slug(zh, english[zh]), []).append(key)
    tags: dict[str, Tag] = {}
    for slug, keys in by_slug.items():
        for key in keys:
            zh = named_by[key]
            en = english[zh]
            exact = len(keys) == 1 or (en or zh).casefold() == slug
            unique = (
                slug if exact else f"{slug}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8]}"
            )
            tag = Tag(slug=unique, names=(("zh", zh),) + ((("en", en),) if en else ()))
            for name in groups[key]:
                tags[name] = tag
    return tags


def _glossary_counts(text: str, glossary: dict[str, str]) -> Counter[str]:
    """How often each glossary term occurs, longest terms first (智创谷 inside 山西智创谷 counts once)."""
    counts: Counter[str] = Counter()
    for term in sorted(glossary, key=len, reverse=True):
        found = text.count(term)
        if found:
            counts[term] = found
            text = text.replace(term, "\0")
    return counts


def tag_slug(zh: str, en: str | None) -> str:
    """An ASCII URL name: from the English name where there is one, else a short hash."""
    if en:
        slug = re.sub(r"[^a-z0-9]+", "-", en.lower()).strip("-")
        if slug:
            return slug
    return "t-" + hashlib.sha1(zh.encode("utf-8")).hexdigest()[:8]


# --- summaries and figures ---------------------------------------------------------------


def summary(article: Article, plain: list[str] | None = None) -> str:
    """The article's own summary, else its first paragraph cut at a sentence end.

    `plain`: the paragraphs as plain text, when the caller has them."""
    if article.summary:
        return article.summary
    if plain is None:
        plain = [plain_text(p) for p in article.paragraphs]
    first = plain[0] if plain else ""
    limit = SUMMARY_CHARS.get(article.lang, 200)
    if len(first) <= limit:
        return first
    ends = [m.end() for m in re.finditer(r"[。!?！？]|[.!?](?=\s)", first[:limit])]
    if ends and ends[-1] > limit // 3:
        return first[: ends[-1]]
    return first[:limit].rstrip() + "…"


# Each begins with a character class, with no assertion before it: the regex engine
# then skips from one digit (or C) to the next in a tight loop, where an assertion up
# front had it try the whole pattern at every character (2.5 and 1.6 times as long).
# The number's "not after a digit, point or comma" is asserted once its first digit is
# in: (?<![\d.]\d) is that digit and the one character before it.
_ZH_FIGURE = re.compile(
    r"\d(?<![\d.]\d)\d*(?:\.\d+)?(?:万|亿)?"
    r"(?:平方公里|平方米|亿元|万元|元|家|所|名|人|个|项|亩|份|座|场|%)"
)
_EN_FIGURE = re.compile(
    r"[C\d](?:(?<=C)NY \d[\d,]*(?:\.\d+)?(?: (?:million|billion))?"
    r"|(?<=\d)(?<![\d.,]\d)[\d,]*(?:\.\d+)?(?: (?:million|billion))?"
    r"(?:%| (?:square kilometres|square metres|companies|universities|students|projects|"
    r"people|professors|teams|academicians|activities|mu)\b))"
)
# Clauses: Chinese ones end at any comma or stop; English commas inside numbers
# (220,000) and decimal points (4.2) don't end one. (Runs of other characters are
# taken whole, not one alternation per character: four times faster.)
_CLAUSE = {
    "zh": re.compile(r"[^,，。;；!?！？:：]+"),
    "en": re.compile(r"(?:[^,.;:!?]+|[,.](?=\d))+"),
}


def find_figures(article: Article, plain: list[str] | None = None) -> list[Figure]:
    """Numbers with units, each with the clause it stands in (first mention only).

    `plain`: the paragraphs as plain text, when the caller has them."""
    pattern = _ZH_FIGURE if article.lang == "zh" else _EN_FIGURE
    limit = CONTEXT_CHARS.get(article.lang, 140)
    figures: list[Figure] = []
    seen: set[str] = set()
    if plain is None:
        plain = [plain_text(p) for p in article.paragraphs]
    for text in plain:
        if pattern.search(text) is None:  # most paragraphs have no figure: skip their clauses
            continue
        for clause in _CLAUSE[article.lang if article.lang in _CLAUSE else "en"].finditer(text):
            for match in pattern.finditer(clause[0]):
                value = match[0]
                if value in seen or value.startswith(("0", "1 ")) or len(clause[0]) > limit:
                    continue
                seen.add(value)
                context = re.sub(r"[“”‘’\"]", "", clause[0]).strip(" ()（）")
                figures.append(Figure(value=value, context=context, article_id=article.id))
    # Areas and sums of money say more about a story than a count of meetings.
    return sorted(figures, key=_figure_weight, reverse=True)


_WEIGHTY = re.compile(r"平方公里|平方米|亿|万|square|CNY|billion|million")


def _figure_weight(figure: Figure) -> int:
    return 1 if _WEIGHTY.search(figure.value) else 0


def _features(story: Story) -> Features:
    """A story's features, once enrich() has them."""
    if story.features is None:
        raise ValueError(f"story {story.id} has no features yet")
    return story.features
