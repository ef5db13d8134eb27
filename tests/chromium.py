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
