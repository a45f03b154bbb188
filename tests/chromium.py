"""Debian's Chromium, headless, as the browser tests, screenshots and benchmarks start it.

Playwright cannot download its own browser here; the flags keep Chromium
from reaching for the network on its own (updates, sync, safe browsing).
"""

import shutil

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
