"""The preview server behaves like the hosted site: Netlify's headers, 404 page, base path."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

import pytest

from briefing.config import Project
from briefing.pipeline import build
from briefing.serve import Watcher, watched_state

from .conftest import SEEDS, serving
from .site_helpers import build_copy_of_repo


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
    with serving(tmp_path) as base:
        html = urllib.request.urlopen(base + "/briefing/en/").read().decode()
        assert 'href="/briefing/en/tags/"' in html


def test_watch_sees_changes_to_content_and_templates(tmp_path):
    build_copy_of_repo(tmp_path)
    project = Project(tmp_path)
    before = watched_state(project)
    (tmp_path / "templates" / "about.html").write_text("changed", encoding="utf-8")
    assert watched_state(project) != before


def test_one_edit_is_one_rebuild_though_the_build_writes_content(project):
    rebuilds = []

    def rebuild():
        rebuilds.append(1)
        return build(Project(project)).written

    watcher = Watcher(Project(project), rebuild)
    assert not watcher.check()
    raw = sorted(SEEDS.glob("*.txt"))[0]
    (project / "content" / "raw" / raw.name).write_bytes(raw.read_bytes())  # the edit
    assert watcher.check()
    assert len(list((project / "content" / "zh").glob("*.md"))) == 1  # the build wrote it
    assert not watcher.check()  # ... and that is not a change to rebuild for
    assert len(rebuilds) == 1


def test_an_edit_made_while_the_site_rebuilds_is_seen_after(project):
    template = project / "templates" / "about.html"

    def rebuild_while_the_editor_edits():
        written = build(Project(project)).written
        template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        return written

    watcher = Watcher(Project(project), rebuild_while_the_editor_edits)
    raw = sorted(SEEDS.glob("*.txt"))[0]
    (project / "content" / "raw" / raw.name).write_bytes(raw.read_bytes())
    assert watcher.check()
    watcher.rebuild = lambda: build(Project(project)).written
    assert watcher.check()  # the template edited during the first rebuild
    assert not watcher.check()


def test_a_port_in_use_is_one_line_that_suggests_another(project, run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, out = run(project, "serve", "--port", str(port))
    assert status == 1
    assert out == (
        f"error: 127.0.0.1:{port}: cannot serve here: Address already in use; "
        "choose another port with --port N (or --port 0 for any free one)\n"
    )
    assert not (project / "site").exists()  # said before building, not after


def test_serve_listens_on_the_host_asked_for(seed_site, project, run):
    with (
        serving(seed_site, host="127.0.0.2") as base,
        urllib.request.urlopen(f"{base}/en/") as response,
    ):
        assert response.status == 200
    status, out = run(project, "serve", "--host", "192.0.2.1", "--port", "0")  # not ours
    assert status == 1
    assert out.startswith("error: 192.0.2.1:0: cannot serve here: ")
    assert out.endswith("give this machine's address with --host (127.0.0.1 by default)\n")
