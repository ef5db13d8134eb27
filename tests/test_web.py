"""Browser tests of the page "Upscale in your browser" (book/11_browser.ipynb, book/_extra/vdsr_web/).

Headless Chromium, driven by Playwright as tests/test_browser.py does, on a small page this file
builds around the page's own scripts (and on the built book's page when ``_build/html`` exists),
served over http from 127.0.0.1 (workers and fetch do not work from file://). Every request that
leaves 127.0.0.1 is refused and recorded. The fixtures are generated here by vdsr_lib:

- the JS numerics (vdsr_core.js) equal vdsr_lib's colour conversion, MATLAB bicubic and tiling;
- window.vdsrWeb.upscale on a photo crop equals vdsr_lib.upscale with the shipped model within
  one grey level on >= 99% of pixels (max difference and PSNR printed);
- a reader's path: choose a file, press Upscale, get the swipe and the download, offline;
- a 50 ms timer keeps ticking while the network runs (the work is in a worker);
- bad files (not an image, truncated, 1x1, a 20,000 x 20,000 PNG header) give a clear message.
"""
from __future__ import annotations

import base64
import functools
import http.server
import io
import math
import os
import re
import struct
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from chromium import LAUNCH_ARGS, OfflinePage, require_chromium

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "book" / "_extra" / "vdsr_web"
BOOK = Path(os.environ.get("VDSR_BOOK_HTML", ROOT / "_build" / "html"))
TIMEOUT_MS = 180_000  # generous: CI shares two cores between everything


sync_api, CHROMIUM = require_chromium("browser tests of the in-browser VDSR page")


# -- serving over http from 127.0.0.1 --------------------------------------------------------

class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript",
                      ".mjs": "text/javascript", ".safetensors": "application/octet-stream"}

    def log_message(self, *args) -> None:  # quiet
        pass


class Server:
    """A threaded static http server for ``root`` on 127.0.0.1 (a free port); ``close()`` stops it."""

    def __init__(self, root: Path) -> None:
        handler = functools.partial(_Handler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)


def png_bytes(image: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "PNG")
    return buf.getvalue()


def photo(h: int, w: int, y: int = 180, x: int = 190) -> np.ndarray:
    """A crop of a real photo (scikit-image's astronaut: face, hair and flag edges)."""
    from skimage import data

    return np.ascontiguousarray(data.astronaut()[y:y + h, x:x + w])


def page_html() -> str:
    """The page as the book has it (see book/11_browser.ipynb): a swipe made by vdsr_lib.compare as
    the template, one bundled sample, the container and the script."""
    from vdsr_lib import compare

    small = photo(32, 32)
    template = compare.swipe(small, small, labels=("bicubic", "VDSR"), max_side=None, magnify=2)
    sample = "data:image/png;base64," + base64.b64encode(png_bytes(small)).decode()
    return ("<!doctype html><html><head><meta charset='utf-8'><title>vdsr web test</title></head>"
            f"<body><div class='vdsr-web-template'>{template._repr_html_()}</div>"
            f"<div class='vdsr-web-samples'><span data-name='astronaut' data-src='{sample}'></span></div>"
            "<div id='vdsr-web'></div><script src='../vdsr_web/vdsr_web.js'></script></body></html>")


page_html.__test__ = False  # a helper, not a test


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("vdsr_web_site")
    (root / "vdsr_web").symlink_to(WEB, target_is_directory=True)
    (root / "book").mkdir()
    (root / "book" / "page.html").write_text(page_html(), encoding="utf-8")
    server = Server(root)
    try:
        yield server.url
    finally:
        server.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


class Page(OfflinePage):
    """A page on which every request outside 127.0.0.1 is refused (and recorded)."""

    ALLOWED = ("http://127.0.0.1:", "data:", "blob:", "about:")

    def __init__(self, browser, url: str) -> None:
        super().__init__(browser, url, width=1200)

    def ready_before_load(self) -> None:
        self.page.set_default_timeout(TIMEOUT_MS)

    def ready(self) -> None:
        self.page.wait_for_function("window.vdsrWeb !== undefined")


@pytest.fixture
def page(browser, site):
    p = Page(browser, site + "book/page.html")
    try:
        yield p
    finally:
        p.close()


