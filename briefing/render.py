"""Render: stories -> the pages of the site (HTML, feeds, sitemap), as bytes by path.

Every page is described first (its path, template and context), then
rendered by Jinja2 with autoescaping on. Nothing here touches the disk; the
writer puts the result in place.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from pathlib import Path

import yaml
from jinja2 import DictLoader, Environment, StrictUndefined, meta, select_autoescape

from briefing.cache import digest
from briefing.config import LANGUAGES, SiteConfig
from briefing.decoding import remove_control_characters
from briefing.enrich import Figure, Story, Tag
from briefing.errors import ContentError
from briefing.inputs import input_files, parse_yaml, read_input_text, yaml_problem
from briefing.markdown import block_html
from briefing.model import Article

OTHER = {"zh": "en", "en": "zh"}
HTML_LANG = {"zh": "zh-Hans", "en": "en"}  # also the hreflang values
LATEST_ON_HOME = 10
FIGURES_ON_HOME = 6
TOPICS_ON_HOME = 12


@dataclass
class Page:
    """One file of the site: where it goes and what it shows."""

    path: str  # inside site/, e.g. "zh/articles/<id>/index.html"
    template: str
    context: dict = field(default_factory=dict)
    # More context, made only when the page is rendered: what costs work and follows
    # from what `context` holds (an article's body as HTML), so the fingerprint need not
    # cover it.
    derive: Callable[[], dict] | None = None


class SiteRenderer:
    """Knows the site's stories and config; describes and renders every page."""

    def __init__(
        self,
        templates: Path,
        config: SiteConfig,
        stories: list[Story],
        glossary: dict[str, str],
        assets: dict[str, str] | None = None,
    ):
        self.config = config
        self.assets = assets or {}
        self.glossary = glossary
        self.stories = stories
        self.by_id = {s.id: s for s in stories}
        self.templates = templates
        # Every template is read once, here (inputs.py's rules), and served from memory.
        self.sources = {
            p.name: read_input_text(p, templates) for p in input_files(templates, "*.*")
        }
        self.strings = _interface_strings(templates / "strings.yaml", self.sources)
        self.templates_key = digest(
            *(f"{name}\n{text}" for name, text in sorted(self.sources.items())),
            repr(sorted((assets or {}).items())),
            repr(config),
        )
        self.env = Environment(
            loader=DictLoader(self.sources),
            autoescape=select_autoescape(["html", "xml"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals.update(
            url=self.url,
            absolute=config.absolute,
            html_lang=HTML_LANG,
            localized=self.localized,
            iso_datetime=iso_datetime,
            asset=self.asset,
        )
        self.env.filters["date"] = format_date
        self.env.filters["month"] = format_month

    # --- URLs ----------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """A site path ("zh/articles/x/") as a link: the base path in front."""
        return self.config.base_path + path.lstrip("/")

    def asset(self, name: str) -> str:
        """The link to a static file under its fingerprinted name."""
        return self.url(self.assets.get(name, f"assets/{name}"))

    def localized(self, name: str, lang: str) -> dict:
        """A Chinese name (an outlet, say) in the page's language where the glossary has it."""
        if lang != "zh" and name in self.glossary:
            return {"text": self.glossary[name], "lang": lang}
        return {"text": name, "lang": "zh"}

    # --- the pages ---------------------------------------------------------------------------

    def pages(self) -> list[Page]:
        both_titles = " · ".join(self.config.titles[lang] for lang in LANGUAGES)
        not_found = " · ".join(self.strings[lang]["not_found_title"] for lang in LANGUAGES)
        pages = [
            Page("index.html", "choose_language.html", self._common(None, "", both_titles)),
            Page("404.html", "404.html", self._common(None, "404.html", not_found)),
            Page("sitemap.xml", "sitemap.xml", {"entries": self._sitemap_entries()}),
            Page("robots.txt", "robots.txt", {}),
        ]
        for lang in LANGUAGES:
            pages += self._language_pages(lang)
        return pages

    def _language_pages(self, lang: str) -> list[Page]:
        t = self.strings[lang]
        pages = [
            self._page(
                lang,
                "",
                "home.html",
                title=self.config.titles[lang],
                latest=self.stories[:LATEST_ON_HOME],
                figures=[
                    (f, self.version(self.by_id[f.article_id], lang).title)
                    for f in self.home_figures(lang)
                ],
                topics=self.tag_counts(lang)[:TOPICS_ON_HOME],
            ),
            self._page(lang, "tags/", "tags.html", title=t["all_tags"], tags=self.tag_counts(lang)),
            self._page(
                lang, "archive/", "archive.html", title=t["archive"], months=self.archive(lang)
            ),
            self._page(lang, "about/", "about.html", title=t["about"]),
            self._page(lang, "search/", "search.html", title=t["search"]),
            Page(
                f"{lang}/feed.xml",
                "feed.xml",
                {
                    **self._common(lang, f"{lang}/feed.xml", self.config.titles[lang]),
                    "stories": self.stories[:50],
                    "updated": self._feed_updated(),
                },
            ),
        ]
        for tag, stories in self.tag_index(lang).items():
            pages.append(
                self._page(
                    lang,
                    f"tags/{tag.slug}/",
                    "tag.html",
                    title=t["articles_tagged"].format(tag=tag.name(lang)),
                    tag=tag,
                    stories=stories,
                    languages=[other for other in LANGUAGES if tag.name(other)],
                )
            )
        for story in self.stories:
            article = self.version(story, lang)
            pages.append(
                self._page(
                    lang,
                    f"articles/{story.id}/",
                    "article.html",
                    title=article.title,
                    description=story.summaries.get(lang) or story.summaries["zh"],
                    story=story,
                    article=article,
                    translated=lang in story.versions,
                    related=[self.by_id[i] for i in story.related],
                    newer=self.by_id.get(story.newer or ""),
                    older=self.by_id.get(story.older or ""),
                    og_type="article",
                    derive=partial(_body_html, article),
                )
            )
            if "en" in story.versions:
                pages.append(
                    self._page(
                        lang,
                        f"articles/{story.id}/parallel/",
                        "parallel.html",
                        title=f"{article.title} · {t['parallel_view']}",
                        story=story,
                        derive=partial(_parallel_rows, story),
                    )
                )
        return pages

    def _page(
        self,
        lang: str,
        path: str,
        template: str,
        *,
        title: str,
        languages: tuple[str, ...] | list[str] = LANGUAGES,
        derive: Callable[[], dict] | None = None,
        **context,
    ) -> Page:
        full = f"{lang}/{path}"
        return Page(
            f"{full}index.html",
            template,
            {
                **self._common(lang, full, title, languages),
                **context,
            },
            derive,
        )

    def _common(
        self,
        lang: str | None,
        path: str,
        title: str,
        languages: tuple[str, ...] | list[str] = LANGUAGES,
    ) -> dict:
        """What every page knows: language, strings, canonical and alternate URLs.

        `languages` are those the page exists in; the language switch of a page
        that has no counterpart (a tag with no English name) goes to the other
        language's home instead.
        """
        t = self.strings[lang or "zh"]
        other = OTHER.get(lang or "")
        if lang is None:
            alternates = {}
            x_default = self.config.absolute(self.url(path))
            switch = ""
        else:
            tail = path.removeprefix(f"{lang}/")
            alternates = {
                code: self.config.absolute(self.url(f"{code}/{tail}")) for code in languages
            }
            x_default = alternates.get("zh", alternates[lang])
            switch = self.url(f"{other}/{tail}" if other in languages else f"{other}/")
        return {
            "lang": lang,
            "t": t,
            "strings": self.strings,
            "config": self.config,
            "path": path,
            "title": title,
            "description": self.config.descriptions[lang or "zh"],
            "canonical": self.config.absolute(self.url(path)),
            "alternates": alternates,
            "x_default": x_default,
            "other_lang": other,
            "switch_url": switch,
            "og_type": "website",
        }

    # --- what the pages list ---------------------------------------------------------------

    @staticmethod
    def version(story: Story, lang: str) -> Article:
        """The article in a language, or the Chinese original where no translation exists."""
        return story.versions.get(lang) or story.versions["zh"]

    @cached_property
    def _tag_index(self) -> dict[str, dict[Tag, list[Story]]]:
        index: dict[str, dict[Tag, list[Story]]] = {lang: defaultdict(list) for lang in LANGUAGES}
        for story in self.stories:
            for lang in LANGUAGES:
                for tag in story.tags_in(lang):
                    index[lang][tag].append(story)
        return index

    def tag_index(self, lang: str) -> dict[Tag, list[Story]]:
        return self._tag_index[lang]

    def tag_counts(self, lang: str) -> list[tuple[Tag, int]]:
        counts = [(tag, len(stories)) for tag, stories in self.tag_index(lang).items()]
        return sorted(counts, key=lambda item: (-item[1], item[0].name(lang)))

    def archive(self, lang: str) -> list[tuple[str, list[Story]]]:
        """Stories by month, newest first; undated ones last under their own heading."""
        months: dict[str, list[Story]] = defaultdict(list)
        for story in self.stories:
            months[story.date[:7] if story.date else ""].append(story)
        return sorted(months.items(), key=lambda item: item[0] or "0", reverse=True)

    def home_figures(self, lang: str) -> list[Figure]:
        """Up to six figures, two at most from each of the newest articles."""
        figures: list[Figure] = []
        for story in self.stories:
            figures += story.figures.get(lang, [])[:2]
            if len(figures) >= FIGURES_ON_HOME:
                break
        return figures[:FIGURES_ON_HOME]

    def _feed_updated(self) -> str:
        dates = [s.date for s in self.stories if s.date]
        return iso_datetime(max(dates)) if dates else "2000-01-01T00:00:00+08:00"

    def _sitemap_entries(self) -> list[dict]:
        paths = ["", "tags/", "archive/", "about/", "search/"]
        paths += [f"articles/{s.id}/" for s in self.stories]
        paths += list(
            dict.fromkeys(f"tags/{tag.slug}/" for lang in LANGUAGES for tag in self.tag_index(lang))
        )
        entries = []
        for tail in paths:
            languages = self._languages_of(tail)
            alternates = {
                lang: self.config.absolute(self.url(f"{lang}/{tail}")) for lang in languages
            }
            for lang in languages:
                entries.append({"loc": alternates[lang], "alternates": alternates})
        return entries

    def _languages_of(self, tail: str) -> list[str]:
        """The languages a page exists in: all, except for tags named in one language only."""
        if not tail.startswith("tags/") or tail == "tags/":
            return list(LANGUAGES)
        slug = tail.removeprefix("tags/").rstrip("/")
        return [lang for lang in LANGUAGES if any(t.slug == slug for t in self.tag_index(lang))]

    # --- rendering ------------------------------------------------------------------------------

    def fingerprint(self, page: Page) -> str:
        """A hash of everything the page shows: unchanged hash, unchanged page.

        Stories stand in by their content key and the links enrichment gave
        them, articles by their text, so the hash costs far less than rendering.
        """
        varying = {k: v for k, v in page.context.items() if k not in _IN_TEMPLATES_KEY}
        return digest(self.templates_key, page.path, page.template, _fingerprint(varying))

    def check_templates(self, names: set[str]) -> None:
        """Every template these pages need, and every template those use, is there: a
        missing one is named before anything is rendered."""
        needed = [(name, None) for name in sorted(names)]
        seen: set[str] = set()
        while needed:
            name, user = needed.pop()
            if name in seen:
                continue
            seen.add(name)
            if name not in self.sources:
                why = f"{user} uses it" if user else "the site's pages need it"
                raise ContentError(self.templates / name, f"template is missing ({why})")
            tree = self.env.parse(self.sources[name], name, name)
            needed += [(used, name) for used in meta.find_referenced_templates(tree) if used]

    def render(self, page: Page) -> bytes:
        context = {**page.context, **page.derive()} if page.derive else page.context
        text = self.env.get_template(page.template).render(context)
        if page.path.endswith(".xml"):
            # XML 1.0 forbids control characters: a feed with one is not XML at all.
            # Inputs are cleaned as they are read; this makes it so whatever the source.
            text = remove_control_characters(text)
        return text.encode("utf-8")


def _body_html(article: Article) -> dict:
    return {"blocks": [block_html(b) for b in article.blocks]}


def _parallel_rows(story: Story) -> dict:
    """zh and en blocks side by side, paired by position."""
    zh = [block_html(b) for b in story.versions["zh"].blocks]
    en = [block_html(b) for b in story.versions["en"].blocks]
    width = max(len(zh), len(en))
    return {
        "rows": [(zh[i] if i < len(zh) else "", en[i] if i < len(en) else "") for i in range(width)]
    }


# Context entries that are the same on every page and already part of templates_key
# (strings.yaml is a template file; the config is in the key).
_IN_TEMPLATES_KEY = frozenset({"t", "strings", "config"})


def _fingerprint(value) -> str:
    """A compact, stable text for a page context (see SiteRenderer.fingerprint).

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


def _interface_strings(path: Path, sources: dict[str, str]) -> dict[str, dict[str, str]]:
    """templates/strings.yaml: the interface text of each language."""
    if path.name not in sources:
        raise ContentError(path, "is missing (the interface text of each language)")
    try:
        strings = parse_yaml(sources[path.name])
    except yaml.YAMLError as exc:
        raise ContentError(path, f"not valid YAML{yaml_problem(exc)}") from None
    for lang in LANGUAGES:
        texts = strings.get(lang) if isinstance(strings, dict) else None
        if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
            raise ContentError(path, f"{lang}: must map names to the interface text in {lang}")
    return strings


def format_date(value: str | None, lang: str) -> str:
    """2022-02-27T17:00:04+08:00 -> 2022年2月27日 17:00 / 27 February 2022, 17:00."""
    if not value:
        return ""
    stamp = dt.datetime.fromisoformat(value)
    has_time = "T" in value
    if lang == "zh":
        text = f"{stamp.year}年{stamp.month}月{stamp.day}日"
        return f"{text} {stamp:%H:%M}" if has_time else text
    text = f"{stamp.day} {stamp:%B %Y}"
    return f"{text}, {stamp:%H:%M}" if has_time else text


def format_month(value: str, lang: str) -> str:
    """2022-02 -> 2022年2月 / February 2022."""
    stamp = dt.date.fromisoformat(f"{value}-01")
    return f"{stamp.year}年{stamp.month}月" if lang == "zh" else f"{stamp:%B %Y}"


# Times without a UTC offset are China's (the sources are Chinese news sites).
DEFAULT_UTC_OFFSET = dt.timezone(dt.timedelta(hours=8))


def iso_datetime(value: str) -> str:
    """A date or datetime as a full RFC 3339 timestamp, UTC offset included (Atom needs one)."""
    stamp = dt.datetime.fromisoformat(value if "T" in value else f"{value}T00:00:00")
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=DEFAULT_UTC_OFFSET)
    return stamp.isoformat()
