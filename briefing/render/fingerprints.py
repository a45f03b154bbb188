"""Page fingerprints: a hash of everything a page shows; unchanged hash, unchanged page."""

from __future__ import annotations

from briefing.cache import digest
from briefing.config import SiteConfig
from briefing.enrich import Figure, Story, Tag, story_fingerprint, tag_fingerprint
from briefing.model import Article
from briefing.render.pages import Page
from briefing.render.templates import TagsShown


def fingerprint(page: Page, templates_key: str, tags: TagsShown) -> str:
    """A hash of everything the page shows: its templates (`templates_key`, the
    Templates.key_of its template), path and context. Stories stand in by their content
    key and the links enrichment gave them, articles by their text, so the hash costs
    far less than rendering. The context every page has stands in by its arguments: it
    is made from them, the strings and the config, and those two are in templates_key.
    A page made from a few stories alone (Page.made_from) stands in by them. A story's
    tags are in it only where its template reads them (`tags`: Templates.tags_shown)."""
    if page.made_from is not None:
        return made_from_fingerprint(page.template, templates_key, page.made_from, tags)
    common = repr(page.common.args) if page.common else ""  # strings and a tuple of them
    with_tags = tags.listed or tags.own  # (such a page has no story of its own)
    shown = _fingerprint(page.context, with_tags) if page.shown is None else page.shown
    return digest(templates_key, page.path, page.template, common, shown)


def made_from_fingerprint(
    template: str, templates_key: str, made_from: tuple[Story | None, ...], tags: TagsShown
) -> str:
    """The fingerprint of a page made from these stories alone with this template (the
    first its own). Its path and common arguments (language, path, title) are not in it:
    the title is the stories', and the rest is the page's own, which its fingerprint is
    recorded under (output.CurrentSite); so a story's article pages in both languages
    have one."""
    own, *others = made_from
    shown = [_story(own, tags.own)] if own else ["-"]
    shown += [_story(s, tags.listed) if s else "-" for s in others]
    return digest(templates_key, template, ",".join(shown))


def _story(story: Story, with_tags: bool) -> str:
    """A story as a page shows it: its texts (Story.key), and its tags if the page does."""
    return story_fingerprint(story) if with_tags else f"{story.id}|{story.key}"


def _fingerprint(value, with_tags: bool) -> str:
    """A compact, stable text for a page context (see fingerprint()).

    Every page is fingerprinted on every build, so the common cases come first and
    are told apart by exact type."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return repr(value)
    if kind is Story:
        return _story(value, with_tags)
    if kind is dict:
        try:
            keys = sorted(value)  # names: a page context's, a URL's languages
        except TypeError:  # keys of mixed types
            keys = sorted(value, key=str)
        return "{" + ",".join([f"{k}:{_fingerprint(value[k], with_tags)}" for k in keys]) + "}"
    if kind is list or kind is tuple:
        if value and type(value[0]) is Story and all(type(v) is Story for v in value):
            # a tag page's or the archive's stories: thousands, one call for all
            if with_tags:
                return "[" + ",".join([v.fingerprint or story_fingerprint(v) for v in value]) + "]"
            return "[" + ",".join([f"{v.id}|{v.key}" for v in value]) + "]"
        return "[" + ",".join([_fingerprint(v, with_tags) for v in value]) + "]"
    if kind is Tag:
        return tag_fingerprint(value)
    if kind is Article:
        return f"A({value.id}|{value.lang}|{value.content_key})"
    if kind is Figure or kind is SiteConfig:
        return repr(value)
    raise TypeError(f"no fingerprint for {kind.__name__}")
