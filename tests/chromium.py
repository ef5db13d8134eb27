"""The Chromium that the browser tests drive (Debian's package, through Playwright's executable_path;
Playwright's own browser download is not used), shared by test_browser, test_web and test_jupyterlab."""
from __future__ import annotations

import os
import shutil

import pytest

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
MISSING = ("Chromium not found (looked for $CHROMIUM, /usr/bin/chromium, chromium, chromium-browser, "
           "google-chrome): run scripts/install_browser.sh")


def find_chromium() -> str | None:
    """$CHROMIUM, or the first Chromium-like browser on this machine; None if there is none."""
    candidates = [os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                  shutil.which("chromium-browser"), shutil.which("google-chrome")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def require_chromium(what: str):
    """``(playwright.sync_api, chromium path)``, or skip the calling module with the reason."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason=f"playwright is not installed: pip install playwright ({what} skipped)")
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(f"{MISSING}; {what} skipped", allow_module_level=True)
    return sync_api, chromium


class OfflinePage:
    """A Playwright page that refuses (and records in ``offsite``) every request whose URL does not
    start with one of ``ALLOWED``; page errors and failed requests are recorded too. Subclasses say
    what is allowed and what to wait for after loading (:meth:`ready`)."""

    ALLOWED: tuple[str, ...] = ("file:", "data:", "blob:", "about:")

    def __init__(self, browser, url: str, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.offsite: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.ready_before_load()
        self.page.goto(url)
        self.ready()

    def ready_before_load(self) -> None:
        """Set-up between creating the page and loading it (default: none)."""

    def ready(self) -> None:
        """Wait until the page can be tested (default: its load event)."""
        self.page.wait_for_load_state("load")

    def _route(self, route) -> None:
        if route.request.url.startswith(self.ALLOWED):
            route.continue_()
        else:
            self.offsite.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()
