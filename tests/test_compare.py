"""Tests for vdsr_lib.compare: the HTML comparisons (sizes, contents, errors) and the live widgets.

The comparisons' behaviour in a real browser is tested in test_browser.py.
"""
from __future__ import annotations

import base64
import io
import re
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from vdsr_lib import compare as C

ROOT = Path(__file__).resolve().parents[1]


def scene(h: int = 96, w: int = 96, seed: int = 0) -> np.ndarray:
    """A small deterministic RGB test image (gradients, stripes and noise)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 / w, y * 255 / h, 128 + 100 * np.sin((x + y) / 5)], axis=-1)
    img += rng.normal(0, 8, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def shrink(img: np.ndarray, s: int) -> np.ndarray:
    return np.asarray(Image.fromarray(img).resize((img.shape[1] // s, img.shape[0] // s), Image.BICUBIC))


def embedded_pngs(html_text: str) -> list[np.ndarray]:
    """Decode every base64 PNG in the HTML."""
    uris = re.findall(r'src="data:image/png;base64,([^"]+)"', html_text)
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(u)))) for u in uris]


def png_bytes(img: np.ndarray, mode: str | None = None) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img, mode).save(buf, "PNG")
    return buf.getvalue()


# -- captions ------------------------------------------------------------------------------

def test_metrics_text():
    assert C.metrics_text(33.6612, 0.92991) == "PSNR 33.66 dB · SSIM 0.9299"
    assert C.metrics_text(psnr=float("inf")) == "PSNR ∞"
    assert C.metrics_text(ssim=0.5) == "SSIM 0.5000"
    assert C._caption_text((30.0, 0.9)) == "PSNR 30.00 dB · SSIM 0.9000"
    assert C._caption_text({"PSNR": 30.0}) == "PSNR 30.00 dB"
    assert C._caption_text("as is") == "as is"
    with pytest.raises(ValueError, match="psnr"):
        C._caption_text({"mse": 3.0})


# -- swipe ---------------------------------------------------------------------------------

def test_swipe_html():
    a, b = scene(seed=1), scene(seed=2)
    out = C.swipe(a, b, labels=("bicubic", "VDSR"), captions=((30.1, 0.8), "best"), magnify=3)
    assert out._repr_html_() == out.html and out.kind == "swipe"
    assert "bicubic" in out.html and "VDSR" in out.html
    assert "PSNR 30.10 dB · SSIM 0.8000" in out.html and "best" in out.html
    assert "vc-px" in out.html  # pixelated magnification
    assert "width:288px" in out.html  # 96 px x 3
    pngs = embedded_pngs(out.html)
    assert len(pngs) == 2
    np.testing.assert_array_equal(pngs[1], a)  # before: on top, clipped
    np.testing.assert_array_equal(pngs[0], b)
    assert out.nbytes < C.MAX_BYTES
    assert "<script>" in out.html and "http" not in out.html.replace("http-equiv", "")  # no CDN
    assert "KB" in repr(out)


def test_swipe_lr_against_hr_is_nearest_neighbour():
    hr = scene(60, 60)
    lr = hr[::3, ::3].copy()
    out = C.swipe(lr, hr, labels=("LR", "HR"), max_side=None)
    before, after = embedded_pngs(out.html)[1], embedded_pngs(out.html)[0]
    assert before.shape == after.shape == hr.shape
    np.testing.assert_array_equal(before, np.repeat(np.repeat(lr, 3, axis=0), 3, axis=1))


def test_swipe_region_crop_and_fit():
    img = scene(300, 400)
    out = C.swipe(img, img, region=(10, 20, 50, 60), max_side=None)
    assert embedded_pngs(out.html)[0].shape == (50, 60, 3)
    out = C.swipe(img, img, max_side=100)  # centre crop
    np.testing.assert_array_equal(embedded_pngs(out.html)[0], img[100:200, 150:250])
    out = C.swipe(img, img, max_side=100, fit="downscale")
    assert embedded_pngs(out.html)[0].shape == (75, 100, 3)


def test_swipe_gray():
    g = scene()[..., 0]
    out = C.swipe(g, g[:, :, None])
    assert embedded_pngs(out.html)[0].ndim == 2


@pytest.mark.parametrize("before, after, match", [
    (scene().astype(np.float32) / 255, scene(), "uint8"),
    (np.zeros((8, 8, 4), np.uint8), scene(8, 8), "H x W x 3"),
    (scene(40, 80), scene(80, 80), "shape of the reference"),
])
def test_swipe_rejects_bad_images(before, after, match):
    with pytest.raises(ValueError, match=match):
        C.swipe(before, after)


def test_swipe_rejects_bad_arguments():
    img = scene()
    with pytest.raises(ValueError, match="does not fit"):
        C.swipe(img, img, region=(90, 0, 20, 20))
    with pytest.raises(ValueError, match="two entries"):
        C.swipe(img, img, captions=("a",))
    with pytest.raises(ValueError, match="fit"):
        C.swipe(img, img, fit="stretch")
    with pytest.raises(ValueError, match="magnify"):
        C.swipe(img, img, magnify=0)


def test_size_limit():
    noisy = np.random.default_rng(0).integers(0, 256, (200, 200, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="max_bytes"):
        C.swipe(noisy, noisy[::-1].copy(), max_side=None)  # ~2 x 160 KB of incompressible PNG
    big = C.swipe(noisy, noisy, max_side=None, max_bytes=None)
    assert big.nbytes > C.MAX_BYTES


# -- zoom grid -----------------------------------------------------------------------------

def test_zoom_grid():
    hr = scene(96, 96)
    lr = shrink(hr, 4)
    images = {"LR": lr, "bicubic": scene(96, 96, 3), "VDSR": scene(96, 96, 4), "HR": hr}
    regions = [(0, 0, 16, 16), (40, 40, 24, 24), (80, 60, 16, 32)]
    out = C.zoom_grid(images, regions, captions={"VDSR": (31.0, 0.9)}, region_labels=["eye", "wing", "tail"])
    crops = embedded_pngs(out.html)
    assert len(crops) == len(images) * len(regions)
    assert [c.shape[:2] for c in crops[:3]] == [(16, 16), (24, 24), (16, 32)]
    np.testing.assert_array_equal(crops[-1], hr[80:96, 60:92])  # HR, third region
    assert out.html.count('data-show="0"') == 4 and out.html.count("hidden>") == 8
    assert out.html.count('class="vc-box"') == 3 and "data:image/jpeg" in out.html  # the map
    assert "wing" in out.html and "PSNR 31.00 dB" in out.html
    assert out.nbytes < C.MAX_BYTES
    assert "data:image/jpeg" not in C.zoom_grid(images, regions, overview="").html


def test_zoom_grid_errors():
    images = {"a": scene(), "b": scene()}
    with pytest.raises(ValueError, match="at least one region"):
        C.zoom_grid(images, [])
    with pytest.raises(ValueError, match="region 2"):
        C.zoom_grid(images, [(0, 0, 8, 8), (90, 90, 10, 10)])
    with pytest.raises(ValueError, match="region labels"):
        C.zoom_grid(images, [(0, 0, 8, 8)], region_labels=["x", "y"])
    with pytest.raises(ValueError, match="unknown images"):
        C.zoom_grid(images, [(0, 0, 8, 8)], captions={"c": "?"})
    with pytest.raises(ValueError, match="overview"):
        C.zoom_grid(images, [(0, 0, 8, 8)], overview="c")


# -- picker --------------------------------------------------------------------------------

def test_picker_flat_and_nested_agree():
    imgs = {(s, d, r): scene(32, 32, seed=10 * s + d + r)
            for s in (2, 3) for d in (5, 20) for r in (True, False)}
    nested = {s: {d: {r: imgs[s, d, r] for r in (True, False)} for d in (5, 20)} for s in (2, 3)}
    flat = C.picker(imgs, axes=("scale", "depth", "residual"), reference=scene(32, 32))
    assert C.picker(nested, axes=("scale", "depth", "residual"), reference=scene(32, 32)).html == flat.html
    assert len(embedded_pngs(flat.html)) == 9
    assert 'data-key="0.0.0"' in flat.html and 'data-show="1.1.1"' in flat.html
    assert ">yes</button>" in flat.html and ">no</button>" in flat.html
    assert "scale 3 · depth 20 · residual no" in flat.html and "ground truth" in flat.html


def test_picker_captions_initial_and_missing():
    res = {("x2", "d20"): scene(32, 32, 1), ("x4", "d5"): scene(32, 32, 2)}  # two of four combinations
    out = C.picker(res, axes=("scale", "depth"), captions={("x4", "d5"): (28.0, 0.8)}, initial=("x4", "d5"))
    assert 'data-key="1.1"' in out.html and "PSNR 28.00 dB" in out.html
    assert "not computed" in out.html
    assert C.picker({"bicubic": scene(16, 16), "VDSR": scene(16, 16, 1)}).html.count("<button") == 2


def test_picker_errors():
    with pytest.raises(ValueError, match="same number"):
        C.picker({(1, 2): scene(), (1,): scene()})
    with pytest.raises(ValueError, match="axis names"):
        C.picker({(1, 2): scene()}, axes=("scale",))
    with pytest.raises(ValueError, match="initial"):
        C.picker({(1, 2): scene()}, initial=(2, 2))
    with pytest.raises(ValueError, match="no result"):
        C.picker({(1, 2): scene()}, captions={(3, 3): "x"})
    with pytest.raises(ValueError, match="at least one"):
        C.picker({})


def test_page_and_save(tmp_path):
    out = C.swipe(scene(), scene(seed=1))
    doc = C.page(out, "<p>note</p>", title="T")
    assert doc.startswith("<!DOCTYPE html>") and "<p>note</p>" in doc and out.html in doc
    path = out.save(tmp_path / "s.html")
    assert path.read_text(encoding="utf-8").count("vc-swipe") >= 1


# -- reading uploads -----------------------------------------------------------------------

def test_read_image_formats():
    rgb = scene(20, 30)
    np.testing.assert_array_equal(C.read_image(png_bytes(rgb)), rgb)
    gray = C.read_image(png_bytes(rgb[..., 0]))
    assert gray.shape == (20, 30, 3) and gray.dtype == np.uint8
    rgba = np.dstack([rgb, np.zeros((20, 30), np.uint8)])  # fully transparent -> white
    assert (C.read_image(png_bytes(rgba)) == 255).all()
    deep = (rgb[..., 0].astype(np.uint16) * 257)
    buf = io.BytesIO()
    Image.fromarray(deep).save(buf, "PNG")
    np.testing.assert_array_equal(C.read_image(buf.getvalue())[..., 0], rgb[..., 0])


@pytest.mark.parametrize("data, match", [
    (b"", "empty"),
    (b"this is a text file, not an image", "not an image file"),
    (png_bytes(scene(20, 30))[:60], "not an image file"),  # truncated PNG
])
def test_read_image_rejects(data, match):
    with pytest.raises(ValueError, match=match):
        C.read_image(data, "notes.txt")


def test_read_image_pixel_limit():
    with pytest.raises(ValueError, match="megapixels"):
        C.read_image(png_bytes(scene(100, 100)), max_pixels=5000)


# -- live widgets --------------------------------------------------------------------------

def bicubic_upscale(image, scale, progress=None):
    """Stand-in for the real upscaler: PIL bicubic, reporting progress in 4 steps."""
    if image.ndim != 3:
        raise ValueError("expects RGB")
    for i in range(4):
        if progress:
            progress(i + 1, 4)
    h, w = image.shape[:2]
    return np.asarray(Image.fromarray(image).resize((w * scale, h * scale), Image.BICUBIC))


def test_upload_panel_happy_path():
    panel = C.upload_widget(bicubic_upscale, scales=(2, 3))
    assert panel.button.disabled
    assert panel.load("photo.png", png_bytes(scene(30, 40)))
    assert not panel.button.disabled and "40 x 30" in panel.status.value
    out = panel.run(3)
    assert out.shape == (90, 120, 3) and panel.result is out
    assert panel.progress.value == 1.0 and panel.progress.bar_style == "success"
    assert "120 x 90" in panel.status.value
    assert len(repr(panel)) <= 110 and "live Jupyter only" in repr(panel)



def test_live_widgets_give_a_static_page_html_instead_of_controls():
    """A live front-end draws the widget view; the built book shows the text/html fallback."""
    link = '<p>Use <a href="11_browser.html">the in-browser page</a>.</p>'
    bundle = C.upload_widget(bicubic_upscale, static_html=link)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and bundle["text/html"] == link
    plain = C.upload_widget(bicubic_upscale)._repr_mimebundle_()["text/html"]
    assert plain.startswith('<p class="vdsr-live-static">Upload panel (live Jupyter only)')
    zoom = C.zoom_live({"HR": scene(32, 32)}, size=8)._repr_mimebundle_()
    assert "live Jupyter only" in zoom["text/html"] and "<button" not in zoom["text/html"]


def test_book_ranks_html_above_widget_views():
    """The built book draws no widget view (nothing would run its controls): _config.yml ranks
    widget views out of the HTML builder's mime priority."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    overrides = config["sphinx"]["config"].get("nb_mime_priority_overrides") or []
    assert ["html", "application/vnd.jupyter.widget-view+json", None] in overrides


