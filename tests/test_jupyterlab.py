"""Chapter 9's live widgets in a real JupyterLab, driven by Chromium through Playwright.

Starts JupyterLab on 127.0.0.1 with a token, in a temporary folder holding a copy of
book/09_your_images.ipynb (so the repository's notebook is never saved over), runs all cells at
VDSR_BUDGET=quick, checks that the static comparisons (vdsr_lib.compare's swipe) draw and
respond, then chooses an image file in the upload panel, presses Upscale and waits for the result
image and the download link. Every request outside 127.0.0.1 is refused. JupyterLab is shut
down (REST API, then SIGTERM, then SIGKILL of the process group it was started in) in a finally.

Skipped, with the reason, where Chromium or Playwright is missing.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
from PIL import Image

from chromium import LAUNCH_ARGS, require_chromium
from vdsr_lib import compare as C

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "09_your_images.ipynb"
RUN_TIMEOUT_MS = 900_000  # the chapter at the quick budget takes a few minutes on a busy CPU


def test_upload_panel_has_test_hooks():
    """The CSS classes the JupyterLab test finds the panel's parts by."""
    panel = C.upload_widget(lambda image, scale, progress=None: image)
    parts = {"file": panel.upload, "scale": panel.scale, "go": panel.button,
             "progress": panel.progress, "status": panel.status, "result": panel.output}
    for name, widget in parts.items():
        assert f"vdsr-upload-{name}" in widget._dom_classes, name
    assert "vdsr-upload" in panel.widget._dom_classes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLab:
    """A JupyterLab server in ``root`` on 127.0.0.1, its own process group, shut down by close()."""

    def __init__(self, root: Path) -> None:
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "VDSR_BUDGET": "quick", "JUPYTER_CONFIG_DIR": str(root / ".jupyter"),
               "JUPYTER_RUNTIME_DIR": str(root / ".runtime"), "JUPYTER_DATA_DIR": str(root / ".data"),
               "JUPYTER_PLATFORM_DIRS": "1"}
        env.setdefault("VDSR_DATA", str(ROOT.parent / "shared" / "data"))
        self.log = open(root / "jupyterlab.log", "wb")
        jupyter = Path(sys.executable).with_name("jupyter")
        self.proc = subprocess.Popen(
            [str(jupyter), "lab", "--ip", "127.0.0.1", f"--port={self.port}", "--no-browser",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root / 'nb'}",
             "--ServerApp.port_retries=0", "--LabApp.expose_app_in_browser=True",
             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.extension_manager=readonly",  # no PyPI queries
             f"--LabApp.workspaces_dir={root / 'ws'}"]
            + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
            cwd=root / "nb", env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.log_path = root / "jupyterlab.log"
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=5):
                    return
            except OSError:
                time.sleep(1)
        self.close()
        raise RuntimeError(f"JupyterLab did not start in 120 s: {self.log_path.read_text()[-2000:]}")

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                req = urllib.request.Request(f"{self.url}/api/shutdown?token={self.token}", method="POST")
                try:
                    urllib.request.urlopen(req, timeout=10).close()
                    self.proc.wait(30)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:  # the server and its kernels: the process group this test started
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(15)
                except subprocess.TimeoutExpired:
                    continue
                # the server is gone; its kernels may linger in the group for a moment
                time.sleep(0.5)
        finally:
            self.log.close()


