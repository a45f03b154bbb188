"""Related articles: for each story, the others that share most with it.

The pairs of stories that share a tag or a word are counted with numpy (they are
hundreds of thousands at 4,000 stories); enrich.py loads this module only when it
relates stories, so that a build that finds nothing changed never loads numpy.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from briefing.enrich import Story

MAX_RELATED = 3
RELATED_FEATURE_LIMIT = 100  # a word in more stories than this does not make them related
# Pairs of stories counted at a time: some 12 MB of arrays (as fast as 1M at a time,
# which took 55 MB).
PAIRS_A_BLOCK = 1 << 17


def related_map(stories: list[Story], words: Mapping[str, Collection[str]]) -> dict[str, list[str]]:
    """For each story, the MAX_RELATED others sharing most with it (ties by id): a
    shared tag scores 2, shared words 10 x the share of the two stories' words they are
    (Jaccard). A feature shared by very many stories (山西) tells nothing about
    relatedness and is left out, which also bounds the cost.

    The pairs of stories that share something are counted with array operations: they
    are hundreds of thousands at 4,000 stories, and a Counter for each story took half a
    second, alone in the main process, of every build. They are counted for a block of
    stories at a time, which bounds the memory. `words`: each story's, distinct.
    """
    ids = sorted(s.id for s in stories)  # a story's number: ascending numbers, ascending ids
    number = {story_id: n for n, story_id in enumerate(ids)}
    story_of, feature_of, is_tag = _holdings(stories, words, number)
    spread = np.bincount(feature_of, minlength=len(is_tag))
    telling = spread[feature_of] <= max(3, min(len(stories) // 5, RELATED_FEATURE_LIMIT))
    story_of, feature_of = story_of[telling], feature_of[telling]
    by_feature = np.lexsort((story_of, feature_of))  # each feature's holders side by side
    story_of, feature_of = story_of[by_feature], feature_of[by_feature]
    holdings = _Holdings(story_of, feature_of, is_tag)
    word_counts = np.array([len(words[story_id]) for story_id in ids], dtype=np.int64)
    related: dict[str, list[str]] = {story.id: [] for story in stories}
    for first, end in _blocks(holdings.pairs_by_story(len(ids)), PAIRS_A_BLOCK):
        one, other, tags, shared = holdings.shared(first, end, len(ids))
        for a, b in _best(one, other, tags, shared, word_counts):
            related[ids[a]].append(ids[b])
    return related


def _holdings(
    stories: list[Story], words: Mapping[str, Collection[str]], number: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each (story, feature) a story has, as two arrays of numbers; and whether each
    feature is a tag (a tag's slug and a word are two features, though one string)."""
    numbers: dict[object, int] = {}
    story_of: list[int] = []
    feature_of: list[int] = []
    for story in stories:
        found = [numbers.setdefault(("tag", t.slug), len(numbers)) for t in story.tags]
        found += [numbers.setdefault(word, len(numbers)) for word in words[story.id]]
        feature_of += found
        story_of += [number[story.id]] * len(found)
    is_tag = np.array([type(f) is tuple for f in numbers], dtype=bool)
    return np.array(story_of, dtype=np.int64), np.array(feature_of, dtype=np.int64), is_tag


class _Holdings:
    """The (story, feature) holdings that tell, sorted by feature."""

    def __init__(self, story_of: np.ndarray, feature_of: np.ndarray, is_tag: np.ndarray):
        self.story_of, self.feature_of, self.is_tag = story_of, feature_of, is_tag
        starts = np.flatnonzero(np.diff(feature_of, prepend=-1))  # where each feature's begin
        holders = np.diff(starts, append=len(feature_of))
        self.fellows_at = np.repeat(starts, holders)  # for each holding: its feature's holders
        self.fellows = np.repeat(holders, holders)

    def pairs_by_story(self, stories: int) -> np.ndarray:
        """How many (story, fellow holder) pairs the stories up to each make, cumulated."""
        return np.bincount(self.story_of, weights=self.fellows, minlength=stories).cumsum()

    def shared(
        self, first: int, end: int, stories: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every pair (one, other) of stories sharing a feature, `one` numbered first to
        end: how many tags they share and how many words."""
        mine = np.flatnonzero((self.story_of >= first) & (self.story_of < end))
        fellows = self.fellows[mine]
        one = np.repeat(self.story_of[mine], fellows)
        # the position of each fellow holder: its feature's start, then 0, 1, 2, ...
        nth = np.arange(len(one)) - np.repeat(np.cumsum(fellows) - fellows, fellows)
        other = self.story_of[np.repeat(self.fellows_at[mine], fellows) + nth]
        tag = np.repeat(self.is_tag[self.feature_of[mine]], fellows)
        apart = one != other
        pair, which = np.unique(one[apart] * stories + other[apart], return_inverse=True)
        tags = np.bincount(which, weights=tag[apart], minlength=len(pair)).astype(np.int64)
        shared = np.bincount(which, minlength=len(pair)) - tags
        one, other = np.divmod(pair, stories)
        return one, other, tags, shared


def _blocks(pairs_by_story: np.ndarray, budget: int) -> Iterator[tuple[int, int]]:
    """(first, end) story numbers, each block making about `budget` pairs (one story
    makes at most 100 x its features)."""
    first = 0
    while first < len(pairs_by_story):
        before = pairs_by_story[first - 1] if first else 0
        end = int(np.searchsorted(pairs_by_story, before + budget, side="right"))
        end = max(end, first + 1)
        yield first, end
        first = end


def _best(
    one: np.ndarray, other: np.ndarray, tags: np.ndarray, shared: np.ndarray, words: np.ndarray
) -> Iterator[tuple[int, int]]:
    """(one, other) for each story's MAX_RELATED best-scored others, best first, ties
    by number; pairs sharing only words must score more than 0.5. The float operations
    are Python's own, in its order: the same scores as a loop over the pairs."""
    score = 2.0 * tags
    worded = shared > 0
    union = words[one[worded]] + words[other[worded]] - shared[worded]  # >= shared > 0
    score[worded] += 10 * shared[worded] / union
    kept = ~worded | (score > 0.5)
    one, other, score = one[kept], other[kept], score[kept]
    order = np.lexsort((other, -score, one))
    one, other = one[order], other[order]
    starts = np.flatnonzero(np.diff(one, prepend=-1))
    rank = np.arange(len(one)) - np.repeat(starts, np.diff(starts, append=len(one)))
    best = rank < MAX_RELATED
    return zip(one[best].tolist(), other[best].tolist(), strict=True)