def test_upload_panel_file_upload_value():
    panel = C.upload_widget(bicubic_upscale)
    data = png_bytes(scene(12, 12))
    panel.upload.value = ({"name": "a.png", "type": "image/png", "size": len(data),
                           "content": memoryview(data), "last_modified": datetime.now(timezone.utc)},)
    assert panel.image is not None and panel.image.shape == (12, 12, 3)


def test_upload_panel_errors():
    panel = C.upload_widget(bicubic_upscale)
    assert panel.run() is None and "Upload an image first" in panel.status.value
    assert not panel.load("notes.txt", b"hello")
    assert "not an image file" in panel.status.value and panel.button.disabled

    def refuses(image, scale, progress=None):
        raise ValueError("this model was trained for x2 only")
    panel = C.upload_widget(refuses)
    panel.load("a.png", png_bytes(scene(10, 10)))
    assert panel.run(4) is None
    assert "trained for x2 only" in panel.status.value and panel.progress.bar_style == "danger"
    assert not panel.button.disabled  # ready for another try

    panel = C.upload_widget(lambda image, scale, progress=None: image)  # wrong output size
    panel.load("a.png", png_bytes(scene(10, 10)))
    assert panel.run(2) is None and "expected uint8" in panel.status.value

    panel = C.upload_widget(bicubic_upscale, max_pixels=50)
    assert not panel.load("big.png", png_bytes(scene(10, 10))) and "megapixels" in panel.status.value
    with pytest.raises(TypeError):
        C.upload_widget("not a function")
    with pytest.raises(ValueError):
        C.upload_widget(bicubic_upscale, scales=(0,))


