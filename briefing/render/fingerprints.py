"""Page fingerprints: a hash of everything a page shows; unchanged hash, unchanged page."""

from __future__ import annotations

from functools import lru_cache

from briefing.cache import digest
from briefing.config import SiteConfig
from briefing.enrich import Figure, Story, Tag, story_fingerprint
from briefing.model import Article
from briefing.render.pages import Page


def fingerprint(page: Page, templates_key: str) -> str:
    """A hash of everything the page shows: its templates (`templates_key`, the
    Templates.key_of its template), path and context. Stories stand in by their content
    key and the links enrichment gave them, articles by their text, so the hash costs
    far less than rendering. The context every page has stands in by its arguments: it
    is made from them, the strings and the config, and those two are in templates_key.
    A page made from a few stories alone (Page.made_from) stands in by them."""
    common = repr(page.common.args) if page.common else ""  # strings and a tuple of them
    if page.made_from is not None:
        shown = ",".join([story_fingerprint(s) if s else "-" for s in page.made_from])
    else:
        shown = _fingerprint(page.context)
    return digest(templates_key, page.path, page.template, common, shown)


def _fingerprint(value) -> str:
    """A compact, stable text for a page context (see fingerprint()).

    Every page is fingerprinted on every build, so the common cases come first and
    are told apart by exact type."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return repr(value)
    if kind is Story:
        return story_fingerprint(value)
    if kind is dict:
        try:
            keys = sorted(value)  # names: a page context's, a URL's languages
        except TypeError:  # keys of mixed types
            keys = sorted(value, key=str)
        return "{" + ",".join([f"{k}:{_fingerprint(value[k])}" for k in keys]) + "}"
    if kind is list or kind is tuple:
        if value and type(value[0]) is Story and all(type(v) is Story for v in value):
            # a tag page's or the archive's stories: thousands, one call for all
            return "[" + ",".join([v.fingerprint or story_fingerprint(v) for v in value]) + "]"
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
