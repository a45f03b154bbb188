"""Screenshots of the built site in headless Chromium: python scripts/screenshots.py [OUT_DIR]

Serves site/ on 127.0.0.1, opens the home pages and an article in both
languages (desktop and phone widths) and writes PNGs to OUT_DIR
(default: screenshots/). Needs Debian's chromium and Playwright for Python.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    site = ROOT / "site"
    article = sorted((site / "zh" / "articles").iterdir())[0].name
    pages = {
        "home-zh": "/zh/",
        "home-en": "/en/",
        "article-zh": f"/zh/articles/{article}/",
        "article-en": f"/en/articles/{article}/",
        "parallel-en": f"/en/articles/{article}/parallel/",
        "choose": "/",
    }
    server, base = serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for width, suffix in ((1280, ""), (390, "-phone")):
                page = browser.new_page(viewport={"width": width, "height": 900})
                for name, path in pages.items():
                    page.goto(base + path)
                    target = out / f"{name}{suffix}.png"
                    page.screenshot(path=str(target), full_page=False)
                    print(target)
                page.close()
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots")
