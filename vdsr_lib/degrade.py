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
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from .color import rgb2y
from .imresize import imresize, modcrop

__all__ = ["PROTOCOLS", "Pair", "make_pair", "pair_maker", "quantize"]

PROTOCOLS = ("paper", "selfexsr")


@dataclass
class Pair:
    """One test/training example; Y images are float32 in [0, 1]."""

    hr: np.ndarray      # modcropped HR, uint8 (RGB or gray)
    lr: np.ndarray      # LR, uint8 (RGB or gray): what a reader is shown (under "paper" the
                        # network's input is made from Y instead, see the module docstring)
    hr_y: np.ndarray    # HR luminance, 8-bit levels / 255
    ilr_y: np.ndarray   # bicubic-upscaled LR luminance (network input), float


def quantize(y: np.ndarray) -> np.ndarray:
    """Round a [0, 1] image to 8-bit levels (still as float in [0, 1]), like saving a PNG."""
    return np.clip(np.floor(np.asarray(y, dtype=np.float64) * 255.0 + 0.5), 0, 255) / 255.0


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


def pair_maker(task: str = "sr", protocol: str = "paper") -> Callable[[np.ndarray, int], Pair]:
    """``f(hr, level) -> Pair`` for a task: ``"sr"`` (level = scale, degraded under ``protocol``),
    ``"denoise"`` (level = noise sigma in 8-bit levels) or ``"jpeg"`` (level = JPEG quality); see
    :mod:`vdsr_lib.restoration`."""
    if task == "sr":
        if protocol not in PROTOCOLS:
            raise ValueError(f"unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}")
        return partial(make_pair, protocol=protocol)
    if task in ("denoise", "jpeg"):
        from .restoration import make_restoration_pair

        return partial(make_restoration_pair, task=task)
    raise ValueError(f"unknown task {task!r}; choose sr, denoise or jpeg")
