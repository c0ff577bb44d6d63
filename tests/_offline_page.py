"""Open HTML files from disk in headless Chromium (Debian's /usr/bin/chromium, as
tests/test_browser.py does) with every request intercepted: what a page asked for beyond its own
file, what its console reported, and whatever a probe script measured in it.

Requests outside the page are aborted, never sent. `attempted` lists every URL the page asked
for beyond its own file (a Content-Security-Policy may stop it before the network: Chromium
still reports it), `outside` those that reached the network layer (the interception), and
`errors` the console's errors, where Chromium logs each failed or blocked load.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def need_chromium():
    """playwright.sync_api, or skip the test saying what is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (python3 run.py test does, "
                    "as root with apt-get)")
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[dev])")


@dataclass
class Visit:
    attempted: list = field(default_factory=list)   # URLs asked for beyond the page's own file
    outside: list = field(default_factory=list)     # of those, the ones that reached the network
    errors: list = field(default_factory=list)      # console errors and uncaught exceptions
    probe: object = None                            # what the probe script returned


def visit(paths, probe: str | None = None, width: int = 1200) -> dict:
    """{path: Visit} for each HTML file, each in a fresh page of one browser."""
    sync_api = need_chromium()
    found = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            for path in paths:
                found[path] = _visit(browser, Path(path).resolve(), probe, width)
        finally:
            browser.close()
    return found


def _visit(browser, path: Path, probe, width) -> Visit:
    own = path.as_uri()
    seen = Visit()
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.on("request", lambda r: None if r.url == own or r.url.startswith("data:") else seen.attempted.append(r.url))
        page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.errors.append(f"uncaught: {e}"))

        def intercept(route):
            if route.request.url == own:
                route.continue_()
            else:
                seen.outside.append(route.request.url)
                route.abort()

        page.route("**/*", intercept)
        page.goto(own, wait_until="load")
        page.wait_for_timeout(300)          # late loads (fonts, images set by scripts)
        if probe:
            seen.probe = page.evaluate(probe)
    finally:
        page.close()
    return seen
