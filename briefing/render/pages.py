"""Which pages the site has, and what each shows: paths, templates and contexts.

Every page is described first (MkDocs' "gather all data first"), so cross-links
(language alternates, prev/next, related, tag pages) are plain lookups; rendering
comes after (templates.py), and nothing here touches the disk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, partial

from briefing.config import LANGUAGES, SiteConfig
from briefing.enrich import FIGURES_KEPT, Figure, Story, Tag
from briefing.model import Article
from briefing.render.dates import iso_datetime
from briefing.render.urls import Urls
from briefing.review import outdated_since
from briefing.text.markdown import body_html

OTHER = {"zh": "en", "en": "zh"}
LATEST_ON_HOME = 10
SITEMAP_OF_PAGES = "sitemaps/pages.xml"  # beside a sitemap of each year's articles
UNDATED = "undated"  # the archive's page, and the sitemap, of articles with no date
FIGURES_ON_HOME = 6
TOPICS_ON_HOME = 12


@dataclass(slots=True)
class Page:
    """One file of the site: where it goes and what it shows."""

    path: str  # inside site/, e.g. "zh/articles/<id>/index.html"
    template: str
    context: dict = field(default_factory=dict)
    # More context, made only when the page is rendered: what costs work and follows
    # from what `context` holds (an article's body as HTML), so the fingerprint need not
    # cover it.
    derive: Callable[[], dict] | None = None
    # What every page knows (language, URLs, strings: SitePages.common), made only when
    # the page is rendered. It follows from its arguments and the config, so the
    # fingerprint covers those: 16,000 pages at 4,000 articles, most of them unchanged.
    common: partial[dict] | None = None
    # How many entries it lists (a tag's stories, the archive, the sitemap): the pages
    # listing thousands are megabytes each, which the workers send back in smaller
    # batches than article pages (pipeline.render_pages).
    listed: int = 0
    # The stories the page is made from, where they say all its context does: an
    # article page shows its story and the stories it links to (related, newer,
    # older), and nothing else. Its fingerprint is theirs, not its context's: worked
    # out for 16,000 pages at 4,000 articles on every build, that was a third of a second.
    made_from: tuple[Story | None, ...] | None = None
    # The articles whose bodies it shows as HTML (its `derive` makes them).
    bodies: tuple[Article, ...] = ()
    # Its context as one text, where the page has one at hand that costs less than a
    # fingerprint of the context (the sitemap's entries are text: their repr).
    shown: str | None = None

    def full_context(self) -> dict:
        """The context the template is rendered with."""
        context = self.common() if self.common else {}
        context.update(self.context)
        if self.derive:
            context.update(self.derive())
        return context


class SitePages:
    """The site's stories and config; every page of the site, described."""

    def __init__(
        self, stories: list[Story], config: SiteConfig, strings: dict[str, dict], urls: Urls
    ):
        self.stories = stories
        self.by_id = {s.id: s for s in stories}
        self.config = config
        self.strings = strings
        self.urls = urls

    # --- the pages ---------------------------------------------------------------------------

    def list_pages(self) -> list[Page]:
        """The pages other than the stories' own: home, lists, sitemap, feeds."""
        both_titles = " · ".join(self.config.titles[lang] for lang in LANGUAGES)
        not_found = " · ".join(self.strings[lang]["not_found_title"] for lang in LANGUAGES)
        pages = [
            Page("index.html", "choose_language.html", common=self._common(None, "", both_titles)),
            Page("404.html", "404.html", common=self._common(None, "404.html", not_found)),
            *self._sitemaps(),
            Page("robots.txt", "robots.txt", {}),
        ]
        for lang in LANGUAGES:
            pages += self._language_pages(lang)
        return pages

    # A story's own pages: its article page in each language and, when it has English,
    # a parallel view in each. Each is made from a few stories alone (Page.made_from), so
    # whether it changed is known from them (fingerprints.made_from_fingerprint) without
    # describing it: an editor's build describes the pages of the few stories it changed.

    def story_templates(self) -> set[str]:
        """The templates the stories' own pages use."""
        with_english = any("en" in s.versions for s in self.stories)
        return {"article.html", "parallel.html"} if with_english else {"article.html"}

    @staticmethod
    def story_folders(ids: list[str], with_english: set[str]) -> list[str]:
        """The folders of the stories' own pages (story_plan's), parents first: known
        from the articles' ids before there are stories."""
        folders = [*LANGUAGES, *(f"{lang}/articles" for lang in LANGUAGES)]
        for story_id in ids:
            for lang in LANGUAGES:
                folders.append(f"{lang}/articles/{story_id}")
                if story_id in with_english:
                    folders.append(f"{lang}/articles/{story_id}/parallel")
        return folders

    def story_plan(self, story: Story) -> list[tuple[str, str, tuple[Story | None, ...]]]:
        """(path, template, made_from) of each of the story's pages, as story_pages
        describes them, in the same order."""
        shown = self.shown_with(story)
        plan = []
        for lang in LANGUAGES:
            plan.append((f"{lang}/articles/{story.id}/index.html", "article.html", shown))
            if "en" in story.versions:
                plan.append(
                    (f"{lang}/articles/{story.id}/parallel/index.html", "parallel.html", (story,))
                )
        return plan

    def shown_with(self, story: Story) -> tuple[Story | None, ...]:
        """What a story's article page is made from: the story and the stories it links
        to (newer, older, related)."""
        related = [self.by_id[i] for i in story.related]
        newer = self.by_id.get(story.newer or "")
        older = self.by_id.get(story.older or "")
        return (story, newer, older, *related)

    def story_pages(self, story: Story) -> list[Page]:
        """The story's pages one after another: its article pages and parallel views
        show the same two bodies, made once (_blocks_html) by the worker that renders them."""
        return [page for lang in LANGUAGES for page in self._story_pages(story, lang)]

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
            self._page(
                lang,
                "tags/",
                "tags.html",
                title=t["all_tags"],
                tags=self.tag_counts(lang),
                listed=len(self.tag_index(lang)),
            ),
            self._page(
                lang,
                "archive/",
                "archive.html",
                title=t["archive"],
                years=[
                    (year, sum(n for _, n in months), months)
                    for year, months in self.archive_counts()
                ],
            ),
            *(
                self._page(
                    lang,
                    f"archive/{year or UNDATED}/",
                    "archive_year.html",
                    title=t["archive_of_year"].format(year=year) if year else t["undated"],
                    months=months,
                    listed=sum(len(stories) for _, stories in months),
                )
                for year, months in self.archive()
            ),
            self._page(lang, "about/", "about.html", title=t["about"]),
            self._page(lang, "search/", "search.html", title=t["search"]),
            Page(
                f"{lang}/feed.xml",
                "feed.xml",
                {"stories": self.stories[:50], "updated": self._feed_updated()},
                common=self._common(lang, f"{lang}/feed.xml", self.config.titles[lang]),
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
                    listed=len(stories),
                )
            )
        return pages

    def _story_pages(self, story: Story, lang: str) -> list[Page]:
        """A story's article page in a language, and its parallel view if it has English."""
        t = self.strings[lang]
        article = self.version(story, lang)
        # English of an older Chinese text: its pages say since when (review.py).
        outdated = outdated_since(story.versions["zh"], story.versions.get("en"))
        # Everything below comes from these (a story's texts, tags and what enrich found
        # from them: enrich.story_fingerprint) and the strings and config.
        made_from = self.shown_with(story)
        _, newer, older, *related = made_from
        pages = [
            self._page(
                lang,
                f"articles/{story.id}/",
                "article.html",
                title=article.title,
                description=story.summaries.get(lang) or story.summaries["zh"],
                story=story,
                article=article,
                translated=lang in story.versions,
                related=related,
                newer=newer,
                older=older,
                og_type="article",
                outdated_since=outdated if lang == "en" else None,
                derive=partial(_body_html, article),
                made_from=made_from,
                bodies=(article,),
            )
        ]
        if "en" in story.versions:
            pages.append(
                self._page(
                    lang,
                    f"articles/{story.id}/parallel/",
                    "parallel.html",
                    title=f"{article.title} · {t['parallel_view']}",
                    story=story,
                    outdated_since=outdated,
                    derive=partial(_parallel_rows, story),
                    made_from=(story,),
                    bodies=(story.versions["zh"], story.versions["en"]),
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
        listed: int = 0,
        made_from: tuple[Story | None, ...] | None = None,
        bodies: tuple[Article, ...] = (),
        **context,
    ) -> Page:
        full = f"{lang}/{path}"
        return Page(
            f"{full}index.html",
            template,
            context,
            derive,
            common=self._common(lang, full, title, tuple(languages)),
            listed=listed,
            made_from=made_from,
            bodies=bodies,
        )

    def _common(
        self,
        lang: str | None,
        path: str,
        title: str,
        languages: tuple[str, ...] = LANGUAGES,
    ) -> partial[dict]:
        """A page's `common`: SitePages.common with its arguments, called at rendering."""
        return partial(self.common, lang, path, title, languages)

    def common(
        self,
        lang: str | None,
        path: str,
        title: str,
        languages: tuple[str, ...] = LANGUAGES,
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
            x_default = self.urls.absolute(path)
            switch = ""
        else:
            tail = path.removeprefix(f"{lang}/")
            alternates = {code: self.urls.absolute(f"{code}/{tail}") for code in languages}
            x_default = alternates.get("zh", alternates[lang])
            switch = self.urls.url(f"{other}/{tail}" if other in languages else f"{other}/")
        return {
            "lang": lang,
            "t": t,
            "strings": self.strings,
            "config": self.config,
            "path": path,
            "title": title,
            "description": self.config.descriptions[lang or "zh"],
            "canonical": self.urls.absolute(path),
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

    @cached_property
    def _archive(self) -> list[tuple[str, list[tuple[str, list[Story]]]]]:
        months: dict[str, list[Story]] = defaultdict(list)
        for story in self.stories:
            months[story.date[:7] if story.date else ""].append(story)
        years: dict[str, list[tuple[str, list[Story]]]] = defaultdict(list)
        for month, stories in sorted(months.items(), key=lambda item: item[0] or "0", reverse=True):
            years[month[:4]].append((month, stories))
        return list(years.items())

    def archive(self) -> list[tuple[str, list[tuple[str, list[Story]]]]]:
        """Stories by year ("" for the undated), and in each by month, newest first: a
        page each year, so that an added article changes its year's page, not one of
        every story (3 MB at 10,000, made again for every article added)."""
        return self._archive

    def archive_counts(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """How many stories each year and month of the archive has (its index page)."""
        return [
            (year, [(month, len(stories)) for month, stories in months])
            for year, months in self._archive
        ]

    def home_figures(self, lang: str) -> list[Figure]:
        """Up to six figures, two at most from each of the newest articles."""
        figures: list[Figure] = []
        for story in self.stories:
            figures += story.figures.get(lang, [])[:FIGURES_KEPT]
            if len(figures) >= FIGURES_ON_HOME:
                break
        return figures[:FIGURES_ON_HOME]

    def _feed_updated(self) -> str:
        dates = [s.date for s in self.stories if s.date]
        return iso_datetime(max(dates)) if dates else "2000-01-01T00:00:00+08:00"

    def _sitemaps(self) -> list[Page]:
        """sitemap.xml, an index of the site's sitemaps: one of the pages that are not
        articles (home, lists, tags) and one of each year's articles. An added article
        changes its year's alone, where one sitemap of every page (4,000 entries at
        1,000 articles) was made again for each; and no sitemap comes near the 50,000
        URLs sitemaps.org allows in one (a single one would at 25,000 articles)."""
        other = ["", "tags/", "archive/", "about/", "search/"]
        other += [f"archive/{year or UNDATED}/" for year, _ in self.archive()]
        other += list(
            dict.fromkeys(f"tags/{tag.slug}/" for lang in LANGUAGES for tag in self.tag_index(lang))
        )
        entries = self._sitemap_entries(other)
        parts = [
            Page(
                SITEMAP_OF_PAGES,
                "sitemap_part.xml",
                {"entries": entries},
                listed=len(entries),
                shown=repr(entries),
            )
        ]
        for year, months in self.archive():  # (newest first, the undated last)
            paths = [f"articles/{story.id}/" for _, stories in months for story in stories]
            # An article page is in both languages: its entries follow from its id (and
            # the config, in every page's fingerprint), made only when it is rendered.
            parts.append(
                Page(
                    f"sitemaps/articles-{year or UNDATED}.xml",
                    "sitemap_part.xml",
                    derive=partial(self._sitemap_context, paths),
                    listed=len(paths) * len(LANGUAGES),
                    shown=" ".join(paths),
                )
            )
        index = [self.urls.absolute(part.path) for part in parts]
        return [Page("sitemap.xml", "sitemap.xml", {"sitemaps": index}), *parts]

    def _sitemap_context(self, paths: list[str]) -> dict:
        return {"entries": self._sitemap_entries(paths)}

    def _sitemap_entries(
        self, paths: list[str]
    ) -> list[tuple[str, tuple[tuple[str, str], ...], str]]:
        """(URL, its alternates as (language, URL) pairs, the x-default URL) of each page
        in each language. Tuples: looking up keys of dicts in the template cost 140 ms
        of an added article at 4,000, when one sitemap listed every page."""
        entries = []
        for tail in paths:
            languages = self._languages_of(tail)
            alternates = tuple((lang, self.urls.absolute(f"{lang}/{tail}")) for lang in languages)
            urls = dict(alternates)
            for lang in languages:
                entries.append((urls[lang], alternates, urls.get("zh") or urls[lang]))
        return entries

    def _languages_of(self, tail: str) -> list[str]:
        """The languages a page exists in: all, except for tags named in one language only."""
        if not tail.startswith("tags/") or tail == "tags/":
            return list(LANGUAGES)
        slug = tail.removeprefix("tags/").rstrip("/")
        return [lang for lang in LANGUAGES if slug in self._tag_slugs[lang]]

    @cached_property
    def _tag_slugs(self) -> dict[str, set[str]]:
        return {lang: {tag.slug for tag in self.tag_index(lang)} for lang in LANGUAGES}


def _body_html(article: Article) -> dict:
    return {"blocks": _blocks_html(article)}


def _parallel_rows(story: Story) -> dict:
    """zh and en blocks side by side, paired by position."""
    zh = _blocks_html(story.versions["zh"])
    en = _blocks_html(story.versions["en"])
    width = max(len(zh), len(en))
    return {
        "rows": [(zh[i] if i < len(zh) else "", en[i] if i < len(en) else "") for i in range(width)]
    }


# The bodies of the last few articles made into HTML, by the article's identity (the
# entry holds the article, so its id() is not reused while it is here): a story's four
# pages come one after another (SitePages.story_pages) and show its two bodies six times.
_RECENT_BODIES: dict[int, tuple[Article, list[str]]] = {}
_RECENT_KEPT = 4
# Bodies made elsewhere for the pages about to be rendered (given_bodies).
_GIVEN_BODIES: dict[int, tuple[Article, list[str]]] = {}


def _blocks_html(article: Article) -> list[str]:
    found = _GIVEN_BODIES.get(id(article)) or _RECENT_BODIES.get(id(article))
    if found is not None and found[0] is article:
        return found[1]
    html = body_html(article)
    if len(_RECENT_BODIES) >= _RECENT_KEPT:
        del _RECENT_BODIES[next(iter(_RECENT_BODIES))]
    _RECENT_BODIES[id(article)] = (article, html)
    return html


def bodies_shown(pages: list[Page]) -> list[Article]:
    """The articles whose bodies these pages show, each once."""
    return list({id(a): a for page in pages for a in page.bodies}.values())


@contextmanager
def given_bodies(articles: list[Article], bodies: list[list[str]] | None):
    """Pages rendered meanwhile show these bodies (text.markdown.body_html of each
    article, made elsewhere) rather than making them: an editor's build has its helper
    make the few it needs, and this process never loads markdown-it."""
    if bodies is not None:  # (None: the helper did not make them; made here as needed)
        _GIVEN_BODIES.update(
            (id(article), (article, html)) for article, html in zip(articles, bodies, strict=True)
        )
    try:
        yield
    finally:
        _GIVEN_BODIES.clear()