# JS helpers evaluated in the page: ImageData from base64 RGBA, and back.
UPSCALE_JS = """async ([b64, w, h, scale, tile]) => {
  const bytes = Uint8ClampedArray.from(atob(b64), (c) => c.charCodeAt(0));
  const out = await window.vdsrWeb.upscale(new ImageData(bytes, w, h), scale, {tile});
  let s = ''; for (let i = 0; i < out.data.length; i += 8192)
    s += String.fromCharCode(...out.data.subarray(i, i + 8192));
  return [btoa(s), out.width, out.height];
}"""


def browser_upscale(page, image: np.ndarray, scale: int, tile: int | None = 256) -> np.ndarray:
    h, w = image.shape[:2]
    rgba = np.concatenate([image, np.full((h, w, 1), 255, np.uint8)], axis=2)
    b64, ow, oh = page.evaluate(UPSCALE_JS, [base64.b64encode(rgba.tobytes()).decode(), w, h,
                                             scale, tile])
    out = np.frombuffer(base64.b64decode(b64), np.uint8).reshape(oh, ow, 4)
    assert (out[..., 3] == 255).all(), "alpha must be 255"
    return out[..., :3]


def agreement(a: np.ndarray, b: np.ndarray) -> dict:
    d = np.abs(a.astype(int) - b.astype(int))
    mse = float(((a.astype(float) - b.astype(float)) ** 2).mean())
    return {"max": int(d.max()), "within1": float((d <= 1).mean()),
            "psnr": math.inf if mse == 0 else 10 * math.log10(255 ** 2 / mse)}


# -- 1. the numerics, against vdsr_lib -------------------------------------------------------

CORE_JS = """([rgbB64, h, w, outs]) => {
  const C = window.vdsrCore, rgb = Uint8Array.from(atob(rgbB64), (c) => c.charCodeAt(0));
  const rgba = new Uint8ClampedArray(h * w * 4);
  for (let p = 0; p < h * w; p++) { rgba.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p); rgba[4 * p + 3] = 255; }
  const planes = C.rgb2ycbcr(rgba, w, h);
  const big = outs.map(([oh, ow]) => Array.from(C.imresize(planes[0], h, w, oh, ow)));
  const back = Array.from(C.ycbcr2rgba(planes, w, h));
  return {ycc: planes.map((p) => Array.from(p)), big, back,
          tiles: C.tiles(70, 45, 32, 24).map((t) => [t.y0, t.x0, t.y1, t.x1, t.a0, t.b0, t.a1, t.b1])};
}"""


