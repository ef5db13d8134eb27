"""Browser tests of vdsr_lib.compare: headless Chromium, driven by Playwright, with no network.

(a) A standalone page built from compare's outputs: drag the swipe handle, press the arrow keys,
    click region and picker toggles; assert that the DOM state and the pixels on screen change.
(b) The built book (``_build/html``, if it exists): the same on every page with comparisons;
    pages with saved widget state must render their widgets from the book's own files.

Needs the ``playwright`` package and a Chromium binary (Debian's ``chromium``; Playwright's own
browser download is not used): ``scripts/install_browser.sh`` installs it. Set ``CHROMIUM`` to
use another binary. Skipped, with the reason, where either is missing.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from chromium import LAUNCH_ARGS, OfflinePage, require_chromium
from vdsr_lib import compare as C

ROOT = Path(__file__).resolve().parents[1]
BOOK = Path(os.environ.get("VDSR_BOOK_HTML", ROOT / "_build" / "html"))
sync_api, CHROMIUM = require_chromium("browser tests")


# -- fixtures ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


class Page(OfflinePage):
    """A page of the book or of the standalone comparisons, served from files: nothing else loads."""


def shot(locator) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("RGB")).astype(int)


def changed(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of pixels that differ between two screenshots of the same element."""
    if a.shape != b.shape:
        return 1.0
    return float((np.abs(a - b).sum(axis=2) > 30).mean())


# -- the checks, shared by the standalone page and the book ----------------------------------

def check_swipe(page, root) -> None:
    root.scroll_into_view_if_needed()
    frame = root.locator(".vc-frame")
    assert root.get_attribute("data-ready") == "1", "the swipe's script did not run"
    before = shot(frame)
    start = float(root.get_attribute("data-pos"))
    box = frame.bounding_box()
    y = box["y"] + box["height"] * 0.6
    page.mouse.move(box["x"] + box["width"] * start / 100, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.1, y, steps=8)
    page.mouse.up()
    pos = float(root.get_attribute("data-pos"))
    assert abs(pos - 10) < 3, f"dragging to 10% left the handle at {pos}%"
    assert changed(before, shot(frame)) > 0.02, "dragging the handle did not change the picture"
    frame.focus()
    page.keyboard.press("ArrowRight")
    assert float(root.get_attribute("data-pos")) == pytest.approx(pos + 5, abs=0.1)


def check_toggles(root) -> None:
    """Click every toggle button not yet selected; the key and the picture must change."""
    root.scroll_into_view_if_needed()
    assert root.get_attribute("data-ready") == "1", "the toggle script did not run"
    buttons = root.locator("button[data-g]:not(.vc-box)")
    assert buttons.count() >= 2
    for i in range(buttons.count()):
        button = buttons.nth(i)
        if "vc-on" in (button.get_attribute("class") or ""):
            continue
        key, before = root.get_attribute("data-key"), shot(root)
        button.click()
        assert root.get_attribute("data-key") != key
        assert "vc-on" in button.get_attribute("class")
        visible = root.locator("[data-show]:visible, .vc-missing:visible")
        assert visible.count() >= 1, "nothing is shown for the selected key"
        assert changed(before, shot(root)) > 0.005, f"clicking {button.inner_text()!r} changed nothing"


# -- (a) standalone page ---------------------------------------------------------------------

