"""Local preview: serve site/ on 127.0.0.1 as Netlify would, rebuilding on change.

The preview applies the headers of netlify.toml (so a Content-Security-Policy
problem shows up locally), serves 404.html for missing pages, and maps the
path of base_url, so a site meant for a sub-path previews correctly.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import http.server
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from briefing.config import Project, load_site_config, tomllib
from briefing.errors import InputError, log
from briefing.freshness import walk_files


def netlify_headers(path: Path) -> list[tuple[str, dict[str, str]]]:
    """The [[headers]] rules of netlify.toml: (path pattern, headers)."""
    from briefing.inputs import exists, read_input_text

    if not exists(path):
        return []
    try:
        data = tomllib.loads(read_input_text(path, path.parent, limit=1_000_000))
        return [
            (str(rule["for"]), {str(k): str(v) for k, v in rule.get("values", {}).items()})
            for rule in data.get("headers", [])
        ]
    except (tomllib.TOMLDecodeError, RecursionError, AttributeError, KeyError, TypeError) as exc:
        raise InputError(path, f"[[headers]] not readable: {exc}") from None


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from site/, with Netlify's headers and 404 page."""

    base_path = "/"
    extensions_map: ClassVar[dict[str, str]] = {  # type: ignore[misc]
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".xml": "application/xml; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".json": "application/json",
    }
    header_rules: ClassVar[list[tuple[str, dict[str, str]]]] = []

    def translate_path(self, path: str) -> str:
        if path.startswith(self.base_path):
            path = "/" + path[len(self.base_path) :]
        return super().translate_path(path)

    def end_headers(self) -> None:
        # No path when the request line itself was malformed (answered 400).
        request_path = getattr(self, "path", "").split("?", 1)[0]
        for pattern, values in self.header_rules:
            if fnmatch.fnmatch(request_path, pattern):
                for name, value in values.items():
                    self.send_header(name, value)
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None

    def log_message(self, format: str, *args) -> None:
        log.debug("serve: " + format, *args)


class PreviewServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A client that went away mid-answer is no news: no traceback on the terminal.
        log.debug("serve: error answering %s", client_address, exc_info=True)


def make_server(project: Project, port: int) -> http.server.ThreadingHTTPServer:
    """A preview server for site/ on 127.0.0.1 (port 0 picks a free one)."""
    handler = functools.partial(
        type(
            "ProjectPreviewHandler",
            (PreviewHandler,),
            {
                "base_path": load_site_config(project.config_path).base_path,
                "header_rules": netlify_headers(project.root / "netlify.toml"),
            },
        ),
        directory=str(project.site_dir),
    )
    try:
        return PreviewServer(("127.0.0.1", port), handler)
    except OSError as exc:  # the port is taken, or needs privileges
        raise InputError(f"127.0.0.1:{port}", f"cannot serve here: {exc.strerror}") from None


def watched_state(project: Project) -> dict[str, int]:
    """Modification times of everything a build reads. Files and folders come and go
    while it looks (an editor's temporary files): what is gone is simply not there."""
    state = {}
    for folder in (project.content_dir, project.templates_dir):
        for path, stat in walk_files(folder):
            state[path] = stat.st_mtime_ns
    with contextlib.suppress(OSError):
        state[str(project.config_path)] = project.config_path.stat().st_mtime_ns
    return state


def serve(project: Project, port: int, rebuild: Callable[[], None], watch: bool = True) -> None:
    """Serve until interrupted; with `watch`, rebuild when content or templates change."""
    server = make_server(project, port)
    host, actual_port = server.server_address[:2]
    base = load_site_config(project.config_path).base_path
    log.info("serving site/ at http://%s:%d%s (Ctrl+C to stop)", host, actual_port, base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        state = watched_state(project)
        while watch:
            time.sleep(1)
            now = watched_state(project)
            if now != state:
                state = now
                log.info("change seen; rebuilding")
                try:
                    rebuild()
                except Exception as exc:  # keep serving the last good site
                    log.error("rebuild failed: %s (the previous site is still served)", exc)
        thread.join()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        server.shutdown()
