"""PSNR and SSIM on the luminance channel with a shaved border (the benchmark protocol).

:func:`score_y` is the book's one scoring rule, used by the trainer's validation, the benchmark,
the restoration tasks and the chapters: round the prediction to 8 bits, shave ``border`` pixels
(the benchmarks shave ``scale``), PSNR or SSIM on Y.

Like BasicSR's metrics, the border and channel are explicit: ``crop_border`` pixels are removed
on every side (the benchmarks shave ``scale`` pixels), and images are compared on the 0-255 scale.
SSIM follows Wang et al.'s ``ssim.m`` (11 x 11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03)
through scikit-image's ``structural_similarity``.
"""
from __future__ import annotations

import numpy as np
from skimage.metrics import structural_similarity

__all__ = ["shave", "psnr", "ssim", "quantize", "score_y"]

METRICS = ("psnr", "ssim")


def shave(image: np.ndarray, crop_border: int) -> np.ndarray:
    """Remove ``crop_border`` pixels from each side of an H x W (x C) image."""
    if crop_border == 0:
        return image
    if min(image.shape[:2]) <= 2 * crop_border:
        raise ValueError(f"image {image.shape[:2]} is too small to shave {crop_border} pixels")
    return image[crop_border:-crop_border, crop_border:-crop_border]


def _check(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"images differ in shape: {a.shape} vs {b.shape}")


def psnr(pred: np.ndarray, target: np.ndarray, crop_border: int = 0, data_range: float = 255.0) -> float:
    """Peak signal-to-noise ratio in dB: ``10 log10(data_range^2 / MSE)`` on the shaved images."""
    _check(pred, target)
    a = shave(np.asarray(pred, dtype=np.float64), crop_border)
    b = shave(np.asarray(target, dtype=np.float64), crop_border)
    mse = np.mean((a - b) ** 2)
    return float("inf") if mse == 0 else float(10.0 * np.log10(data_range**2 / mse))


def ssim(pred: np.ndarray, target: np.ndarray, crop_border: int = 0, data_range: float = 255.0) -> float:
    """Structural similarity of two single-channel images, as Wang et al.'s ``ssim.m``."""
    _check(pred, target)
    if np.asarray(pred).ndim != 2:
        raise ValueError("ssim compares single-channel (H x W) images; convert to Y first")
    a = shave(np.asarray(pred, dtype=np.float64), crop_border)
    b = shave(np.asarray(target, dtype=np.float64), crop_border)
    return float(structural_similarity(a, b, gaussian_weights=True, sigma=1.5, win_size=11,
                                       use_sample_covariance=False, data_range=data_range,
                                       K1=0.01, K2=0.03))


def quantize(y: np.ndarray) -> np.ndarray:
    """Round a [0, 1] image to 8-bit levels (still as float in [0, 1]), like saving a PNG."""
    return np.clip(np.floor(np.asarray(y, dtype=np.float64) * 255.0 + 0.5), 0, 255) / 255.0


def score_y(pred_y: np.ndarray, target_y: np.ndarray, border: int = 0, metric: str = "psnr") -> float:
    """The scoring rule: PSNR (dB) or SSIM of a predicted luminance against the true one.

    ``pred_y`` (H x W, [0, 1], any float: a network's output, a bicubic upscale) is clipped and rounded
    to 8 bits, as the authors' ``uint8(im_h * 255)`` and saving an image file do; ``target_y`` is the
    8-bit luminance / 255 (rounded too, so float32 copies score exactly); ``border`` pixels are shaved
    on every side (the benchmarks shave ``scale``; the restoration tasks none); both are compared on
    the 0-255 scale.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    pred, target = quantize(pred_y) * 255.0, quantize(target_y) * 255.0
    return psnr(pred, target, border) if metric == "psnr" else ssim(pred, target, border)
