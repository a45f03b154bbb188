"""Related articles: for each story, the others that share most with it.

A whole site's pairs of stories that share a tag or a word are counted with numpy
(they are hundreds of thousands at 4,000 stories). A build that changed a few
stories (an editor's added article) works out only what those changes can touch,
from what the build before it left (Relations), in plain Python: loading numpy and
counting every pair again was a sixth of adding one article at 1,000. Both give the
same map (tests/test_enrich.py). numpy is imported only where every pair is counted.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefing.model import stable_bytes

if TYPE_CHECKING:
    import numpy as np

    from briefing.enrich import Story

MAX_RELATED = 3
RELATED_FEATURE_LIMIT = 100  # a word in more stories than this does not make them related
# Pairs of stories counted at a time: some 12 MB of arrays (as fast as 1M at a time,
# which took 55 MB).
PAIRS_A_BLOCK = 1 << 17
# Pair numbers a block's pairs are counted by at most (_Holdings.shared): 16 MB of
# counts (at 10,000 stories a block is some 65 stories, 650,000 numbers).
COUNTED_UP_TO = 1 << 20
# A build relates anew in plain Python at most this many stories and this share of
# them (each costs up to 40 words x 100 holders); more, and numpy counts every pair.
REDONE_AT_MOST = 50
REDONE_SHARE = 10

Feature = str | tuple[str, str]  # a word, or ("tag", slug): two features, one string


@dataclass(slots=True)
class Relations:
    """What a build's related map was worked out from, for the next build to change."""

    limit: int  # features held more often than this did not tell
    spread: dict[Feature, int]  # how many holdings each feature had
    digests: dict[str, bytes]  # each story's features, hashed: which stories changed
    related: dict[str, list[str]]  # the map itself


