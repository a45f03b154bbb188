"""The site in a real headless Chromium (Debian's), served as Netlify would serve it.

The preview server applies netlify.toml's headers, so a page that the
Content-Security-Policy would break shows a console error here.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from briefing.config import Project
from briefing.serve import make_server

from .site_helpers import build_copy_of_repo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTICLE = "2022-02-27-d9ab3b7d"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    build_copy_of_repo(root)
    server = make_server(Project(root), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is needed: apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.problems = []  # console errors, page errors, failed or external requests
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url}"))
    page.on(
        "request",
        lambda r: (
            r.url.startswith("http://127.0.0.1") or page.problems.append(f"external: {r.url}")
        ),
    )
    yield page
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/zh/",
        "/en/",
        f"/zh/articles/{ARTICLE}/",
        f"/en/articles/{ARTICLE}/",
        f"/en/articles/{ARTICLE}/parallel/",
        "/zh/tags/zhichuang-valley/",
        "/en/tags/",
        "/en/archive/",
        "/zh/about/",
        "/en/search/",
    ],
)
def test_page_renders_without_console_errors(page, base_url, path):
    response = page.goto(base_url + path)
    assert response.status == 200
    assert page.locator("h1").first.is_visible()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(251, 250, 247)"
    assert page.problems == []


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


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/zh/",
        "/en/",
        f"/zh/articles/{ARTICLE}/",
        f"/en/articles/{ARTICLE}/parallel/",
        "/en/tags/",
        "/zh/archive/",
        "/404.html",
    ],
)
def test_axe_finds_no_accessibility_violations(browser, base_url, path):
    # axe-core (WCAG 2 A/AA rules: contrast, landmarks, lang, names, ...) is
    # injected as a script, which the site's CSP rightly forbids: bypass it here.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(base_url + path)
    result = Axe().run(page)
    context.close()
    assert result.violations_count == 0, result.generate_report()
