"""The preview server behaves like the hosted site: Netlify's headers, 404 page, base path."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest

from briefing.config import Project
from briefing.serve import make_server, watched_state

from .site_helpers import build_copy_of_repo


def serve_site(root):
    server = make_server(Project(root), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def served(base_url):
    return base_url


def test_pages_carry_the_headers_of_netlify_toml(served):
    with urllib.request.urlopen(served + "/zh/") as response:
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_assets_are_cached_for_good(served):
    html = urllib.request.urlopen(served + "/en/").read().decode()
    css = html.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    with urllib.request.urlopen(served + css) as response:
        assert "immutable" in response.headers["Cache-Control"]


def test_missing_page_is_the_404_page(served):
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(served + "/en/articles/nothing-here/")
    assert error.value.code == 404
    assert "Page not found" in error.value.read().decode()


def test_site_under_a_sub_path_previews_under_it(tmp_path):
    build_copy_of_repo(tmp_path, base_url="https://example.org/briefing/")
    server, base = serve_site(tmp_path)
    try:
        html = urllib.request.urlopen(base + "/briefing/en/").read().decode()
        assert 'href="/briefing/en/tags/"' in html
    finally:
        server.shutdown()


def test_watch_sees_changes_to_content_and_templates(tmp_path):
    build_copy_of_repo(tmp_path)
    project = Project(tmp_path)
    before = watched_state(project)
    (tmp_path / "templates" / "about.html").write_text("changed", encoding="utf-8")
    assert watched_state(project) != before
