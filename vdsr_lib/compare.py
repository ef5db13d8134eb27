"""Interactive before/after comparisons that work in JupyterLab *and* in the static book.

:func:`swipe`, :func:`zoom_grid` and :func:`picker` return a :class:`Comparison`: one piece of
self-contained HTML (inline CSS, a few lines of inline JavaScript, images embedded as base64 PNG).
Jupyter shows it through ``_repr_html_``; the built book copies it into the page. Nothing needs a
kernel, a CDN or ipywidgets, so it behaves the same in a live notebook and in the static HTML.
Every output is size-checked (``max_bytes``, 300 KB by default): crop with ``region`` or lower
``max_side`` when the check says so.

:func:`upload_widget` and :func:`zoom_live` are ipywidgets that run Python on every change: they
need a live kernel. The static book draws no controls for them: it shows their HTML fallback, a
note that says so (see :class:`LiveWidget`).

Images are numpy ``uint8`` arrays, H x W (gray) or H x W x 3 (RGB). Images of different sizes
(a low-resolution input next to its upscaled results) are put on the grid of the largest one by
nearest-neighbour magnification, so the pixels of the small image show as blocks; regions
``(y, x, h, w)`` are given in the largest image's pixels.
"""
from __future__ import annotations

import base64
import html
import io
import math
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .datasets import pil_to_array

__all__ = ["MAX_BYTES", "Comparison", "metrics_text", "swipe", "zoom_grid", "picker", "page",
           "read_image", "LiveWidget", "UploadPanel", "upload_widget", "zoom_live"]

#: Default size limit of one comparison's HTML, in bytes (base64 images included).
MAX_BYTES = 300_000

# --------------------------------------------------------------------------------------------
# Output object


class Comparison:
    """Self-contained HTML that Jupyter and the built book display as is.

    ``html`` is the markup (style, content and script); ``kind`` names the function that made it.
    """

    def __init__(self, html_text: str, kind: str) -> None:
        self.html = html_text
        self.kind = kind

    @property
    def nbytes(self) -> int:
        """Size of the HTML in bytes (what a notebook output or a book page grows by)."""
        return len(self.html.encode("utf-8"))

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        # Jupyter's text/plain fallback: shown where HTML is not rendered.
        return (f"<{self.kind} comparison, {self.nbytes / 1000:.0f} KB: interactive in JupyterLab "
                "and in the built book>")

    def save(self, path: str | Path, title: str = "VDSR comparison") -> Path:
        """Write a standalone HTML page with this comparison; returns the path."""
        path = Path(path)
        path.write_text(page(self, title=title), encoding="utf-8")
        return path


def page(*items: Comparison | str, title: str = "VDSR comparisons") -> str:
    """A complete standalone HTML document holding ``items`` (comparisons or raw HTML)."""
    body = "\n".join(f'<section class="vc-item">{_html_of(item)}</section>' for item in items)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1100px}"
            "section.vc-item{margin:0 0 32px}</style></head>\n"
            f"<body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n")


def _html_of(item: Comparison | str) -> str:
    return item.html if isinstance(item, Comparison) else str(item)


# --------------------------------------------------------------------------------------------
# Captions


def metrics_text(psnr: float | None = None, ssim: float | None = None) -> str:
    """``"PSNR 33.66 dB · SSIM 0.9299"`` (either part may be left out)."""
    parts = []
    if psnr is not None:
        parts.append("PSNR ∞" if math.isinf(psnr) else f"PSNR {psnr:.2f} dB")
    if ssim is not None:
        parts.append(f"SSIM {ssim:.4f}")
    return " · ".join(parts)


def _caption_text(caption: str | tuple[float, float] | Mapping[str, float] | None) -> str:
    """A caption given as text, as ``(psnr, ssim)`` or as ``{"psnr": .., "ssim": ..}``."""
    if caption is None:
        return ""
    if isinstance(caption, str):
        return caption
    if isinstance(caption, Mapping):
        lower = {str(k).lower(): v for k, v in caption.items()}
        unknown = set(lower) - {"psnr", "ssim"}
        if unknown:
            raise ValueError(f"caption keys must be 'psnr' and/or 'ssim', got {sorted(unknown)}")
        return metrics_text(lower.get("psnr"), lower.get("ssim"))
    if isinstance(caption, Sequence) and len(caption) == 2:
        return metrics_text(*caption)
    raise ValueError(f"a caption is a string, a (psnr, ssim) pair or a dict, got {caption!r}")


# --------------------------------------------------------------------------------------------
# Image preparation


