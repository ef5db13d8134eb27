"""The benchmark degradation: HR -> LR (MATLAB bicubic, antialiased) -> ILR (bicubic back up).

One function, used for training pairs and evaluation alike, so the network is tested on exactly
the degradation it was trained on:

* HR is cropped to a multiple of ``scale`` (top-left kept, "modcrop");
* LR is MATLAB's ``imresize(HR, 1/scale, 'bicubic')`` of the 8-bit RGB image (an 8-bit image);
* the network input ILR is the luminance Y of LR, upscaled by ``scale`` with bicubic (float);
* the target is the luminance Y of HR, rounded to 8 bits as MATLAB's ``rgb2ycbcr`` of a uint8
  image is.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from .color import rgb2y
from .imresize import imresize, modcrop

__all__ = ["Pair", "make_pair", "pair_maker", "quantize"]


@dataclass
class Pair:
    """One test/training example; Y images are float32 in [0, 1]."""

    hr: np.ndarray      # modcropped HR, uint8 (RGB or gray)
    lr: np.ndarray      # LR, uint8 (RGB or gray)
    hr_y: np.ndarray    # HR luminance, 8-bit levels / 255
    ilr_y: np.ndarray   # bicubic-upscaled LR luminance (network input), float


def quantize(y: np.ndarray) -> np.ndarray:
    """Round a [0, 1] image to 8-bit levels (still as float in [0, 1]), like saving a PNG."""
    return np.clip(np.floor(np.asarray(y, dtype=np.float64) * 255.0 + 0.5), 0, 255) / 255.0


def make_pair(hr: np.ndarray, scale: int, lr: np.ndarray | None = None) -> Pair:
    """Degrade an 8-bit HR image by ``scale``. Pass ``lr`` to use a given LR image instead.

    Urban100's half-size x2 set (the paper's column) pairs the half-size HR with the LR of the
    full-size image at x4; the benchmark passes that LR here.
    """
    if hr.dtype != np.uint8:
        raise TypeError(f"make_pair expects an 8-bit HR image, got {hr.dtype}")
    if int(scale) != scale or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    scale = int(scale)
    hr = modcrop(hr, scale)
    if min(hr.shape[:2]) < scale:
        raise ValueError(f"image of size {hr.shape[:2]} is too small for scale {scale}")
    if lr is None:
        lr = imresize(hr, 1.0 / scale)
    ilr_y = imresize(rgb2y(lr), output_shape=hr.shape[:2])
    return Pair(hr=hr, lr=lr, hr_y=quantize(rgb2y(hr)).astype(np.float32),
                ilr_y=ilr_y.astype(np.float32))


def pair_maker(task: str = "sr") -> Callable[[np.ndarray, int], Pair]:
    """``f(hr, level) -> Pair`` for a task: ``"sr"`` (level = scale), ``"denoise"`` (level = noise
    sigma in 8-bit levels) or ``"jpeg"`` (level = JPEG quality); see :mod:`vdsr_lib.restoration`."""
    if task == "sr":
        return make_pair
    if task in ("denoise", "jpeg"):
        from .restoration import make_restoration_pair

        return partial(make_restoration_pair, task=task)
    raise ValueError(f"unknown task {task!r}; choose sr, denoise or jpeg")
