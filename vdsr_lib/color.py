"""MATLAB's ``rgb2ycbcr`` / ``ycbcr2rgb`` (ITU-R BT.601, studio swing: Y in [16, 235]).

Images here are floats in [0, 1] (or uint8 in [0, 255], converted on the way in). The paper's
network sees only Y; Cb and Cr are upscaled with bicubic interpolation.
"""
from __future__ import annotations

import numpy as np

__all__ = ["rgb2ycbcr", "ycbcr2rgb", "rgb2y", "to_float"]

# MATLAB: ycbcr = offset + M @ rgb, rgb in [0, 1], result in [0, 255] then / 255
_M = np.array([[65.481, 128.553, 24.966],
               [-37.797, -74.203, 112.0],
               [112.0, -93.786, -18.214]])
_OFFSET = np.array([16.0, 128.0, 128.0])


def to_float(image: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] -> float64 [0, 1]; floats pass through as float64."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image.astype(np.float64) / 255.0
    if np.issubdtype(image.dtype, np.floating):
        return image.astype(np.float64)
    raise TypeError(f"expected a uint8 or float image, got {image.dtype}")


def rgb2ycbcr(rgb: np.ndarray) -> np.ndarray:
    """H x W x 3 RGB (uint8 or float in [0, 1]) -> float YCbCr in [0, 1] (Y in [16/255, 235/255])."""
    rgb = to_float(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"rgb2ycbcr expects H x W x 3, got {rgb.shape}")
    return (rgb @ _M.T + _OFFSET) / 255.0


def ycbcr2rgb(ycbcr: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rgb2ycbcr`: float YCbCr in [0, 1] -> float RGB (not clipped)."""
    ycbcr = np.asarray(ycbcr, dtype=np.float64)
    return (ycbcr * 255.0 - _OFFSET) @ np.linalg.inv(_M).T


def rgb2y(image: np.ndarray) -> np.ndarray:
    """Luminance channel in [0, 1]: Y of an RGB image; a gray (H x W) image is its own luminance.

    The gray case follows the benchmark code (MATLAB's ``if size(im, 3) > 1, rgb2ycbcr``): a gray
    image such as Set14's ``bridge`` is compared on its raw intensities, not mapped to [16, 235].
    """
    image = to_float(image)
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return image[..., 0]
    return rgb2ycbcr(image)[..., 0]
