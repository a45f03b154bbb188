"""Page fingerprints: a hash of everything a page shows; unchanged hash, unchanged page."""

from __future__ import annotations

from functools import lru_cache

from briefing.cache import digest
from briefing.config import SiteConfig
from briefing.enrich import Figure, Story, Tag
from briefing.model import Article
from briefing.render.pages import Page


def fingerprint(page: Page, templates_key: str) -> str:
    """A hash of everything the page shows: its templates (`templates_key`), path and
    context. Stories stand in by their content key and the links enrichment gave
    them, articles by their text, so the hash costs far less than rendering."""
    varying = {k: v for k, v in page.context.items() if k not in _IN_TEMPLATES_KEY}
    return digest(templates_key, page.path, page.template, _fingerprint(varying))


# Context entries that are the same on every page and already part of templates_key
# (strings.yaml is a template file; the config is in the key).
_IN_TEMPLATES_KEY = frozenset({"t", "strings", "config"})


def _fingerprint(value) -> str:
    """A compact, stable text for a page context (see fingerprint()).

    Every page is fingerprinted on every build, so the common cases come first and
    are told apart by exact type."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return repr(value)
    if kind is Story:
        # What a page shows of a story it lists or links to: its texts and tags. A page
        # that shows its related articles or neighbours has them in its own context.
        if value.fingerprint is None:  # a story appears on many pages: work it out once
            value.fingerprint = f"S({value.id}|{value.key}|{value.tags!r})"
        return value.fingerprint
    if kind is dict:
        return (
            "{" + ",".join([f"{k}:{_fingerprint(value[k])}" for k in sorted(value, key=str)]) + "}"
        )
    if kind is list or kind is tuple:
        return "[" + ",".join([_fingerprint(v) for v in value]) + "]"
    if kind is Tag:
        return _tag_fingerprint(value)
    if kind is Article:
        return f"A({value.id}|{value.lang}|{value.content_key})"
    if kind is Figure or kind is SiteConfig:
        return repr(value)
    raise TypeError(f"no fingerprint for {kind.__name__}")


@lru_cache(maxsize=4096)
def _tag_fingerprint(tag: Tag) -> str:
    return repr(tag)  # tags are few and on many pages: each is written out once
