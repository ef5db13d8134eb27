"""The benchmark degradation: HR -> LR (MATLAB bicubic, antialiased) -> ILR (bicubic back up).

One function, used for training pairs and evaluation alike, so the network is tested on exactly
the degradation it was trained on. Both protocols crop HR to a multiple of ``scale`` (top-left
kept, "modcrop") and take as target the luminance Y of HR rounded to 8 bits, as MATLAB's
``rgb2ycbcr`` of a uint8 image is. They differ in which image is shrunk:

* ``"paper"`` (the default): the authors' own code. The test code released with SRCNN
  (``demo_SR.m``) and reused for VDSR, and VDSR's training-data script, convert the 8-bit HR image
  to YCbCr first, keep the rounded 8-bit Y, divide by 255 and resize that luminance in floating
  point: ``im_l = imresize(im_gnd, 1/s, 'bicubic'); im_b = imresize(im_l, s, 'bicubic')``. Neither
  LR nor ILR is rounded; only the prediction is, by ``uint8(im_h * 255)`` before the PSNR.
* ``"selfexsr"``: the SelfExSR benchmark's released LR images: MATLAB's ``imresize`` of the 8-bit
  RGB image (rounded to 8 bits after each pass), whose luminance is then upscaled (float).

Measured with this package: the paper's protocol reproduces every bicubic cell of the paper's
Table 3 within 0.01 dB; the SelfExSR one lands up to 0.022 dB below it (chapter 1).

The restoration tasks of chapter 10 degrade differently (noise, JPEG: :func:`make_restoration_pair`,
conventions in :mod:`vdsr_lib.restoration`) but return the same :class:`Pair`; :func:`pair_maker`
picks the degradation of a task for the trainer.
"""
from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
from PIL import Image

from .color import rgb2y
from .imresize import imresize, modcrop
from .metrics import quantize

__all__ = ["PROTOCOLS", "TASKS", "Pair", "make_pair", "pair_maker", "quantize", "noise_seed", "jpeg_compress",
           "make_restoration_pair"]

PROTOCOLS = ("paper", "selfexsr")
TASKS = ("denoise", "jpeg")
"""The restoration tasks of chapter 10; level = noise sigma (8-bit levels) or JPEG quality."""


@dataclass
class Pair:
    """One test/training example; Y images are float32 in [0, 1]."""

    hr: np.ndarray      # modcropped HR, uint8 (RGB or gray)
    lr: np.ndarray      # LR, uint8 (RGB or gray): what a reader is shown (under "paper" the
                        # network's input is made from Y instead, see the module docstring)
    hr_y: np.ndarray    # HR luminance, 8-bit levels / 255
    ilr_y: np.ndarray   # bicubic-upscaled LR luminance (network input), float


def make_pair(hr: np.ndarray, scale: int, lr: np.ndarray | None = None, protocol: str = "paper") -> Pair:
    """Degrade an 8-bit HR image by ``scale`` under ``protocol`` (``"paper"`` or ``"selfexsr"``, see
    the module docstring). Pass ``lr`` to use a given LR image instead of shrinking ``hr``: an 8-bit
    image (its luminance is upscaled) or, under ``"paper"``, a float luminance in [0, 1].

    Urban100's half-size x2 set (the paper's column) pairs the half-size HR with the LR of the
    full-size image at x4; the benchmark passes that LR here.
    """
    if hr.dtype != np.uint8:
        raise TypeError(f"make_pair expects an 8-bit HR image, got {hr.dtype}")
    if int(scale) != scale or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}")
    scale = int(scale)
    hr = modcrop(hr, scale)
    if min(hr.shape[:2]) < scale:
        raise ValueError(f"image of size {hr.shape[:2]} is too small for scale {scale}")
    hr_y = quantize(rgb2y(hr))
    if lr is None:
        lr = imresize(hr, 1.0 / scale)  # the 8-bit LR image a reader is shown
        lr_y = imresize(hr_y, 1.0 / scale) if protocol == "paper" else rgb2y(lr)
    elif lr.dtype == np.uint8:
        lr_y = rgb2y(lr)
    elif protocol == "paper" and lr.ndim == 2:  # a float luminance LR
        lr_y, lr = lr, (quantize(lr) * 255).astype(np.uint8)
    else:
        raise TypeError("lr must be an 8-bit image, or under the 'paper' protocol a float luminance (H x W)")
    ilr_y = imresize(lr_y, output_shape=hr.shape[:2])
    return Pair(hr=hr, lr=lr, hr_y=hr_y.astype(np.float32), ilr_y=ilr_y.astype(np.float32))