def related_map(
    stories: list[Story],
    words: Mapping[str, Collection[str]],
    previous: Relations | None = None,
) -> tuple[dict[str, list[str]], Relations]:
    """For each story, the MAX_RELATED others sharing most with it (ties by id): a
    shared tag scores 2, shared words 10 x the share of the two stories' words they are
    (Jaccard). A feature shared by very many stories (山西) tells nothing about
    relatedness and is left out, which also bounds the cost. `words`: each story's,
    distinct. `previous`: what the last build's map was made from (its Relations);
    when few stories changed since, only what they touch is worked out again."""
    holdings: dict[str, list[Feature]] = {
        s.id: [*(("tag", t.slug) for t in s.tags), *words[s.id]] for s in stories
    }
    limit = max(3, min(len(stories) // 5, RELATED_FEATURE_LIMIT))
    digests = {story_id: _digest(held) for story_id, held in holdings.items()}
    holders: dict[Feature, list[str]] = {}
    for story_id, held in holdings.items():
        for feature in held:
            found = holders.get(feature)
            if found is None:
                holders[feature] = [story_id]
            else:
                found.append(story_id)
    spread = {feature: len(found) for feature, found in holders.items()}
    related = None
    if previous is not None:
        related = _changed_map(stories, words, holdings, holders, spread, limit, digests, previous)
    if related is None:
        related = _whole_map(stories, words, holdings, holders, limit)
    return related, Relations(limit, spread, digests, related)


def prepare_whole_map() -> None:
    """Import what counting every pair needs, ahead of it (numpy: 40 ms)."""
    import numpy  # noqa: F401


def _digest(held: list[Feature]) -> bytes:
    # (stable_bytes: marshal's, in a third of the time repr took; every story, every build)
    return hashlib.blake2b(stable_bytes(held), digest_size=12).digest()


def _changed_map(
    stories: list[Story],
    words: Mapping[str, Collection[str]],
    holdings: dict[str, list[Feature]],
    holders: dict[Feature, list[str]],
    spread: dict[Feature, int],
    limit: int,
    digests: dict[str, bytes],
    previous: Relations,
) -> dict[str, list[str]] | None:
    """The map, from the previous one: None when too much changed.

    A pair of stories scores what it did unless one of them changed (or went), or a
    feature they share now tells where it did not, or the reverse (it is held more or
    less often, or the limit moved). So a story is related anew when it changed, holds
    such a feature, or had a changed or removed story among its related ones (its next
    best is not known); any other story keeps its related ones, unless a changed story
    now scores better than one of them."""
    changed = [story_id for story_id, d in digests.items() if previous.digests.get(story_id) != d]
    gone = {*changed, *(previous.digests.keys() - digests.keys())}
    redo = set(changed)
    for feature, count in spread.items():
        before = previous.spread.get(feature)
        # (A feature no story held before is held by changed stories only.)
        if before is not None and (count <= limit) != (before <= previous.limit):
            redo.update(holders[feature])
    for story_id, others in previous.related.items():
        if story_id in digests and any(other in gone for other in others):
            redo.add(story_id)
    if len(redo) > max(REDONE_AT_MOST, len(stories) // REDONE_SHARE):
        return None
    pair_scores = _PairScores(words, holdings, holders, limit)
    changed_scores = {story_id: pair_scores.scores(story_id) for story_id in changed}
    challengers: dict[str, set[str]] = {}  # kept story -> changed stories it shares with
    for story_id, scores in changed_scores.items():
        for other in scores:
            if other not in redo:
                challengers.setdefault(other, set()).add(story_id)
    related = {}
    for story in stories:
        if story.id in redo:
            found = changed_scores.get(story.id)
            related[story.id] = _best(pair_scores.scores(story.id) if found is None else found)
        elif story.id in challengers:
            candidates = {*previous.related[story.id], *challengers[story.id]}
            related[story.id] = _best(pair_scores.scores(story.id, candidates))
        else:
            related[story.id] = previous.related[story.id]
    return related


class _PairScores:
    """The score of a story with each story it shares a telling feature with, pair by
    pair in Python: the same float operations, in the same order, as _best_pairs."""

    def __init__(
        self,
        words: Mapping[str, Collection[str]],
        holdings: dict[str, list[Feature]],
        holders: dict[Feature, list[str]],
        limit: int,
    ):
        self.words, self.holdings, self.holders, self.limit = words, holdings, holders, limit

    def scores(self, story_id: str, among: set[str] | None = None) -> dict[str, float]:
        """{other: score} of the pairs that count, only those with `among` if given."""
        tags: Counter[str] = Counter()
        shared: Counter[str] = Counter()
        for feature in self.holdings[story_id]:
            fellows = self.holders[feature]
            if len(fellows) > self.limit:
                continue
            if among is not None:
                fellows = [other for other in fellows if other in among]
            (shared if type(feature) is str else tags).update(fellows)
        own = len(self.words[story_id])
        found = {}
        for other in tags.keys() | shared.keys():
            if other == story_id:
                continue
            score = 2.0 * tags[other]
            common = shared[other]
            if common:
                score += 10 * common / (own + len(self.words[other]) - common)
                if not score > 0.5:
                    continue
            found[other] = score
        return found


def _best(scores: dict[str, float]) -> list[str]:
    """The MAX_RELATED best-scored, best first, ties by id."""
    return sorted(scores, key=lambda other: (-scores[other], other))[:MAX_RELATED]


def _whole_map(
    stories: list[Story],
    words: Mapping[str, Collection[str]],
    holdings: dict[str, list[Feature]],
    holders: dict[Feature, list[str]],
    limit: int,
) -> dict[str, list[str]]:
    """Every pair counted with array operations: they are hundreds of thousands at
    4,000 stories, and a Counter for each story took half a second, alone in the main
    process, of every build. They are counted for a block of stories at a time, which
    bounds the memory."""
    import numpy as np

    ids = sorted(s.id for s in stories)  # a story's number: ascending numbers, ascending ids
    number = {story_id: n for n, story_id in enumerate(ids)}
    story_of, feature_of, is_tag = _holdings(holdings, holders, number)
    spread = np.bincount(feature_of, minlength=len(is_tag))
    telling = spread[feature_of] <= limit
    story_of, feature_of = story_of[telling], feature_of[telling]
    by_feature = np.lexsort((story_of, feature_of))  # each feature's holders side by side
    story_of, feature_of = story_of[by_feature], feature_of[by_feature]
    telling_holdings = _Holdings(story_of, feature_of, is_tag)
    word_counts = np.array([len(words[story_id]) for story_id in ids], dtype=np.int64)
    related: dict[str, list[str]] = {story.id: [] for story in stories}
    for first, end in _blocks(telling_holdings.pairs_by_story(len(ids)), PAIRS_A_BLOCK):
        one, other, tags, shared = telling_holdings.shared(first, end, len(ids))
        for a, b in _best_pairs(one, other, tags, shared, word_counts):
            related[ids[a]].append(ids[b])
    return related


def _holdings(
    holdings: dict[str, list[Feature]], holders: dict[Feature, list[str]], number: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each (story, feature) a story has, as two arrays of numbers (a feature's number:
    its place among related_map's `holders`); and whether each feature is a tag (a tag's
    slug and a word are two features, though one string)."""
    import numpy as np

    numbers = {feature: n for n, feature in enumerate(holders)}
    story_of: list[int] = []
    feature_of: list[int] = []
    for story_id, held in holdings.items():
        feature_of += map(numbers.__getitem__, held)
        story_of += [number[story_id]] * len(held)
    is_tag = np.array([type(f) is tuple for f in holders], dtype=bool)
    return np.array(story_of, dtype=np.int64), np.array(feature_of, dtype=np.int64), is_tag


class _Holdings:
    """The (story, feature) holdings that tell, sorted by feature."""

    def __init__(self, story_of: np.ndarray, feature_of: np.ndarray, is_tag: np.ndarray):
        import numpy as np

        self.story_of, self.feature_of, self.is_tag = story_of, feature_of, is_tag
        starts = np.flatnonzero(np.diff(feature_of, prepend=-1))  # where each feature's begin
        holders = np.diff(starts, append=len(feature_of))
        self.fellows_at = np.repeat(starts, holders)  # for each holding: its feature's holders
        self.fellows = np.repeat(holders, holders)

    def pairs_by_story(self, stories: int) -> np.ndarray:
        """How many (story, fellow holder) pairs the stories up to each make, cumulated."""
        import numpy as np

        return np.bincount(self.story_of, weights=self.fellows, minlength=stories).cumsum()

    def shared(
        self, first: int, end: int, stories: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every pair (one, other) of stories sharing a feature, `one` numbered first to
        end: how many tags they share and how many words."""
        import numpy as np

        mine = np.flatnonzero((self.story_of >= first) & (self.story_of < end))
        fellows = self.fellows[mine]
        one = np.repeat(self.story_of[mine], fellows)
        # the position of each fellow holder: its feature's start, then 0, 1, 2, ...
        nth = np.arange(len(one)) - np.repeat(np.cumsum(fellows) - fellows, fellows)
        other = self.story_of[np.repeat(self.fellows_at[mine], fellows) + nth]
        tag = np.repeat(self.is_tag[self.feature_of[mine]], fellows)
        apart = one != other
        # Each pair's number among the block's (end - first) x stories. Counted by number,
        # the pairs come out in order with no sort (np.unique's was a third of the map),
        # where those numbers are few enough for the counts' arrays (stories that share
        # little make blocks of thousands of stories: there, np.unique).
        code = (one[apart] - first) * stories + other[apart]
        size = (end - first) * stories
        if size <= COUNTED_UP_TO:
            counts = np.bincount(code, minlength=size)
            pair = np.flatnonzero(counts)
            held = counts[pair]
            tags = np.bincount(code, weights=tag[apart], minlength=size)[pair]
        else:
            pair, which = np.unique(code, return_inverse=True)
            held = np.bincount(which, minlength=len(pair))
            tags = np.bincount(which, weights=tag[apart], minlength=len(pair))
        tags = tags.astype(np.int64)
        one, other = np.divmod(pair, stories)
        return one + first, other, tags, held - tags


def _blocks(pairs_by_story: np.ndarray, budget: int) -> Iterator[tuple[int, int]]:
    """(first, end) story numbers, each block making about `budget` pairs (one story
    makes at most 100 x its features)."""
    import numpy as np

    first = 0
    while first < len(pairs_by_story):
        before = pairs_by_story[first - 1] if first else 0
        end = int(np.searchsorted(pairs_by_story, before + budget, side="right"))
        end = max(end, first + 1)
        yield first, end
        first = end


def _best_pairs(
    one: np.ndarray, other: np.ndarray, tags: np.ndarray, shared: np.ndarray, words: np.ndarray
) -> Iterator[tuple[int, int]]:
    """(one, other) for each story's MAX_RELATED best-scored others, best first, ties
    by number; pairs sharing only words must score more than 0.5. The float operations
    are Python's own, in its order: the same scores as a loop over the pairs."""
    import numpy as np

    score = 2.0 * tags
    worded = shared > 0
    union = words[one[worded]] + words[other[worded]] - shared[worded]  # >= shared > 0
    score[worded] += 10 * shared[worded] / union
    kept = ~worded | (score > 0.5)
    one, other, score = one[kept], other[kept], score[kept]
    # By story, then score; ties by other story: the pairs come ordered by (one, other),
    # and lexsort's sorts are stable.
    order = np.lexsort((-score, one))
    one, other = one[order], other[order]
    starts = np.flatnonzero(np.diff(one, prepend=-1))
    rank = np.arange(len(one)) - np.repeat(starts, np.diff(starts, append=len(one)))
    best = rank < MAX_RELATED
    return zip(one[best].tolist(), other[best].tolist(), strict=True)