def test_zoom_live_updates():
    hr = scene(64, 64)
    live = C.zoom_live({"LR": shrink(hr, 2), "HR": hr}, size=16)
    assert "live Jupyter only" in repr(live) and len(repr(live)) <= 110
    bundle = live._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and bundle["text/plain"] == repr(live)
    box = live.widget
    sliders = box.children[1].children
    tiles = [col.children[0] for col in box.children[2].children[1:]]
    before = [t.value for t in tiles]
    sliders[0].value = 0
    assert [t.value for t in tiles] != before


# -- no widget manager in the static book ----------------------------------------------------

def test_book_loads_no_widget_manager():
    """No page of the book draws a widget view (see above), so none loads a widget manager:
    myst-nb's default (require.js and the HTML manager from a CDN) would need the network."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["config"].get("nb_ipywidgets_js") == {}


@pytest.mark.built_book  # `make test` runs it after building the book (before, there is no book to measure)
def test_built_book_page_sizes():
    """Pages of the built book stay small (comparisons embed their images in the page)."""
    import os
    book = Path(os.environ.get("VDSR_BOOK_HTML", ROOT / "_build" / "html"))
    pages = sorted(p for p in book.rglob("*.html") if "_static" not in p.parts) if book.is_dir() else []
    if not pages:
        assert not os.environ.get("VDSR_BOOK_HTML"), f"VDSR_BOOK_HTML={book} holds no built pages"
        pytest.skip(f"no built book at {book}")
    limit = int(os.environ.get("VDSR_MAX_PAGE_BYTES", 3_000_000))
    sizes = {p.relative_to(book).as_posix(): p.stat().st_size for p in pages}
    print("\n".join(f"{size / 1000:8.0f} KB  {name}" for name, size in sizes.items()))
    too_big = {n: s for n, s in sizes.items() if s > limit}
    assert not too_big, f"pages over {limit / 1e6:.1f} MB (VDSR_MAX_PAGE_BYTES): {too_big}"
