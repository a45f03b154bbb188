"""The site in a real headless Chromium (Debian's), served as Netlify would serve it.

The preview server applies netlify.toml's headers, so a page that the
Content-Security-Policy would break shows a console error here.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import serving
from .site_helpers import build_copy_of_repo

ARTICLE = "2022-02-27-d9ab3b7d"

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.problems = []  # console errors, page errors, failed or external requests
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))
    # A request the browser itself cancels because the page navigated away (the
    # favicon of the page left by a search, say) is not a failure of the site.
    page.on(
        "requestfailed",
        lambda r: (
            r.failure == "net::ERR_ABORTED" or page.problems.append(f"failed: {r.url} {r.failure}")
        ),
    )
    page.on(
        "request",
        lambda r: (
            r.url.startswith("http://127.0.0.1") or page.problems.append(f"external: {r.url}")
        ),
    )
    yield page
    context.close()


# Every kind of page the site has. One page visits them all in turn: a new page is a new
# renderer process (~0.2 s), and axe-core runs twice as fast in a warm one.
EVERY_KIND_OF_PAGE = [
    "/",
    "/zh/",
    "/en/",
    f"/zh/articles/{ARTICLE}/",
    f"/en/articles/{ARTICLE}/",
    f"/en/articles/{ARTICLE}/parallel/",
    "/zh/tags/zhichuang-valley/",
    "/en/tags/",
    "/en/archive/",
    "/zh/archive/",
    f"/en/archive/{ARTICLE[:4]}/",
    "/zh/about/",
    "/en/search/",
    "/404.html",
]


def test_every_kind_of_page_renders_without_console_errors(page, base_url):
    for path in EVERY_KIND_OF_PAGE:
        response = page.goto(base_url + path)
        assert response.status == 200, path
        assert page.locator("h1").first.is_visible(), path
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(251, 250, 247)", path
        assert page.problems == [], path


def test_missing_page_gets_the_404_page(page, base_url):
    response = page.goto(base_url + "/zh/articles/no-such-article/")
    assert response.status == 404
    assert "页面不存在" in page.locator("h1").inner_text()
    assert [p for p in page.problems if "404" not in p and "no-such-article" not in p] == []


def test_language_switch_lands_on_the_same_article(page, base_url):
    page.goto(f"{base_url}/zh/articles/{ARTICLE}/")
    page.get_by_role("link", name="English version").click()
    assert page.url == f"{base_url}/en/articles/{ARTICLE}/"
    assert "Zhichuang Valley" in page.locator("h1").inner_text()
    page.get_by_role("link", name="中文版").click()
    assert page.url == f"{base_url}/zh/articles/{ARTICLE}/"


def test_keyboard_reaches_the_skip_link_first(page, base_url):
    page.goto(f"{base_url}/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    assert page.locator(".skip-link").is_visible()


def test_phone_layout_has_no_horizontal_scroll(browser, base_url):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    for path in ("/zh/", f"/en/articles/{ARTICLE}/parallel/", f"/zh/articles/{ARTICLE}/"):
        page.goto(base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
    context.close()


@pytest.mark.slow
def test_axe_finds_no_accessibility_violations(browser, base_url):
    # axe-core (WCAG 2 A/AA rules: contrast, landmarks, lang, names, ...) is
    # injected as a script, which the site's CSP rightly forbids: bypass it here.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    axe = Axe()
    reports = []
    for path in EVERY_KIND_OF_PAGE:
        page.goto(base_url + path)
        result = axe.run(page)
        if result.violations_count:
            reports.append(f"{path}:\n{result.generate_report()}")
    context.close()
    assert reports == [], "\n".join(reports)


# --- search ---------------------------------------------------------------------------


def test_typing_a_chinese_query_finds_the_article_and_the_result_opens_it(page, base_url):
    page.goto(f"{base_url}/zh/search/")
    page.get_by_label("搜索文章", exact=True).fill("智创谷")
    page.locator(".result").first.wait_for()
    titles = page.locator(".result-title").all_inner_texts()
    assert titles[0] == "山西晋中:激活“智创谷”动力源 打造一流创新生态"
    assert len(titles) == 2
    assert "q=%E6%99%BA%E5%88%9B%E8%B0%B7" in page.url  # the query is in the URL, shareable
    assert page.locator(".result-snippet mark").first.inner_text() == "智创谷"
    assert page.locator(".result-meta").first.inner_text() == "2022年2月27日"  # as on every page
    page.locator(".result-title a").first.click()
    assert page.url == f"{base_url}/zh/articles/{ARTICLE}/"
    assert page.problems == []


def test_shared_search_url_shows_english_results(page, base_url):
    page.goto(f"{base_url}/en/search/?q=innovation")
    page.locator(".result").first.wait_for()
    assert page.locator("#search-status").inner_text().endswith("articles found")
    assert page.locator(".result-snippet mark").first.inner_text().lower().startswith("innov")
    assert page.problems == []


def test_no_results_state(page, base_url):
    page.goto(f"{base_url}/en/search/?q=xylophone")
    status = page.locator("#search-status")
    status.filter(has_text="No articles found").wait_for()
    assert page.locator(".result").count() == 0


def test_other_language_can_be_included(page, base_url):
    page.goto(f"{base_url}/en/search/?q=租房")
    page.locator("#search-status").filter(has_text="No articles found").wait_for()
    page.get_by_label("Also search the Chinese articles").check()
    page.locator(".result").first.wait_for()
    link = page.locator(".result-title a").first
    assert link.get_attribute("lang") == "zh-Hans"
    assert link.get_attribute("href") == "/zh/articles/undated-89793ac4-2/"
    assert "other=1" in page.url


def test_search_works_from_the_keyboard(page, base_url):
    page.goto(f"{base_url}/en/")
    page.get_by_label("Search", exact=True).fill("Jinzhong")
    page.keyboard.press("Enter")
    page.locator(".result").first.wait_for()
    assert page.url.startswith(f"{base_url}/en/search/?q=Jinzhong")
    page.keyboard.press("Tab")  # from the search field on to the controls and results
    assert page.problems == []


def test_hostile_text_in_results_stays_text(browser, tmp_path):
    from briefing.cli import main

    build_copy_of_repo(tmp_path)
    (tmp_path / "content" / "zh" / "hostile.md").write_text(
        "---\ntitle: <img src=x onerror=\"document.title='pwned'\">恶意标题\n---\n\n"
        "恶意正文<script>document.title='pwned'</script>，<b onmouseover=alert(1)>粗体</b>。\n",
        encoding="utf-8",
    )
    assert main(["-q"], root=tmp_path) == 0
    with serving(tmp_path) as base:
        page = browser.new_page()
        page.goto(f"{base}/zh/search/?q=恶意")
        page.locator(".result").first.wait_for()
        assert page.locator(".result img, .result script, .result b").count() == 0
        assert "<img src=x" in page.locator(".result-title").first.inner_text()
        assert "<script>" in page.locator(".result-snippet").first.inner_text()
        assert page.title() != "pwned"
        page.close()