def test_core_numerics_match_vdsr_lib(page):
    from vdsr_lib.color import rgb2ycbcr, ycbcr2rgb
    from vdsr_lib.imresize import imresize

    page.page.add_script_tag(url="../vdsr_web/vdsr_core.js")
    rng = np.random.default_rng(0)
    h, w = 13, 11
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    outs = [(h * s, w * s) for s in (2, 3, 4)]
    got = page.page.evaluate(CORE_JS, [base64.b64encode(rgb.tobytes()).decode(), h, w, outs])
    ycc = rgb2ycbcr(rgb).astype(np.float32)
    np.testing.assert_array_equal(np.array(got["ycc"], np.float32), ycc.transpose(2, 0, 1).reshape(3, -1))
    for shape, big in zip(outs, got["big"]):
        want = imresize(ycc[..., 0], output_shape=shape).astype(np.float32).ravel()
        np.testing.assert_allclose(np.array(big, np.float32), want, rtol=0, atol=2e-7)
    back = np.array(got["back"], np.uint8).reshape(h, w, 4)
    want = np.clip(np.floor(ycbcr2rgb(ycc) * 255 + 0.5), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(back[..., :3], want)
    # predict_y's tiles for a 70 x 45 plane, tile 32, overlap 24
    tiles = []
    for y0 in range(0, 70, 32):
        for x0 in range(0, 45, 32):
            y1, x1 = min(y0 + 32, 70), min(x0 + 32, 45)
            tiles.append([y0, x0, y1, x1, max(y0 - 24, 0), max(x0 - 24, 0), min(y1 + 24, 70),
                          min(x1 + 24, 45)])
    assert got["tiles"] == tiles
    assert not page.errors


# -- 2. the whole pipeline, against vdsr_lib.upscale -----------------------------------------

@pytest.fixture(scope="module")
def model():
    from vdsr_lib.pretrained import load_pretrained

    return load_pretrained()


@pytest.mark.parametrize("scale, tile", [(2, 256), (3, 64)], ids=["x2-one-tile", "x3-tiled"])
def test_upscale_agrees_with_vdsr_lib(page, model, scale, tile, record_property):
    from vdsr_lib.inference import upscale

    crop = photo(48, 48)
    got = browser_upscale(page.page, crop, scale, tile)
    want = upscale(crop, scale, model=model)
    assert got.shape == want.shape
    stats = agreement(got, want)
    record_property("agreement", stats)
    print(f"\nx{scale} tile {tile}: max diff {stats['max']}, within one grey level "
          f"{stats['within1']:.4%}, PSNR browser vs Python {stats['psnr']:.1f} dB")
    assert stats["within1"] >= 0.99, stats
    assert not page.errors and not page.offsite


# -- 3. a reader's path, offline -------------------------------------------------------------

def test_reader_upscales_a_file_offline(page, model):
    from vdsr_lib.inference import upscale

    crop = photo(40, 40, 100, 220)
    p = page.page
    p.wait_for_function("document.getElementById('vdsr-web-status').textContent.includes('loaded')")
    p.set_input_files("#vdsr-web-file", files=[{"name": "crop.png", "mimeType": "image/png",
                                                "buffer": png_bytes(crop)}])
    p.wait_for_function("!document.getElementById('vdsr-web-go').disabled")
    assert "expect about" in p.inner_text("#vdsr-web-status")
    p.select_option("#vdsr-web-scale", "2")
    p.click("#vdsr-web-go")
    p.wait_for_selector("#vdsr-web-download")
    swipe = p.locator("#vdsr-web-result .vc-swipe")
    assert swipe.count() == 1 and swipe.get_attribute("data-ready") == "1", "the swipe did not start"
    assert p.get_attribute("#vdsr-web-download", "download") == "crop_x2.png"
    assert "Done in" in p.inner_text("#vdsr-web-status")
    assert not p.is_disabled("#vdsr-web-go"), "the button stays usable after a run"
    b64 = p.evaluate("""async () => {
      const b = new Uint8Array(await (await fetch(document.getElementById('vdsr-web-download').href)).arrayBuffer());
      let s = ''; for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
      return btoa(s); }""")
    got = np.asarray(Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB"))
    stats = agreement(got, upscale(crop, 2, model=model))
    assert stats["within1"] >= 0.99, stats
    # the sample button works too
    p.click("button:has-text('astronaut')")
    p.wait_for_function("document.getElementById('vdsr-web-status').textContent.includes('astronaut')")
    assert not page.errors, page.errors
    assert not page.offsite, f"the page tried to reach the network: {page.offsite[:3]}"


# -- 4. the page stays alive -----------------------------------------------------------------

TIMER_JS = """async ([w, h]) => {
  await window.vdsrWeb.ready();
  const img = new ImageData(w, h);
  for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37) % 251;
  const ticks = []; const timer = setInterval(() => ticks.push(performance.now()), 50);
  const t0 = performance.now();
  await window.vdsrWeb.upscale(img, 2, {tile: 64});
  const t1 = performance.now(); clearInterval(timer);
  const inside = ticks.filter((t) => t >= t0 && t <= t1);
  const gaps = [t0].concat(inside, [t1]).slice(1).map((t, i, a) => t - ([t0].concat(inside)[i]));
  return {elapsed: t1 - t0, ticks: inside.length, maxGap: Math.max(...gaps)};
}"""


def test_timer_keeps_ticking_while_the_network_runs(page):
    r = page.page.evaluate(TIMER_JS, [96, 96])
    print(f"\nrun {r['elapsed']:.0f} ms, {r['ticks']} ticks of 50 ms, longest gap {r['maxGap']:.0f} ms")
    # A frozen page would tick never (one gap as long as the run); a live one ticks all along.
    assert r["ticks"] >= 5, r
    assert r["maxGap"] < r["elapsed"] / 2, r


# -- 5. bad input ----------------------------------------------------------------------------

def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png_header(side: int = 20_000) -> bytes:
    """A valid-looking PNG that says it is side x side RGB (its data is a few bytes)."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) +
            _chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + _chunk(b"IEND", b""))


BAD = {
    "not-an-image": (b"this is a text file, not a picture\n" * 20, "not an image file"),
    "truncated": (png_bytes(photo(64, 64))[:1500], "truncated"),
    "one-pixel": (png_bytes(np.zeros((1, 1, 3), np.uint8)), "too small"),
    "huge": (huge_png_header(), "megapixels"),
    "empty": (b"", "empty"),
}


def test_bad_inputs_give_a_clear_message(page):
    p = page.page
    p.wait_for_function("document.getElementById('vdsr-web-status').textContent.includes('loaded')")
    for name, (data, words) in BAD.items():
        p.set_input_files("#vdsr-web-file", files=[{"name": f"{name}.png", "mimeType": "image/png",
                                                    "buffer": data}])
        p.wait_for_function(f"""() => {{ const s = document.getElementById('vdsr-web-status');
            return s.classList.contains('vdsr-web-error') && s.textContent.includes({words!r}); }}""")
        assert p.is_disabled("#vdsr-web-go"), name
        assert p.evaluate("1 + 1") == 2  # the tab still answers
    # the API refuses too, with the same kind of message
    msg = p.evaluate("""() => window.vdsrWeb.upscale(new ImageData(1, 1), 2).then(
        () => 'resolved', (e) => e.message)""")
    assert "too small" in msg
    msg = p.evaluate("""() => window.vdsrWeb.upscale(new ImageData(900, 900), 4).then(
        () => 'resolved', (e) => e.message)""")
    assert "megapixels" in msg and "limit" in msg
    assert not page.errors, page.errors


def test_the_book_states_the_limits_the_page_enforces(page):
    """Chapters 9 and 11 state the page's limits from vdsr_lib.web.page_settings: they must be
    the ones the page refuses beyond."""
    from vdsr_lib.web import page_settings

    s = page_settings(WEB / "vdsr_web.js")
    p = page.page
    assert p.evaluate("window.vdsrWeb.limits") == {k: s[k] for k in
                                                   ("inputPixels", "outputPixels", "fileBytes")}
    problem = "([w, h, s]) => window.vdsrWeb.sizeProblem(w, h, s)"
    side = math.isqrt(int(min(s["inputPixels"], s["outputPixels"] / 4)))  # fits, x2
    assert p.evaluate(problem, [side, side, 2]) is None
    wide = int(s["inputPixels"]) // side + 1                               # one row too many
    assert "the limit here is" in p.evaluate(problem, [side, wide, 2])
    scale = next(k for k in (3, 4) if side * side * k * k > s["outputPixels"])
    assert p.evaluate(problem, [side, side, scale]).startswith(f"x{scale} would make")


# -- 6. the built book's page ----------------------------------------------------------------

@pytest.mark.built_book
def test_built_book_page_works_offline(browser):
    html = BOOK / "book" / "11_browser.html"
    if not html.is_file():
        pytest.skip(f"no built page at {html}: run `make book` first")
    for need in ("vdsr_web/vdsr_web.js", "vdsr_web/vdsr20_x234.safetensors",
                 "vdsr_web/tfjs/tfjs-backend-wasm-simd.wasm"):
        assert (BOOK / need).is_file(), f"the built book lacks {need} (html_extra_path?)"
    server = Server(BOOK)
    try:
        p = Page(browser, server.url + "book/11_browser.html")
        try:
            p.page.wait_for_function(
                "document.getElementById('vdsr-web-status').textContent.includes('loaded')")
            p.page.locator(".vw-samples button").first.click()
            p.page.wait_for_function("!document.getElementById('vdsr-web-go').disabled")
            p.page.click("#vdsr-web-go")
            p.page.wait_for_selector("#vdsr-web-download")
            assert p.page.locator("#vdsr-web-result .vc-swipe[data-ready='1']").count() == 1
            assert not p.offsite, f"the page tried to reach the network: {p.offsite[:3]}"
        finally:
            p.close()
    finally:
        server.close()


def test_bench_script_uses_only_helpers_defined_here():
    """scripts/bench_web.py borrows this module's server, page and helpers (as ``T``): a rename here
    must not break it silently (``test_page_html`` once did)."""
    used = set(re.findall(r"\bT\.(\w+)", (ROOT / "scripts" / "bench_web.py").read_text()))
    assert used and not sorted(n for n in used if n not in globals())