NOTEBOOK_STATE_JS = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.content.widgets) return null;
  const cells = w.content.widgets.filter((c) => c.model.type === 'code');
  const errors = [];
  cells.forEach((c, i) => { const outs = c.model.outputs.toJSON();
    outs.filter((o) => o.output_type === 'error').forEach((o) => errors.push(i + ': ' + o.ename + ': ' + o.evalue)); });
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  return {n: cells.length, done: cells.filter((c) => c.model.executionCount).length,
          busy: cells.filter((c) => c.promptNode && c.promptNode.textContent.includes('*')).length,
          status: kernel ? kernel.status : 'none', errors};
}"""


def test_chapter9_widgets_in_jupyterlab(tmp_path):
    sync_api, chromium = require_chromium("JupyterLab test")
    (tmp_path / "nb").mkdir()
    shutil.copy(CHAPTER, tmp_path / "nb" / CHAPTER.name)
    upload = tmp_path / "small.png"
    yy, xx = np.mgrid[0:24, 0:32]
    Image.fromarray(np.stack([xx * 8, yy * 10, (xx + yy) * 4], -1).astype(np.uint8)).save(upload)
    lab = JupyterLab(tmp_path)
    offsite: list[str] = []
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
            try:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})

                def route(r):
                    if r.request.url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")):
                        r.continue_()
                    else:
                        offsite.append(r.request.url)
                        r.abort()

                context.route("**/*", route)
                page = context.new_page()
                page.set_default_timeout(120_000)
                page.goto(f"{lab.url}/lab/tree/{CHAPTER.name}?token={lab.token}")
                page.wait_for_function("() => { const s = (" + NOTEBOOK_STATE_JS + ")();"
                                       " return s && s.n > 0 && s.status === 'idle'; }")
                page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
                page.wait_for_function(
                    "() => { const s = (" + NOTEBOOK_STATE_JS + ")(); return s && (s.errors.length > 0"
                    " || (s.done === s.n && s.busy === 0 && s.status === 'idle')); }",
                    timeout=RUN_TIMEOUT_MS, polling=2000)
                state = page.evaluate(NOTEBOOK_STATE_JS)
                assert not state["errors"], f"cells raised: {state['errors']}"

                # the static comparisons: their scripts ran and the handle follows the keys
                swipes = page.locator(".jp-OutputArea .vc-swipe")
                assert swipes.count() >= 1, "no swipe comparison in the outputs"
                for i in range(swipes.count()):
                    root = swipes.nth(i)
                    root.scroll_into_view_if_needed()
                    assert root.get_attribute("data-ready") == "1", f"swipe {i}: its script did not run"
                    pos = float(root.get_attribute("data-pos"))
                    root.locator(".vc-frame").focus()
                    page.keyboard.press("ArrowLeft" if pos > 50 else "ArrowRight")
                    assert float(root.get_attribute("data-pos")) != pos, f"swipe {i} did not move"

                # the upload panel: choose a file, press Upscale, get the result and the download
                panel = page.locator(".vdsr-upload").first
                panel.scroll_into_view_if_needed()
                # ipywidgets' FileUpload is a button that opens a detached <input type=file>
                with page.expect_file_chooser() as chooser:
                    panel.locator(".vdsr-upload-file").click()
                chooser.value.set_files(str(upload))
                page.wait_for_function("() => { const s = document.querySelector('.vdsr-upload-status');"
                                       " return s && s.textContent.includes('Loaded'); }")
                go = panel.locator("button.vdsr-upload-go")
                assert go.is_enabled()
                go.click()
                page.wait_for_selector(".vdsr-upload-result a[download]", timeout=300_000)
                link = panel.locator(".vdsr-upload-result a[download]")
                assert link.get_attribute("download") == "small_x2.png"
                png = page.evaluate("async (a) => (await (await fetch(a)).arrayBuffer()).byteLength",
                                    link.get_attribute("href"))
                assert png > 100
                result = panel.locator(".vdsr-upload-result .vc-swipe")
                assert result.count() == 1 and result.get_attribute("data-ready") == "1"
                img = result.locator("img.vc-b")
                assert img.evaluate("i => i.complete && i.naturalWidth") > 0
                assert "Done in" in panel.locator(".vdsr-upload-status").inner_text()
                context.close()
            finally:
                browser.close()
    finally:
        lab.close()
    assert not offsite, f"JupyterLab or the notebook tried to reach the network: {offsite[:5]}"
