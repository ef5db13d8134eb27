"""Beyond super-resolution: the same network for denoising and JPEG artifact removal (chapter 10).

The paper ends: "We believe our approach is readily applicable to other image restoration problems
such as denoising and compression artifact removal." Here the network's input is not a bicubic
upscale but a noisy or JPEG-compressed luminance image of the same size, and the target is the
clean luminance. :func:`make_restoration_pair` (in :mod:`vdsr_lib.degrade`, with the super-resolution
degradation) returns the same :class:`~vdsr_lib.degrade.Pair` as that one, so the patch sampler, the trainer (``TrainConfig(task="denoise",
scales=(15, 25, 50))``: the "scales" are then degradation levels) and its validation work unchanged.

Conventions (stated once, used everywhere in the book):

* **denoise**, level = noise standard deviation sigma in 8-bit levels. White Gaussian noise of std
  ``sigma / 255`` is added to the clean 8-bit luminance Y in [0, 1]; the noisy image is **not**
  clipped to [0, 1] nor rounded (the network sees it as a float, as DnCNN's training does). The
  noise is seeded by a hash of the image's bytes: the same image always gets the same noise
  pattern, scaled by sigma. Colour is untouched (``Pair.lr`` is the clean HR image).
* **jpeg**, level = JPEG quality (1-100). The 8-bit RGB (or gray) image is compressed with Pillow
  (libjpeg, its default 4:2:0 chroma subsampling for colour) and decoded; the input is the Y of
  the decoded image (a float, not rounded). ``Pair.lr`` is the decoded image. ARCNN compressed Y
  alone with MATLAB; compressing RGB, as a camera or a web page does, differs slightly.
* **scoring**: the book's one rule, :func:`vdsr_lib.metrics.score_y`: every image (degraded input,
  baseline, network) is clipped to [0, 1] and rounded to 8 bits before PSNR on Y, here with no
  border shaved (``vdsr_lib.train.validate`` does the same for these tasks). The "input" PSNR is
  therefore that of the noisy image saved as an 8-bit file.

Classical baselines, each with one parameter chosen by a grid search on training images
(:func:`tune_baseline`), never on the test images:

* denoising: total-variation denoising (Chambolle's algorithm, ``skimage.restoration.
  denoise_tv_chambolle``), the grid being its ``weight``;
* JPEG: a mild Gaussian smoothing of Y (``scipy.ndimage.gaussian_filter``), the grid being sigma in
  pixels, including 0 (no smoothing, so the baseline can always fall back to the input).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.ndimage import gaussian_filter
from skimage.restoration import denoise_tv_chambolle
from torch import nn

from .degrade import TASKS, jpeg_compress, make_restoration_pair, noise_seed
from .inference import predict_y
from .metrics import quantize, score_y

__all__ = ["TASKS", "BASELINE_GRIDS", "noise_seed", "jpeg_compress", "make_restoration_pair",
           "gaussian_denoise_baseline", "jpeg_deblock_baseline", "baseline_fn", "tune_baseline",
           "center_crop", "to_uint8", "restore_example", "evaluate_restoration"]

BASELINE_GRIDS: dict[str, tuple[float, ...]] = {
    # TV weight (image in [0, 1]), steps of sqrt(2) from 0.02 to 0.64; the best grows with sigma
    "denoise": tuple(float(w) for w in np.round(0.02 * np.sqrt(2.0) ** np.arange(11), 4)),
    # Gaussian sigma in pixels; 0 = leave the JPEG image as it is
    "jpeg": (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.85, 1.0, 1.25, 1.5),
}
"""The parameter grids searched by :func:`tune_baseline`."""


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise ValueError(f"unknown restoration task {task!r}; choose from {', '.join(TASKS)}")


def gaussian_denoise_baseline(noisy_y: np.ndarray, weight: float) -> np.ndarray:
    """Classical denoiser for white Gaussian noise: total-variation denoising (Chambolle).

    ``noisy_y``: H x W float in [0, 1] (unclipped); ``weight``: TV weight (larger = smoother), to be
    chosen per noise level with :func:`tune_baseline`. Returns a float64 image clipped to [0, 1].
    """
    y = np.asarray(noisy_y, dtype=np.float64)
    if weight <= 0:
        return y.clip(0, 1)
    return denoise_tv_chambolle(y, weight=float(weight), channel_axis=None).clip(0, 1)


def jpeg_deblock_baseline(jpeg_y: np.ndarray, sigma: float) -> np.ndarray:
    """Simple classical deblocking: Gaussian smoothing of Y with ``sigma`` pixels (0 = none).

    Smoothing hides the 8 x 8 block edges and ringing but also blurs real edges; ``sigma`` is chosen
    per JPEG quality with :func:`tune_baseline`. Returns a float64 image clipped to [0, 1].
    """
    y = np.asarray(jpeg_y, dtype=np.float64)
    if sigma <= 0:
        return y.clip(0, 1)
    return gaussian_filter(y, float(sigma), mode="reflect").clip(0, 1)


def baseline_fn(task: str, param: float) -> Callable[[np.ndarray], np.ndarray]:
    """The classical baseline of ``task`` with its parameter fixed: ``f(degraded_y) -> y``."""
    _check_task(task)
    base = gaussian_denoise_baseline if task == "denoise" else jpeg_deblock_baseline
    return lambda y: base(y, param)


def center_crop(image: np.ndarray, size: int | None) -> np.ndarray:
    """The central ``size`` x ``size`` part of an image (smaller sides are kept); None: all of it."""
    if size is None:
        return image
    h, w = image.shape[:2]
    top, left = max(0, (h - size) // 2), max(0, (w - size) // 2)
    return image[top:top + size, left:left + size]


def _score(y: np.ndarray, target_y: np.ndarray) -> float:
    """PSNR of ``y`` rounded to 8 bits against the 8-bit target (both [0, 1]); no border shaved."""
    return score_y(y, target_y, border=0)


def tune_baseline(images: Sequence[np.ndarray], task: str, level: int, grid: Sequence[float] | None = None,
                  crop: int | None = 96) -> tuple[float, dict[float, float]]:
    """Pick the baseline's parameter for ``level`` by a grid search on (training) ``images``.

    Each image is degraded whole, then its central ``crop`` x ``crop`` part is scored (for speed).
    Returns ``(best parameter, {parameter: mean PSNR in dB})``.
    """
    _check_task(task)
    grid = BASELINE_GRIDS[task] if grid is None else tuple(grid)
    pairs = [make_restoration_pair(im, level, task) for im in images]
    crops = [(center_crop(p.ilr_y, crop), center_crop(p.hr_y, crop)) for p in pairs]
    scores = {float(g): float(np.mean([_score(baseline_fn(task, g)(x), t) for x, t in crops])) for g in grid}
    best = max(scores, key=scores.get)
    return best, scores


def to_uint8(y: np.ndarray) -> np.ndarray:
    """A [0, 1] float image as uint8 (clipped, rounded): for display and comparisons."""
    return (quantize(y) * 255.0).astype(np.uint8)


def restore_example(model: nn.Module | None, hr: np.ndarray, task: str, level: int,
                    baseline_param: float | None = None, crop: int | None = None) -> dict[str, np.ndarray]:
    """Y images of one example as uint8: ``degraded``, ``baseline`` (if a parameter is given),
    ``network`` (if a model is given) and ``clean``; ``crop`` takes the central part first."""
    p = make_restoration_pair(hr, level, task)
    x, target = center_crop(p.ilr_y, crop), center_crop(p.hr_y, crop)
    out = {"degraded": to_uint8(x)}
    if baseline_param is not None:
        out["baseline"] = to_uint8(baseline_fn(task, baseline_param)(x))
    if model is not None:
        out["network"] = to_uint8(predict_y(model, x))
    out["clean"] = to_uint8(target)
    return out


def evaluate_restoration(model: nn.Module | None, images: Sequence[np.ndarray], task: str,
                         levels: Sequence[int], baseline_params: dict[int, float] | None = None,
                         crop: int | None = None) -> dict[int, dict[str, float]]:
    """Mean Y-PSNR (dB) per level of the degraded ``input``, the ``baseline`` and the ``network``.

    ``baseline_params``: ``{level: parameter}`` from :func:`tune_baseline` (omit to skip the
    baseline); ``model=None`` skips the network; ``crop`` scores the central ``crop`` x ``crop`` part
    of each image (degraded whole first), to save time in the quick budget.
    """
    _check_task(task)
    table: dict[int, dict[str, float]] = {}
    for level in levels:
        rows: dict[str, list[float]] = {"input": [], "baseline": [], "network": []}
        for im in images:
            p = make_restoration_pair(im, level, task)
            x, target = center_crop(p.ilr_y, crop), center_crop(p.hr_y, crop)
            rows["input"].append(_score(x, target))
            if baseline_params is not None:
                rows["baseline"].append(_score(baseline_fn(task, baseline_params[level])(x), target))
            if model is not None:
                rows["network"].append(_score(predict_y(model, x), target))
        table[int(level)] = {k: float(np.mean(v)) for k, v in rows.items() if v}
    return table