def scene(h: int, w: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 / w, y * 255 / h, 128 + 100 * np.sin((x * (seed + 1) + y) / 4)], axis=-1)
    return np.clip(img + rng.normal(0, 10, img.shape), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def standalone(tmp_path_factory) -> Path:
    hr = scene(96, 96, 0)
    lr = hr[::4, ::4].copy()
    bic, sr = scene(96, 96, 1), scene(96, 96, 2)
    items = [
        C.swipe(bic, sr, labels=("bicubic", "VDSR"), captions=((30.0, 0.9), (32.0, 0.93)), magnify=3),
        C.swipe(lr, hr, labels=("LR", "HR")),
        C.zoom_grid({"LR": lr, "bicubic": bic, "VDSR": sr, "HR": hr},
                    [(0, 0, 24, 24), (40, 40, 24, 24), (64, 8, 32, 32)]),
        C.picker({(s, d, r): scene(48, 48, 10 * s + d + r) for s in (2, 3, 4) for d in (5, 20)
                  for r in (True, False) if not (s == 4 and d == 5)},
                 axes=("scale", "depth", "residual"), reference=scene(48, 48, 0)),
    ]
    path = tmp_path_factory.mktemp("compare") / "compare.html"
    path.write_text(C.page(*items), encoding="utf-8")
    return path


def test_standalone_swipe(browser, standalone):
    p = Page(browser, standalone.as_uri())
    try:
        roots = p.page.locator(".vc-swipe")
        assert roots.count() == 2
        for i in range(2):
            check_swipe(p.page, roots.nth(i))
        assert not p.errors and not p.offsite
    finally:
        p.close()


def test_standalone_zoom_and_picker(browser, standalone):
    p = Page(browser, standalone.as_uri())
    try:
        zoom = p.page.locator(".vc-zoom").first
        check_toggles(zoom)
        zoom.locator("button.vc-box").first.click()  # the boxes on the map select too
        assert zoom.get_attribute("data-key") == "0"
        picker = p.page.locator(".vc-picker").first
        check_toggles(picker)
        # scale 4 with depth 5 was never computed: the note shows instead of an image
        for axis, label in (("0", "4"), ("1", "5")):
            picker.locator(f'button[data-g="{axis}"]', has_text=label).click()
        assert picker.locator(".vc-missing").is_visible()
        assert picker.locator("img[data-show]:visible").count() == 0
        assert not p.errors and not p.offsite
    finally:
        p.close()


# -- (b) the built book ----------------------------------------------------------------------

def book_pages() -> list[Path]:
    if not (BOOK / "index.html").is_file():
        return []
    return sorted(p for p in BOOK.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


def pages_with(marker: str) -> list[Path]:
    return [p for p in book_pages() if marker in p.read_text(encoding="utf-8", errors="replace")]


@pytest.mark.built_book
def test_book_comparisons(browser):
    if not book_pages():
        pytest.skip(f"no built book at {BOOK}: run `make book` first")
    pages = pages_with('class="vdsr-cmp')
    if not pages:
        pytest.skip("the built book has no vdsr_lib.compare outputs yet")
    for path in pages:
        p = Page(browser, path.as_uri())
        try:
            for i in range(p.page.locator(".vc-swipe").count()):
                check_swipe(p.page, p.page.locator(".vc-swipe").nth(i))
            for kind in (".vc-zoom", ".vc-picker"):
                for i in range(p.page.locator(kind).count()):
                    check_toggles(p.page.locator(kind).nth(i))
            assert not p.offsite, f"{path.name} tried to reach the network: {p.offsite[:3]}"
        finally:
            p.close()


@pytest.mark.built_book
def test_book_draws_no_dead_controls(browser):
    """No page draws a widget view (its controls would run no Python there); chapter 9 links to
    the in-browser page (chapter 11) where JupyterLab shows its upload panel."""
    if not book_pages():
        pytest.skip(f"no built book at {BOOK}: run `make book` first")
    drawn = [p.name for p in pages_with('type="application/vnd.jupyter.widget-view+json"')]
    assert not drawn, f"pages with widget views (dead controls in a static page): {drawn}"
    ch9 = [p for p in book_pages() if p.name.startswith("09_")]
    if not ch9:
        pytest.skip("the built book has no chapter 9")
    p = Page(browser, ch9[0].as_uri())
    try:
        p.page.wait_for_timeout(500)
        link = p.page.locator('.cell_output a[href="11_browser.html"]')
        assert link.count() == 1 and link.is_visible(), "chapter 9 shows no link to the in-browser page"
        controls = ".cell_output button:not(.copybtn), .cell_output input"  # (copy buttons work)
        assert p.page.locator(controls).count() == p.page.locator(".cell_output .vdsr-cmp button").count(), \
            "controls outside the comparisons"
    finally:
        p.close()


# sphinx-book-theme declares THEBE_JS_URL twice; pydata-sphinx-theme logs an error for a first
# visit (no stored light/dark mode): both upstream, not ours
THEME_ERRORS = ("THEBE_JS_URL", "Got invalid theme mode")


@pytest.mark.built_book
def test_book_pages_log_no_errors(browser):
    """No uncaught error and no console error on any chapter page or the preface, served over http
    as a reader gets them (chapter 11's worker needs http), but the theme's own."""
    import functools
    import http.server
    import threading

    pages = [p for p in book_pages() if p.parent.name == "book" or p.name == "index.html"]
    if not pages:
        pytest.skip(f"no built book at {BOOK}: run `make book` first")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(BOOK)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"

    class Served(Page):
        ALLOWED = Page.ALLOWED + (base,)

        def ready_before_load(self) -> None:  # console errors from the first line of the page on
            self.console: list[str] = []
            self.page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)

    found = []
    try:
        for path in pages:
            p = Served(browser, base + path.relative_to(BOOK).as_posix())
            try:
                p.page.wait_for_timeout(800)
                errors = [e for e in p.errors + p.console if not any(t in e for t in THEME_ERRORS)]
                found += [(path.name, e[:120]) for e in errors]
            finally:
                p.close()
    finally:
        server.shutdown()
    assert not found, f"{len(found)} errors (page, message): {found[:6]}"


@pytest.mark.built_book
def test_book_math_renders_offline(browser):
    """Equations are typeset by the MathJax copy shipped with the book (no CDN)."""
    if not book_pages():
        pytest.skip(f"no built book at {BOOK}: run `make book` first")
    pages = [p for p in pages_with("tex-mml-chtml.js") if "\\(" in p.read_text(encoding="utf-8")]
    if not pages:
        pytest.skip("no page of the built book has math")
    for path in pages[:3]:
        p = Page(browser, path.as_uri())
        try:
            p.page.wait_for_selector("mjx-container", state="attached", timeout=15_000)
            p.page.wait_for_timeout(500)  # fonts
            assert not p.offsite, f"{path.name}: MathJax from the network: {p.offsite[:3]}"
            missing = [u for u in p.failed if u.startswith("file:")]
            assert not missing, f"{path.name}: local MathJax files missing: {missing[:3]}"
            # (sphinx-book-theme's own "THEBE_JS_URL has already been declared" is not ours)
            assert not [e for e in p.errors if "mathjax" in e.lower() or "mjx" in e.lower()], p.errors
        finally:
            p.close()


@pytest.mark.built_book
def test_book_figures_fit_the_column(browser):
    """Every figure of a chapter is shown at its natural size: no wider than the text column (a wider
    one is scaled down by the theme and its fonts shrink), measured in the page as a reader sees it."""
    chapters = [p for p in book_pages() if p.parent.name == "book" and p.stem[:2].isdigit()]
    if not chapters:
        pytest.skip(f"no built chapters at {BOOK}: run `make book` first")
    too_wide = []
    for path in chapters:
        p = Page(browser, path.as_uri())
        try:
            p.page.set_viewport_size({"width": 1280, "height": 900})
            p.page.wait_for_load_state("load")
            found = p.page.evaluate("""() => {
                const column = document.querySelector('article.bd-article') || document.querySelector('main');
                const width = column.clientWidth - 2;  // the column's content box, as laid out
                return [...document.querySelectorAll('.cell_output img')]
                    .filter(img => img.complete && img.naturalWidth > width)
                    .map(img => [img.getAttribute('src'), img.naturalWidth, width]);
            }""")
            too_wide += [(path.name, *f) for f in found]
        finally:
            p.close()
    assert not too_wide, f"figures wider than the column (page, image, px, column px): {too_wide[:5]}"


@pytest.mark.built_book
def test_book_code_and_output_do_not_scroll_sideways(browser):
    """In a 1280-px window no code cell and no printed output of a chapter scrolls sideways: lines are at
    most 88 characters (tests/test_built_book.py, book_metrics) and 88 characters fit the column."""
    chapters = [p for p in book_pages() if p.parent.name == "book" and p.stem[:2].isdigit()]
    if not chapters:
        pytest.skip(f"no built chapters at {BOOK}: run `make book` first")
    scrolls = []
    for path in chapters:
        p = Page(browser, path.as_uri())
        try:
            found = p.page.evaluate("""() => [...document.querySelectorAll(
                    '.cell_input pre, .cell_output pre')]
                .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
                .map(pre => pre.textContent.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), ''))""")
            scrolls += [(path.name, line[:60]) for line in found]
        finally:
            p.close()
    assert not scrolls, f"{len(scrolls)} code/output blocks scroll sideways (page, longest line): {scrolls[:5]}"


@pytest.mark.built_book
def test_scorecard_table_reads_at_1280_and_390(browser):
    """The scorecard's Table 0.1 (book/_static/book.css): its caption reads "Table 0.1." (Sphinx's
    automatic "Table 1", which would read like the paper's Table 1, is not shown); at 1280 px its
    verdict column, where the rules are, is at least 240 px wide (the text column's 688 px left it 137), no cell's text runs out of
    its cell, and no contents list lies over the table; at a phone's 390 px each claim is a block of
    labelled cells. The page never scrolls sideways."""
    pages = [p for p in book_pages() if p.name == "00_scorecard.html"]
    if not pages:
        pytest.skip(f"no built scorecard at {BOOK}: run `make book` first")
    wide = Page(browser, pages[0].as_uri(), width=1280)
    try:
        found = wide.page.evaluate("""() => {
            const t = document.querySelector('table#scorecard-table');
            t.scrollIntoView();
            const box = t.getBoundingClientRect();
            const over = [...document.querySelectorAll('.bd-sidebar-secondary')].filter(s => {
                const r = s.getBoundingClientRect();
                return r.height > 0 && r.left < box.right && r.right > box.left && r.top < box.bottom
                    && r.bottom > Math.max(box.top, 0); });
            return {cols: [...t.querySelectorAll('thead th')].map(th => th.getBoundingClientRect().width),
                    spill: [...t.querySelectorAll('td')].filter(c => c.scrollWidth > c.clientWidth + 1)
                        .map(c => c.textContent.slice(0, 40)),
                    covered: over.length, sideways: document.documentElement.scrollWidth - innerWidth,
                    caption: t.querySelector('caption').innerText}; }""")
        assert found["caption"].startswith("Table 0.1. The paper"), found["caption"]
        assert found["cols"][3] >= 240, found["cols"]
        assert not found["spill"] and not found["covered"] and found["sideways"] <= 0, found
    finally:
        wide.close()
    phone = Page(browser, pages[0].as_uri(), width=390)
    try:
        found = phone.page.evaluate("""() => {
            const row = document.querySelector('table#scorecard-table tbody tr');
            const label = (td) => getComputedStyle(td.querySelector('p'), '::before').content;
            return {display: [...row.children].map(td => getComputedStyle(td).display),
                    labels: [...row.children].slice(1).map(label),
                    sideways: document.documentElement.scrollWidth - innerWidth}; }""")
        assert found["display"] == ["block"] * 4 and found["sideways"] <= 0, found
        assert found["labels"] == ['"The paper: "', '"This book: "', '"Verdict: "'], found
    finally:
        phone.close()


# -- figures open full size on a tap (book/_static/figure_zoom.js) ---------------------------

def test_figure_opens_full_size_on_a_tap(browser, tmp_path):
    """At a phone's 390 px a 680-px figure is shown scaled down; a tap opens it at 680 px in an
    overlay that scrolls sideways, Escape closes it; a comparison's images are left alone."""
    static = ROOT / "book" / "_static"
    buf = io.BytesIO()
    Image.fromarray(scene(300, 680, 3)).save(buf, "PNG")
    uri = "data:image/png;base64," + __import__("base64").b64encode(buf.getvalue()).decode()
    (tmp_path / "page.html").write_text(
        f'<!doctype html><html><head><meta name="viewport" content="width=device-width">'
        f'<link rel="stylesheet" href="{(static / "book.css").as_uri()}">'
        f'<style>img{{max-width:100%}}</style></head><body>'
        f'<div class="cell_output"><img id="fig" src="{uri}" alt="a figure"></div>'
        f'<div class="cell_output"><div class="vdsr-cmp"><img id="cmp" src="{uri}"></div></div>'
        f'<script src="{(static / "figure_zoom.js").as_uri()}"></script></body></html>')
    p = Page(browser, (tmp_path / "page.html").as_uri(), width=390)
    try:
        fig = p.page.locator("#fig")
        assert fig.bounding_box()["width"] < 390, "the figure is not scaled down at 390 px"
        p.page.locator("#cmp").click()
        assert p.page.locator(".vdsr-zoom").count() == 0, "a comparison's image opened the overlay"
        fig.click()
        overlay = p.page.locator(".vdsr-zoom")
        assert overlay.count() == 1
        assert overlay.locator("img").bounding_box()["width"] == pytest.approx(680, abs=1)
        assert overlay.evaluate("o => o.scrollWidth > o.clientWidth"), "the overlay does not scroll"
        p.page.keyboard.press("Escape")
        assert p.page.locator(".vdsr-zoom").count() == 0
        fig.focus()
        p.page.keyboard.press("Enter")
        assert p.page.locator(".vdsr-zoom").count() == 1
        p.page.locator(".vdsr-zoom").click(position={"x": 5, "y": 5})
        assert p.page.locator(".vdsr-zoom").count() == 0
        assert not p.errors
    finally:
        p.close()