def _check_image(image: np.ndarray, name: str) -> np.ndarray:
    """Validate a uint8 H x W or H x W x 3 array (H x W x 1 is squeezed)."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError(f"{name}: expected a uint8 image, got dtype {image.dtype} "
                         "(convert floats in [0, 1] with (x * 255).round().astype(np.uint8))")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ValueError(f"{name}: expected H x W (gray) or H x W x 3 (RGB), got shape {image.shape}")
    if min(image.shape[:2]) < 1:
        raise ValueError(f"{name}: the image is empty, shape {image.shape}")
    return image


def _largest(images: Mapping[str, np.ndarray]) -> str:
    """Name of the largest image (the last one if several tie: usually the ground truth)."""
    best = max(a.shape[0] * a.shape[1] for a in images.values())
    return [k for k, a in images.items() if a.shape[0] * a.shape[1] == best][-1]


def _check_region(region: Sequence[int], shape: tuple[int, ...],
                  name: str = "region") -> tuple[int, int, int, int]:
    if len(region) != 4:
        raise ValueError(f"{name} must be (y, x, h, w), got {region!r}")
    y, x, h, w = (int(v) for v in region)
    height, width = shape[:2]
    if h < 1 or w < 1 or y < 0 or x < 0 or y + h > height or x + w > width:
        raise ValueError(f"{name} (y={y}, x={x}, h={h}, w={w}) does not fit in the "
                         f"{height} x {width} reference image")
    return y, x, h, w


def _check_aspect(size: tuple[int, ...], shape: tuple[int, ...], name: str) -> None:
    """Raise unless an image of ``size`` is ``shape`` or a reduced copy of it (same aspect)."""
    h, w = size[:2]
    if h > shape[0] or w > shape[1] or abs(h / shape[0] - w / shape[1]) > 2.0 / min(h, w):
        raise ValueError(f"{name} ({h} x {w}) does not have the shape of the reference image "
                         f"({shape[0]} x {shape[1]}) or of a reduced copy of it")


def _on_grid(image: np.ndarray, shape: tuple[int, int], name: str) -> np.ndarray:
    """Magnify ``image`` to ``shape`` by nearest neighbour (identity when the sizes agree)."""
    h, w = image.shape[:2]
    if (h, w) == shape:
        return image
    _check_aspect((h, w), shape, name)
    rows = np.minimum(((np.arange(shape[0]) + 0.5) * h / shape[0]).astype(int), h - 1)
    cols = np.minimum(((np.arange(shape[1]) + 0.5) * w / shape[1]).astype(int), w - 1)
    return image[rows][:, cols]


def _align(images: Mapping[str, np.ndarray], region: Sequence[int] | None, max_side: int | None,
           fit: str) -> tuple[dict[str, np.ndarray], tuple[int, int, int, int]]:
    """Put images on the largest one's grid, crop ``region``, then fit into ``max_side``.

    Returns the prepared images and the region actually shown (reference coordinates).
    """
    if not images:
        raise ValueError("no images given")
    if fit not in ("crop", "downscale"):
        raise ValueError(f"fit must be 'crop' or 'downscale', got {fit!r}")
    checked = {name: _check_image(img, name) for name, img in images.items()}
    ref = checked[_largest(checked)].shape[:2]
    y, x, h, w = _check_region(region, ref) if region is not None else (0, 0, *ref)
    if max_side is not None and max(h, w) > max_side and fit == "crop":
        # centre crop inside the region
        y, x = y + max(0, (h - max_side) // 2), x + max(0, (w - max_side) // 2)
        h, w = min(h, max_side), min(w, max_side)
    out = {}
    for name, img in checked.items():
        crop = _on_grid(img, ref, name)[y:y + h, x:x + w]
        if max_side is not None and max(h, w) > max_side and fit == "downscale":
            scale = max_side / max(h, w)
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            crop = np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.LANCZOS))
        out[name] = np.ascontiguousarray(crop)
    return out, (y, x, h, w)


def _data_uri(image: np.ndarray, fmt: str = "PNG") -> str:
    buf = io.BytesIO()
    if fmt == "PNG":
        Image.fromarray(image).save(buf, "PNG", optimize=True)
    else:
        Image.fromarray(image).save(buf, "JPEG", quality=85)
    return f"data:image/{fmt.lower()};base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _magnify(magnify: float | None, side: int, target: int = 320) -> float:
    """Display magnification: as given, or (None) the integer 1..8 that brings ``side`` near ``target``."""
    if magnify is None:
        return float(min(8, max(1, target // max(1, side))))
    if not magnify > 0:
        raise ValueError(f"magnify must be positive, got {magnify}")
    return float(magnify)


def _finish(parts: str, script: str, kind: str, max_bytes: int | None) -> Comparison:
    """Assemble style + markup + script and enforce the size limit."""
    out = Comparison(f"<style>{_CSS}</style>{parts}<script>{script}</script>", kind)
    if max_bytes is not None and out.nbytes > max_bytes:
        raise ValueError(f"the {kind} output would be {out.nbytes / 1000:.0f} KB, over max_bytes = "
                         f"{max_bytes / 1000:.0f} KB: show a smaller crop (region=..., max_side=...), "
                         "fewer images, or raise max_bytes")
    return out


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------------------------
# CSS and JavaScript shared by the comparisons. Everything is scoped under .vdsr-cmp; each
# script finds its own root as the element just before it (document.currentScript), so the same
# comparison can appear twice on a page and no ids are needed.

_CSS = (
    ".vdsr-cmp{font:13px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:.4em 0;"
    "max-width:100%;color:inherit}"
    ".vdsr-cmp [hidden]{display:none!important}"
    # !important: themes style every output image (pydata-sphinx-theme's dark mode adds padding,
    # a white background and a brightness filter), which would shift and tint the comparisons
    ".vdsr-cmp img{max-width:none;margin:0;border:0!important;padding:0!important;"
    "background:none!important;border-radius:0!important;box-shadow:none!important;"
    "filter:none!important;-webkit-user-drag:none;user-select:none}"
    ".vdsr-cmp.vc-px img{image-rendering:crisp-edges;image-rendering:pixelated}"
    ".vdsr-cmp .vc-frame{position:relative;max-width:100%;overflow:hidden;cursor:ew-resize;"
    "touch-action:pan-y;user-select:none;line-height:0;outline-offset:2px}"
    ".vdsr-cmp .vc-frame img{display:block;width:100%;height:auto;pointer-events:none}"
    ".vdsr-cmp .vc-frame img.vc-a{position:absolute;left:0;top:0;height:100%}"
    ".vdsr-cmp .vc-handle{position:absolute;top:0;bottom:0;width:2px;margin-left:-1px;"
    "background:#fff;box-shadow:0 0 0 1px rgba(0,0,0,.45);pointer-events:none}"
    ".vdsr-cmp .vc-knob{position:absolute;top:50%;left:-12px;width:26px;height:26px;margin-top:-13px;"
    "border-radius:50%;background:#fff;color:#222;box-shadow:0 1px 4px rgba(0,0,0,.6);"
    "font:12px/26px sans-serif;text-align:center}"
    ".vdsr-cmp .vc-tag{position:absolute;top:6px;padding:1px 7px;border-radius:3px;line-height:1.5;"
    "background:rgba(0,0,0,.62);color:#fff;font-size:12px;pointer-events:none}"
    ".vdsr-cmp .vc-tag-l{left:6px}.vdsr-cmp .vc-tag-r{right:6px}"
    ".vdsr-cmp .vc-caps{display:flex;justify-content:space-between;gap:1.5em;margin-top:3px}"
    ".vdsr-cmp .vc-caps span:last-child{text-align:right}"
    ".vdsr-cmp .vc-bar{display:flex;flex-wrap:wrap;gap:4px;align-items:center;margin:3px 0}"
    ".vdsr-cmp .vc-axis{min-width:5.5em;font-weight:600}"
    ".vdsr-cmp button{font:inherit;line-height:1.3;margin:0;padding:2px 10px;border:1px solid #8a8a8a;"
    "border-radius:4px;background:transparent;color:inherit;cursor:pointer}"
    ".vdsr-cmp button:hover{border-color:#1f6feb}"
    ".vdsr-cmp button.vc-on{background:#1f6feb;border-color:#1f6feb;color:#fff}"
    ".vdsr-cmp .vc-row{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}"
    ".vdsr-cmp figure{margin:0!important;padding:0!important;text-align:center;max-width:100%}"
    ".vdsr-cmp figure img{display:block;margin:0 auto;max-width:100%;height:auto}"
    ".vdsr-cmp figcaption{font-size:12px;margin-top:2px}"
    ".vdsr-cmp figcaption b{font-weight:600}"
    ".vdsr-cmp .vc-ov{position:relative;display:inline-block;line-height:0}"
    ".vdsr-cmp .vc-ov button.vc-box{position:absolute;padding:0;border:2px solid #ffd400;"
    "border-radius:0;background:transparent;box-shadow:0 0 0 1px rgba(0,0,0,.5)}"
    ".vdsr-cmp .vc-ov button.vc-box.vc-on{border-color:#ff2d55;background:rgba(255,45,85,.18)}"
    ".vdsr-cmp .vc-missing{padding:2em 1em;border:1px dashed #8a8a8a}"
    ".vdsr-cmp .vc-nojs{font-style:italic;opacity:.75}"
)

_ROOT = "document.currentScript&&document.currentScript.previousElementSibling"

_SWIPE_JS = (
    "(function(root){if(!root||root.dataset.ready)return;root.dataset.ready='1';"
    "var f=root.querySelector('.vc-frame'),a=root.querySelector('.vc-a'),"
    "h=root.querySelector('.vc-handle'),n=root.querySelector('.vc-nojs'),pos=50,drag=false;"
    "if(n)n.remove();"
    "function set(p){pos=Math.max(0,Math.min(100,p));a.style.clipPath='inset(0 '+(100-pos)+'% 0 0)';"
    "h.style.left=pos+'%';root.dataset.pos=pos.toFixed(1);f.setAttribute('aria-valuenow',Math.round(pos));}"
    "function at(e){var r=f.getBoundingClientRect();if(r.width>0)set((e.clientX-r.left)/r.width*100);}"
    "f.addEventListener('pointerdown',function(e){drag=true;f.focus();"
    "try{f.setPointerCapture(e.pointerId)}catch(x){}at(e);e.preventDefault();});"
    "f.addEventListener('pointermove',function(e){if(drag)at(e);});"
    "['pointerup','pointercancel','lostpointercapture'].forEach(function(t){"
    "f.addEventListener(t,function(){drag=false;});});"
    "f.addEventListener('keydown',function(e){var d={ArrowLeft:-5,ArrowRight:5,Home:-100,End:100}[e.key];"
    "if(d){set(pos+d);e.preventDefault();}});"
    f"}})({_ROOT});"
)

# Shared by zoom_grid and picker: buttons carry data-g (group) and data-v (value); every element
# with data-show="k" is shown only when the key (the selected values, joined by '.') is k.
_TOGGLE_JS = (
    "(function(root){if(!root||root.dataset.ready)return;root.dataset.ready='1';"
    "var n=root.querySelector('.vc-nojs');if(n)n.remove();"
    "var sel=(root.dataset.key||'').split('.'),btns=root.querySelectorAll('button[data-g]'),"
    "shown=root.querySelectorAll('[data-show]'),miss=root.querySelector('.vc-missing');"
    "function update(){var key=sel.join('.'),hit=false;root.dataset.key=key;"
    "btns.forEach(function(b){var on=sel[+b.dataset.g]===b.dataset.v;b.classList.toggle('vc-on',on);"
    "b.setAttribute('aria-pressed',on?'true':'false');});"
    "shown.forEach(function(el){var s=el.dataset.show===key;el.hidden=!s;hit=hit||s;});"
    "if(miss)miss.hidden=hit;}"
    "btns.forEach(function(b){b.addEventListener('click',function(){"
    "sel[+b.dataset.g]=b.dataset.v;update();});});"
    f"update();}})({_ROOT});"
)

_NOJS = ('<div class="vc-nojs">(Interactive: run the cell, or trust the notebook, to use the '
         'controls.)</div>')


# --------------------------------------------------------------------------------------------
# 1. Swipe


def swipe(before: np.ndarray, after: np.ndarray, labels: tuple[str, str] = ("bicubic", "VDSR"),
          captions: tuple[str | tuple[float, float] | Mapping[str, float] | None,
                          str | tuple[float, float] | Mapping[str, float] | None] | None = None,
          magnify: float | None = 2, pixelated: bool = True, region: Sequence[int] | None = None,
          max_side: int | None = 200, fit: str = "crop", start: float = 50.0,
          max_bytes: int | None = MAX_BYTES) -> Comparison:
    """One image over another with a handle to drag across: ``before`` left, ``after`` right.

    Args:
        before, after: uint8 images. They may differ in size if one is a reduced copy of the other
            (e.g. the LR input against the HR image): the smaller is magnified by nearest neighbour.
        labels: names written on the two sides of the image.
        captions: one per image, shown under it: text, ``(psnr, ssim)`` or ``{"psnr":, "ssim":}``.
        magnify: display size / image size (``None``: an integer that makes the display about
            320 px wide). With ``pixelated`` the magnification is nearest neighbour.
        region: ``(y, x, h, w)`` crop of the larger image to show; ``None`` for all of it.
        max_side: longest side kept; a larger region is centre-cropped (``fit="crop"``) or
            shrunk (``fit="downscale"``). ``None`` keeps everything.
        start: initial handle position, percent from the left.
        max_bytes: raise ``ValueError`` if the output would be larger (``None``: no limit).

    The handle follows a mouse or touch drag; with the image focused, the arrow keys move it.
    """
    if len(labels) != 2:
        raise ValueError(f"labels must be two strings, got {labels!r}")
    caps = ("", "") if captions is None else tuple(_caption_text(c) for c in captions)
    if len(caps) != 2:
        raise ValueError(f"captions must be two entries (one per image), got {captions!r}")
    imgs, _ = _align({"before": before, "after": after}, region, max_side, fit)
    a, b = imgs["before"], imgs["after"]
    h, w = b.shape[:2]
    mag = _magnify(magnify, w)
    pos = min(100.0, max(0.0, float(start)))
    px = " vc-px" if pixelated else ""
    caption_row = ""
    if any(caps):
        caption_row = (f'<div class="vc-caps" style="width:{w * mag:.0f}px;max-width:100%">'
                       f"<span><b>{_e(labels[0])}</b> {_e(caps[0])}</span>"
                       f"<span><b>{_e(labels[1])}</b> {_e(caps[1])}</span></div>")
    markup = (
        f'<div class="vdsr-cmp vc-swipe{px}" data-pos="{pos:.1f}">'
        f'<div class="vc-frame" tabindex="0" role="slider" aria-valuemin="0" aria-valuemax="100" '
        f'aria-valuenow="{pos:.0f}" aria-label="{_e(labels[0])} | {_e(labels[1])}: drag to compare" '
        f'style="width:{w * mag:.0f}px">'
        f'<img class="vc-b" alt="{_e(labels[1])}" width="{w}" height="{h}" src="{_data_uri(b)}">'
        f'<img class="vc-a" alt="{_e(labels[0])}" src="{_data_uri(a)}" '
        f'style="clip-path:inset(0 {100 - pos:g}% 0 0)">'
        f'<div class="vc-handle" style="left:{pos:g}%"><div class="vc-knob">&#x25C2;&#x25B8;</div></div>'
        f'<span class="vc-tag vc-tag-l">{_e(labels[0])}</span>'
        f'<span class="vc-tag vc-tag-r">{_e(labels[1])}</span></div>'
        f"{caption_row}{_NOJS}</div>"
    )
    return _finish(markup, _SWIPE_JS, "swipe", max_bytes)


# --------------------------------------------------------------------------------------------
# 2. Synchronised zoom


def zoom_grid(images: Mapping[str, np.ndarray], regions: Sequence[Sequence[int]],
              region_labels: Sequence[str] | None = None,
              captions: Mapping[str, str | tuple[float, float] | Mapping[str, float] | None] | None = None,
              magnify: float | None = None, pixelated: bool = True, overview: str | None = None,
              overview_side: int = 128, max_bytes: int | None = MAX_BYTES) -> Comparison:
    """The same crop of several images side by side, with buttons to switch between regions.

    Args:
        images: name -> uint8 image, shown left to right (e.g. LR, bicubic, VDSR, HR). Smaller
            images (the LR input) are magnified by nearest neighbour to the largest one's grid.
        regions: ``(y, x, h, w)`` crops in the largest image's pixels; all crops of one region
            are precomputed, so switching needs no kernel.
        region_labels: button texts (default "Region 1", "Region 2", ...).
        captions: name -> text, ``(psnr, ssim)`` or ``{"psnr":, "ssim":}``, shown under each crop.
        magnify: display size / crop size (``None``: the integer that makes the map and the crops
            fill about 700 px, the width of a book page's output).
        overview: name of the image drawn as a small map with the regions marked (clicking a box
            selects it); default the largest image; ``""`` for no map.
        overview_side: longest side of the map, in pixels (it is embedded as a JPEG).
        max_bytes: raise ``ValueError`` if the output would be larger (``None``: no limit).
    """
    if not regions:
        raise ValueError("zoom_grid needs at least one region (y, x, h, w)")
    labels = list(region_labels or [f"Region {i + 1}" for i in range(len(regions))])
    if len(labels) != len(regions):
        raise ValueError(f"{len(regions)} regions but {len(labels)} region labels")
    captions = dict(captions or {})
    unknown = set(captions) - set(images)
    if unknown:
        raise ValueError(f"captions for unknown images {sorted(unknown)}; images are {list(images)}")
    checked = {name: _check_image(img, name) for name, img in images.items()}
    if not checked:
        raise ValueError("zoom_grid needs at least one image")
    ref_name = _largest(checked)
    ref = checked[ref_name].shape[:2]
    boxes = [_check_region(r, ref, f"region {i + 1}") for i, r in enumerate(regions)]
    ov_name = ref_name if overview is None else overview
    if ov_name and ov_name not in checked:
        raise ValueError(f"overview {ov_name!r} is not one of the images {list(checked)}")
    # auto magnification: the crops (and the map) fill about 700 px, a book page's width
    per_crop = (700 - (overview_side + 10 if ov_name else 0)) / len(checked) - 10
    mag = _magnify(magnify, max(max(b[2], b[3]) for b in boxes), target=int(max(per_crop, 48)))
    px = " vc-px" if pixelated else ""

    bar = "".join(f'<button type="button" data-g="0" data-v="{i}">{_e(lab)}</button>'
                  for i, lab in enumerate(labels))
    ov_html = ""
    if ov_name:
        ov = _on_grid(checked[ov_name], ref, ov_name)
        s = min(1.0, overview_side / max(ref))
        thumb = np.asarray(Image.fromarray(ov).resize((max(1, round(ref[1] * s)), max(1, round(ref[0] * s))),
                                                      Image.Resampling.BILINEAR))
        marks = "".join(
            f'<button type="button" class="vc-box" data-g="0" data-v="{i}" title="{_e(labels[i])}" '
            f'aria-label="{_e(labels[i])}" style="top:{100 * y / ref[0]:.2f}%;left:{100 * x / ref[1]:.2f}%;'
            f'height:{100 * h / ref[0]:.2f}%;width:{100 * w / ref[1]:.2f}%"></button>'
            for i, (y, x, h, w) in enumerate(boxes))
        ov_html = (f'<figure><div class="vc-ov">'
                   f'<img alt="{_e(ov_name)}: regions" style="image-rendering:auto" '
                   f'width="{thumb.shape[1]}" height="{thumb.shape[0]}" src="{_data_uri(thumb, "JPEG")}">'
                   f"{marks}</div><figcaption>{_e(ov_name)}: click a box</figcaption></figure>")

    figures = []
    for name, img in checked.items():
        grid = _on_grid(img, ref, name)
        crops = []
        for i, (y, x, h, w) in enumerate(boxes):
            crop = grid[y:y + h, x:x + w]
            crops.append(f'<img data-show="{i}" alt="{_e(name)}, {_e(labels[i])}" width="{w}" height="{h}" '
                         f'style="width:{w * mag:.0f}px" src="{_data_uri(crop)}"'
                         f'{"" if i == 0 else " hidden"}>')
        cap = _caption_text(captions.get(name))
        lines = [f"<b>{_e(name)}</b>"] + [_e(part) for part in cap.split(" · ") if part]  # PSNR / SSIM
        width = max(104, max(b[3] for b in boxes) * mag)  # fixed: captions wrap, crops line up
        figures.append(f'<figure style="width:{width:.0f}px">{"".join(crops)}'
                       f'<figcaption>{"<br>".join(lines)}</figcaption></figure>')
    markup = (f'<div class="vdsr-cmp vc-zoom{px}" data-key="0">'
              f'<div class="vc-bar"><span class="vc-axis">Region</span>{bar}</div>'
              f'<div class="vc-row">{ov_html}{"".join(figures)}</div>{_NOJS}</div>')
    return _finish(markup, _TOGGLE_JS, "zoom_grid", max_bytes)


# --------------------------------------------------------------------------------------------
# 3. Picker over precomputed results


def _flatten(results: Mapping, prefix: tuple = ()) -> dict[tuple, np.ndarray]:
    """Nested dicts -> {(k1, k2, ...): image}; tuple keys are kept; other keys become 1-tuples."""
    flat: dict[tuple, np.ndarray] = {}
    for key, value in results.items():
        path = prefix + (tuple(key) if isinstance(key, tuple) else (key,))
        if isinstance(value, Mapping):
            flat.update(_flatten(value, path))
        else:
            flat[path] = value
    return flat


def _value_label(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def picker(results: Mapping, axes: Sequence[str] | None = None,
           captions: Mapping | None = None, reference: np.ndarray | None = None,
           reference_label: str = "ground truth",
           reference_caption: str | tuple[float, float] | Mapping[str, float] | None = None,
           initial: Sequence | None = None, magnify: float | None = None, pixelated: bool = True,
           region: Sequence[int] | None = None, max_side: int | None = 128,
           max_bytes: int | None = MAX_BYTES) -> Comparison:
    """Button groups that switch between precomputed results (no kernel needed).

    Args:
        results: the images, keyed by option tuples, e.g. ``{(2, 20, True): img, ...}`` with
            ``axes=("scale", "depth", "residual")``, or as nested dicts
            ``{2: {20: {True: img}}}``; plain keys are one-option tuples. Combinations that are
            missing show a "not computed" note.
        axes: a name per key position, written before its buttons (default "option 1", ...).
        captions: the same keys -> text, ``(psnr, ssim)`` or ``{"psnr":, "ssim":}``.
        reference: an image shown beside the result for comparison (e.g. the ground truth).
        initial: the option tuple shown first (default: the first key).
        magnify: display size / image size (``None``: an integer that makes images about 256 px).
        region, max_side: crop (``(y, x, h, w)`` in the largest image's pixels) and longest side
            kept, applied to every image alike; the default keeps 128 px so that many results fit.
        max_bytes: raise ``ValueError`` if the output would be larger (``None``: no limit).

    Button values are shown with ``str`` (booleans as yes/no): use strings such as ``"x3"`` as
    keys for other wording.
    """
    flat = _flatten(results)
    if not flat:
        raise ValueError("picker needs at least one result")
    lengths = {len(k) for k in flat}
    if len(lengths) != 1:
        raise ValueError(f"all result keys need the same number of options, got lengths {sorted(lengths)}")
    n = lengths.pop()
    axes = list(axes) if axes is not None else [f"option {i + 1}" for i in range(n)]
    if len(axes) != n:
        raise ValueError(f"keys have {n} options but {len(axes)} axis names were given: {axes}")
    flat_caps = _flatten(captions) if captions else {}
    stray = set(flat_caps) - set(flat)
    if stray:
        raise ValueError(f"captions for keys that have no result: {sorted(map(str, stray))}")
    values: list[list] = [[] for _ in range(n)]  # options per axis, in order of first appearance
    for key in flat:
        for i, v in enumerate(key):
            if v not in values[i]:
                values[i].append(v)
    start = tuple(initial) if initial is not None else next(iter(flat))
    if start not in flat:
        raise ValueError(f"initial {start!r} is not one of the result keys")

    named = {f"result {j}": img for j, img in enumerate(flat.values())}
    if reference is not None:
        named["reference"] = reference
    prepared, _ = _align(named, region, max_side, "crop")
    first = next(iter(prepared.values()))
    mag = _magnify(magnify, max(first.shape[:2]), target=256)
    width = first.shape[1] * mag

    def code(key: tuple) -> str:
        return ".".join(str(values[i].index(v)) for i, v in enumerate(key))

    bars = "".join(
        f'<div class="vc-bar"><span class="vc-axis">{_e(axis)}</span>'
        + "".join(f'<button type="button" data-g="{i}" data-v="{j}">{_e(_value_label(v))}</button>'
                  for j, v in enumerate(values[i]))
        + "</div>" for i, axis in enumerate(axes))
    imgs, caps = [], []
    for j, key in enumerate(flat):
        img = prepared[f"result {j}"]
        desc = " · ".join(f"{a} {_value_label(v)}" for a, v in zip(axes, key))
        hidden = "" if key == start else " hidden"
        imgs.append(f'<img data-show="{code(key)}" alt="{_e(desc)}" '
                    f'width="{img.shape[1]}" height="{img.shape[0]}" '
                    f'style="width:{img.shape[1] * mag:.0f}px" src="{_data_uri(img)}"{hidden}>')
        cap = _caption_text(flat_caps.get(key))
        caps.append(f'<span data-show="{code(key)}"{hidden}><b>{_e(desc)}</b>'
                    f'{"<br>" + _e(cap) if cap else ""}</span>')
    main = (f'<figure style="width:{max(width, 104):.0f}px">{"".join(imgs)}'
            f'<div class="vc-missing" hidden>'
            "not computed for this combination</div>"
            f'<figcaption>{"".join(caps)}</figcaption></figure>')
    ref_fig = ""
    if reference is not None:
        r = prepared["reference"]
        rcap = _caption_text(reference_caption)
        ref_fig = (f'<figure><img alt="{_e(reference_label)}" width="{r.shape[1]}" height="{r.shape[0]}" '
                   f'style="width:{r.shape[1] * mag:.0f}px" src="{_data_uri(r)}">'
                   f"<figcaption><b>{_e(reference_label)}</b>{'<br>' + _e(rcap) if rcap else ''}"
                   "</figcaption></figure>")
    px = " vc-px" if pixelated else ""
    markup = (f'<div class="vdsr-cmp vc-picker{px}" data-key="{code(start)}">{bars}'
              f'<div class="vc-row">{main}{ref_fig}</div>{_NOJS}</div>')
    return _finish(markup, _TOGGLE_JS, "picker", max_bytes)


# --------------------------------------------------------------------------------------------
# 4. Live widgets (need a kernel)

def read_image(data: bytes, name: str = "the file", max_pixels: int | None = None) -> np.ndarray:
    """Decode an image file's bytes to uint8 RGB; ``ValueError`` with a readable message if not.

    EXIF rotation is applied; transparency is composited over white; 16-bit images are scaled
    to 8 bits; ``max_pixels`` (if given) rejects larger images before decoding them.
    """
    if not data:
        raise ValueError(f"{name} is empty (0 bytes)")
    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
            if max_pixels is not None and w * h > max_pixels:
                raise ValueError(f"{name} is {w} x {h} = {w * h / 1e6:.1f} megapixels; the limit here is "
                                 f"{max_pixels / 1e6:.1f}. Crop or shrink it first.")
            im = ImageOps.exif_transpose(im)
            im.load()
    except Image.DecompressionBombError as err:
        raise ValueError(f"{name} is too large to open safely ({err})") from err
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError) as err:
        raise ValueError(f"{name} is not an image file that Pillow can read "
                         "(use PNG, JPEG, BMP, TIFF or WebP)") from err
    if im.mode == "F":
        raise ValueError(f"{name} holds floating-point pixels; save it as an 8-bit PNG or JPEG")
    arr = pil_to_array(im)  # the same conversions as files read from disk (load_image)
    return np.repeat(arr[..., None], 3, axis=2) if arr.ndim == 2 else arr


class LiveWidget:
    """An ipywidgets panel that needs a kernel: Jupyter shows ``widget``; ``text`` is the fallback.

    Its output carries two fallbacks besides the widget view: ``text/plain`` (``text``) and
    ``text/html`` (``static_html``, default: ``text`` as a paragraph). A live front-end
    (JupyterLab, Notebook 7, Colab) ranks the widget view first and draws the controls; the built
    book ranks ``text/html`` above widget views (``nb_mime_priority_overrides`` in _config.yml),
    so a static page shows the explanation instead of controls that would do nothing there.
    """

    def __init__(self, widget: widgets.Widget, text: str, static_html: str | None = None) -> None:
        self.widget = widget
        self.text = text
        self.static_html = static_html if static_html is not None else (
            f'<p class="vdsr-live-static">{html.escape(text)}</p>')

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict:
        data = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        data["text/plain"] = self.text
        data["text/html"] = self.static_html
        return data

    def __repr__(self) -> str:
        return self.text


class UploadPanel(LiveWidget):
    """An upload panel: choose an image, pick a scale, upscale it with a progress bar, download.

    Built by :func:`upload_widget`. ``load(name, data)`` and ``run(scale)`` are what the buttons
    call; they can also be called from code (the tests do). ``result`` holds the last output.
    """

    def __init__(self, upscale_fn: Callable, scales: Sequence[int] = (2, 3, 4),
                 max_pixels: int = 1_000_000, preview_side: int = 160,
                 static_html: str | None = None) -> None:
        self.upscale_fn = upscale_fn
        self.max_pixels = max_pixels
        self.preview_side = preview_side
        self.image: np.ndarray | None = None
        self.name = ""
        self.result: np.ndarray | None = None
        auto = widgets.Layout(width="auto")
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="Choose image",
                                         layout=auto)
        self.scale = widgets.ToggleButtons(options=[(f"x{s}", int(s)) for s in scales],
                                           value=int(scales[0]), layout=auto, style={"button_width": "44px"})
        self.button = widgets.Button(description="Upscale", button_style="primary", icon="arrow-up",
                                     disabled=True)
        self.progress = widgets.FloatProgress(value=0.0, min=0.0, max=1.0, description="Progress")
        self.status = widgets.HTML("Choose an image file (PNG, JPEG, ...), then press <b>Upscale</b>.")
        self.output = widgets.Output()
        self.upload.observe(self._on_upload, names="value")
        self.button.on_click(lambda _button: self.run())
        label = widgets.Label("Scale", layout=widgets.Layout(margin="0 0 0 12px"))
        controls = widgets.HBox([self.upload, label, self.scale, self.button],
                                layout=widgets.Layout(flex_flow="row wrap"))
        panel = widgets.VBox([controls, self.progress, self.status, self.output])
        panel.add_class("vdsr-upload")
        # CSS classes for browser tests (tests/test_jupyterlab.py) and for styling
        for widget, name in ((self.upload, "file"), (self.scale, "scale"), (self.button, "go"),
                             (self.progress, "progress"), (self.status, "status"),
                             (self.output, "result")):
            widget.add_class(f"vdsr-upload-{name}")
        super().__init__(panel, "Upload panel (live Jupyter only): run this notebook in JupyterLab "
                                "to upscale your own image.", static_html)

    def _say(self, message: str, error: bool = False) -> None:
        color = "#c62828" if error else "inherit"
        self.status.value = f'<span style="color:{color}">{html.escape(message)}</span>'

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if files:
            entry = files[0]
            self.load(entry["name"], bytes(entry["content"]))

    def load(self, name: str, data: bytes) -> bool:
        """Decode an uploaded file; on failure say why and return False."""
        self.image, self.name, self.result = None, name, None
        self.button.disabled = True
        self.progress.value, self.progress.bar_style = 0.0, ""
        self.output.clear_output()
        try:
            self.image = read_image(data, repr(name), self.max_pixels)
        except ValueError as err:
            self._say(str(err), error=True)
            return False
        h, w = self.image.shape[:2]
        self._say(f"Loaded {name}: {w} x {h} pixels. Pick a scale and press Upscale.")
        self.button.disabled = False
        return True

    def _report(self, done: int, total: int) -> None:
        self.progress.value = done / total if total else 1.0

    def run(self, scale: int | None = None) -> np.ndarray | None:
        """Upscale the loaded image; show the result and a download link. None on failure."""
        if self.image is None:
            self._say("Upload an image first.", error=True)
            return None
        scale = int(scale if scale is not None else self.scale.value)
        self.button.disabled = True
        self.progress.value, self.progress.bar_style = 0.0, "info"
        self._say(f"Upscaling {self.name} x{scale} ...")
        start = time.perf_counter()
        try:
            out = self.upscale_fn(self.image, scale, self._report)
        except ValueError as err:
            self.progress.bar_style = "danger"
            self._say(f"Could not upscale {self.name}: {err}", error=True)
            return None
        except Exception as err:  # noqa: BLE001 - shown to the user, not swallowed silently
            self.progress.bar_style = "danger"
            self._say(f"Unexpected error while upscaling {self.name}: {type(err).__name__}: {err}",
                      error=True)
            return None
        finally:
            self.button.disabled = False
        out = np.asarray(out)
        h, w = self.image.shape[:2]
        if out.dtype != np.uint8 or out.shape[:2] != (h * scale, w * scale):
            self.progress.bar_style = "danger"
            self._say(f"The upscale function returned {out.dtype} {out.shape}, expected uint8 "
                      f"{(h * scale, w * scale)}.", error=True)
            return None
        self.result = out
        self.progress.value, self.progress.bar_style = 1.0, "success"
        buf = io.BytesIO()
        Image.fromarray(out).save(buf, "PNG")
        stem = Path(self.name).stem or "image"
        fname = f"{stem}_x{scale}.png"
        link = (f'<a download="{_e(fname)}" href="data:image/png;base64,'
                f'{base64.b64encode(buf.getvalue()).decode("ascii")}">Download {_e(fname)} '
                f"({len(buf.getvalue()) / 1e6:.1f} MB, {w * scale} x {h * scale})</a>")
        self._say(f"Done in {time.perf_counter() - start:.1f} s: {w} x {h} -> {w * scale} x {h * scale}.")
        from IPython.display import HTML, display

        with self.output:
            self.output.clear_output()
            display(HTML(link))
            display(swipe(self.image, out, labels=("input", f"x{scale}"), max_side=self.preview_side,
                          magnify=2, max_bytes=None,
                          captions=("nearest-neighbour magnified", "upscaled (centre crop)")))
        return out


def upload_widget(upscale_fn: Callable, scales: Sequence[int] = (2, 3, 4),
                  max_pixels: int = 1_000_000, static_html: str | None = None) -> UploadPanel:
    """An upload panel for a live notebook: upscale your own image, watch progress, download.

    ``upscale_fn(image, scale, progress)`` takes a uint8 RGB image, an integer scale and a
    ``progress(done, total)`` callback (or None) and returns the uint8 RGB result; it raises
    ``ValueError`` with a readable message for input it cannot handle, which the panel shows.
    Files that are not images, or larger than ``max_pixels``, get a clear message too.
    ``static_html`` is what a page without a kernel (the built book) shows instead of the
    controls, e.g. a link to a page that does the same in the browser (see :class:`LiveWidget`).
    """
    if not callable(upscale_fn):
        raise TypeError("upscale_fn must be callable: upscale_fn(image, scale, progress) -> image")
    if not scales or any(int(s) != s or s < 1 for s in scales):
        raise ValueError(f"scales must be positive integers, got {scales!r}")
    return UploadPanel(upscale_fn, scales, max_pixels, static_html=static_html)


def zoom_live(images: Mapping[str, np.ndarray], size: int = 48, magnify: int = 4,
              overview_side: int = 200) -> LiveWidget:
    """Sliders that move a ``size`` x ``size`` window over all images at once (live kernel only).

    ``images`` as for :func:`zoom_grid`. For the static book use :func:`zoom_grid` with a few
    precomputed regions instead.
    """
    checked = {name: _check_image(img, name) for name, img in images.items()}
    if not checked:
        raise ValueError("zoom_live needs at least one image")
    ref_name = _largest(checked)
    ref = checked[ref_name].shape[:2]
    grids = {name: _on_grid(img, ref, name) for name, img in checked.items()}
    size = int(min(size, *ref))
    sy = widgets.IntSlider(value=(ref[0] - size) // 2, min=0, max=ref[0] - size, description="y")
    sx = widgets.IntSlider(value=(ref[1] - size) // 2, min=0, max=ref[1] - size, description="x")
    s = min(1.0, overview_side / max(ref))
    thumb = np.asarray(Image.fromarray(checked[ref_name]).resize(
        (max(1, round(ref[1] * s)), max(1, round(ref[0] * s))), Image.Resampling.BILINEAR))
    ov = widgets.Image(format="jpeg", layout=widgets.Layout(width=f"{thumb.shape[1]}px"))
    tiles = {name: widgets.Image(format="png", layout=widgets.Layout(width=f"{size * magnify}px"))
             for name in checked}
    for tile in tiles.values():
        tile.add_class("vdsr-pixelated")

    def encode(a: np.ndarray, fmt: str = "PNG") -> bytes:
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
        return buf.getvalue()

    def update(_change: object = None) -> None:
        y, x = sy.value, sx.value
        for name, grid in grids.items():
            tiles[name].value = encode(np.ascontiguousarray(grid[y:y + size, x:x + size]))
        marked = thumb.copy()  # the map, with the window drawn as a red frame
        top, left = int(y * s), int(x * s)
        bottom = min(marked.shape[0] - 1, int((y + size) * s))
        right = min(marked.shape[1] - 1, int((x + size) * s))
        color = np.array([255, 45, 85] if marked.ndim == 3 else 255, dtype=np.uint8)
        marked[top, left:right + 1] = marked[bottom, left:right + 1] = color
        marked[top:bottom + 1, left] = marked[top:bottom + 1, right] = color
        ov.value = encode(marked, "JPEG")  # the map need not be exact: keep the saved state small

    sy.observe(update, names="value")
    sx.observe(update, names="value")
    update()
    style = widgets.HTML("<style>.vdsr-pixelated img,img.vdsr-pixelated{image-rendering:pixelated}</style>")
    cols = [widgets.VBox([ov, widgets.Label(f"{ref_name} (map)")])] + [
        widgets.VBox([tiles[name], widgets.Label(name)]) for name in checked]
    box = widgets.VBox([style, widgets.HBox([sy, sx]), widgets.HBox(cols)])
    return LiveWidget(box, "Synchronised zoom (live Jupyter only): run this notebook in JupyterLab "
                           "to move the window.")