def noise_seed(image: np.ndarray) -> int:
    """A 64-bit seed from an image's shape and bytes: the same image always gets the same noise."""
    a = np.ascontiguousarray(image)
    h = hashlib.sha256(str((a.shape, a.dtype.str)).encode())
    h.update(a.tobytes())
    return int.from_bytes(h.digest()[:8], "little")


def jpeg_compress(image: np.ndarray, quality: int) -> np.ndarray:
    """Compress a uint8 RGB (H x W x 3) or gray (H x W) image with Pillow at ``quality``; decode."""
    if image.dtype != np.uint8:
        raise TypeError(f"jpeg_compress expects an 8-bit image, got {image.dtype}")
    if not 1 <= int(quality) <= 100:
        raise ValueError(f"JPEG quality must be in 1..100, got {quality}")
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=int(quality))
    buf.seek(0)
    with Image.open(buf) as im:
        out = np.asarray(im.convert("RGB" if image.ndim == 3 else "L"), dtype=np.uint8)
    return out


def make_restoration_pair(hr: np.ndarray, level: int, task: str) -> Pair:
    """Degrade an 8-bit image for ``task`` ("denoise": level = sigma; "jpeg": level = quality).

    Returns ``Pair(hr, lr, hr_y, ilr_y)`` like :func:`~vdsr_lib.degrade.make_pair`: ``hr_y`` is the 8-bit
    clean luminance / 255, ``ilr_y`` the degraded luminance (float32, the network's input, not
    clipped for denoising), ``lr`` the degraded RGB image (the clean image for denoising, where
    the noise is added to Y only). The conventions are in :mod:`vdsr_lib.restoration`.
    """
    if task not in TASKS:
        raise ValueError(f"unknown restoration task {task!r}; choose from {', '.join(TASKS)}")
    hr = np.asarray(hr)
    if hr.dtype != np.uint8:
        raise TypeError(f"make_restoration_pair expects an 8-bit image, got {hr.dtype}")
    if not (hr.ndim == 2 or (hr.ndim == 3 and hr.shape[2] in (1, 3))):
        raise ValueError(f"expected an H x W or H x W x 3 image, got shape {hr.shape}")
    if hr.ndim == 3 and hr.shape[2] == 1:
        hr = hr[..., 0]
    hr_y = quantize(rgb2y(hr))
    if task == "denoise":
        if not level > 0:
            raise ValueError(f"noise sigma must be positive, got {level}")
        rng = np.random.default_rng(noise_seed(hr))
        noisy = hr_y + rng.standard_normal(hr_y.shape) * (float(level) / 255.0)
        return Pair(hr=hr, lr=hr, hr_y=hr_y.astype(np.float32), ilr_y=noisy.astype(np.float32))
    jpg = jpeg_compress(hr, int(level))
    return Pair(hr=hr, lr=jpg, hr_y=hr_y.astype(np.float32), ilr_y=rgb2y(jpg).astype(np.float32))


def pair_maker(task: str = "sr", protocol: str = "paper") -> Callable[[np.ndarray, int], Pair]:
    """``f(hr, level) -> Pair`` for a task: ``"sr"`` (level = scale, degraded under ``protocol``),
    ``"denoise"`` (level = noise sigma in 8-bit levels) or ``"jpeg"`` (level = JPEG quality); see
    :mod:`vdsr_lib.restoration`."""
    if task == "sr":
        if protocol not in PROTOCOLS:
            raise ValueError(f"unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}")
        return partial(make_pair, protocol=protocol)
    if task in TASKS:
        return partial(make_restoration_pair, task=task)
    raise ValueError(f"unknown task {task!r}; choose sr, denoise or jpeg")
