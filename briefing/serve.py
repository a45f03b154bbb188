"""Local preview: serve site/ (on 127.0.0.1 by default) as Netlify would, rebuilding on change.

The preview applies the headers of netlify.toml (so a Content-Security-Policy
problem shows up locally), serves 404.html for missing pages, and maps the
path of base_url, so a site meant for a sub-path previews correctly.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import functools
import http.server
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar

from briefing.config import Project, load_site_config, toml_module
from briefing.errors import BriefingError, InputError, log
from briefing.freshness import walk_files


def netlify_headers(path: Path) -> list[tuple[str, dict[str, str]]]:
    """The [[headers]] rules of netlify.toml: (path pattern, headers)."""
    from briefing.inputs import exists, read_input_text

    if not exists(path):
        return []
    tomllib = toml_module()
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


def make_server(
    project: Project, port: int, host: str = "127.0.0.1"
) -> http.server.ThreadingHTTPServer:
    """A preview server for site/ on host:port (port 0 picks a free one)."""
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
        return PreviewServer((host, port), handler)
    except OSError as exc:  # the port is taken or needs privileges, or no such address
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            hint = "; choose another port with --port N (or --port 0 for any free one)"
        else:
            hint = "; give this machine's address with --host (127.0.0.1 by default)"
        raise BriefingError(
            f"{host}:{port}", f"cannot serve here: {exc.strerror or exc}{hint}"
        ) from None


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


class Watcher:
    """Rebuilds when something a build reads changes: once an edit, whatever the build
    writes itself (the English it translates, the pages it ingests into content/)."""

    def __init__(self, project: Project, rebuild: Callable[[], Iterable[Path]]):
        self.project = project
        self.rebuild = rebuild  # returns the content files it wrote
        self.state = watched_state(project)

    def check(self) -> bool:
        """Rebuild if anything changed since the last look; True if it did."""
        seen = watched_state(self.project)
        if seen == self.state:
            return False
        log.info("change seen; rebuilding")
        written: set[str] = set()
        try:
            written = {str(path) for path in self.rebuild()}
        except Exception as exc:  # keep serving the last good site
            log.error("rebuild failed: %s (the previous site is still served)", exc)
        # What the build wrote is as it left it; anything else is as it was when the build
        # began, so that an edit made while it ran is seen on the next look.
        after = watched_state(self.project)
        self.state = {path: stamp for path, stamp in seen.items() if path not in written}
        self.state.update((path, after[path]) for path in written if path in after)
        return True


def serve(
    project: Project,
    server: http.server.ThreadingHTTPServer,
    rebuild: Callable[[], Iterable[Path]],
    watch: bool = True,
) -> None:
    """Serve until interrupted; with `watch`, rebuild when content or templates change."""
    host, actual_port = server.server_address[:2]
    base = load_site_config(project.config_path).base_path
    log.info("serving site/ at http://%s:%d%s (Ctrl+C to stop)", host, actual_port, base)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        watcher = Watcher(project, rebuild)
        while watch:
            time.sleep(1)
            watcher.check()
        thread.join()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        server.shutdown()
