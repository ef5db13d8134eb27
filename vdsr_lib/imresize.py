"""MATLAB-compatible bicubic ``imresize`` and ``modcrop``.

The super-resolution benchmarks (and the VDSR paper) make low-resolution images with MATLAB's
``imresize(hr, 1/s, 'bicubic')``: Keys' cubic kernel (a = -0.5), widened by ``1/scale`` when
shrinking (antialiasing), with the edge pixels repeated beyond the border, applied separably, first
along the rows' axis (height) then the columns' (width). For ``uint8`` input MATLAB rounds and
saturates to ``uint8`` after *each* pass; so does this port, which is why it reproduces the
benchmarks' MATLAB-made LR images pixel for pixel where Pillow's or OpenCV's bicubic do not.

The border: the MATLAB that made the benchmarks' LR images (the SelfExSR fixtures of Set5 and
Set14, 2015) clamps out-of-range indices, "replicating end-points", and this port does the same;
later MATLAB releases mirror the image instead (``aux = [1:n, n:-1:1]``), which changes the
outermost pixel row and column of an LR image by up to about ten grey levels.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import sparse

__all__ = ["imresize", "modcrop", "cubic", "resize_weights"]


def cubic(x: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution kernel with a = -0.5 (MATLAB's ``cubic``)."""
    ax = np.abs(x)
    ax2, ax3 = ax * ax, ax * ax * ax
    return (1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1) + (
        -0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0
    ) * ((ax > 1) & (ax <= 2))


def resize_weights(in_len: int, out_len: int, scale: float, antialias: bool = True) -> sparse.csr_matrix:
    """Sparse ``(out_len, in_len)`` matrix ``W`` such that ``W @ x`` resizes ``x`` along one axis.

    Mirrors MATLAB's ``contributions()``: output pixel ``i`` (1-based) samples the input at
    ``u = i / scale + 0.5 * (1 - 1 / scale)``; indices beyond the border are clamped to it (the edge
    pixel is repeated).
    """
    width = 4.0
    if scale < 1 and antialias:
        kernel = lambda t: scale * cubic(scale * t)  # noqa: E731 - stretched kernel
        width = width / scale
    else:
        kernel = cubic
    i = np.arange(1, out_len + 1, dtype=np.float64)
    u = i / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(u - width / 2.0)
    taps = int(math.ceil(width)) + 2
    idx = left[:, None] + np.arange(taps)[None, :]  # 1-based input indices
    w = kernel(u[:, None] - idx)
    w = w / w.sum(axis=1, keepdims=True)
    src = np.clip(idx.astype(np.int64), 1, in_len) - 1  # clamp: the edge pixel is repeated
    rows = np.repeat(np.arange(out_len), taps)
    # duplicate (row, col) pairs from the clamped border are summed, as MATLAB does
    return sparse.csr_matrix((w.ravel(), (rows, src.ravel())), shape=(out_len, in_len))


def _resize_axis(x: np.ndarray, axis: int, out_len: int, scale: float, as_uint8: bool,
                 antialias: bool) -> np.ndarray:
    w = resize_weights(x.shape[axis], out_len, scale, antialias)
    out = w @ x if axis == 0 else (w @ x.T).T
    if as_uint8:  # MATLAB's uint8 conversion: round half away from zero, saturate
        out = np.clip(np.floor(out + 0.5), 0, 255)
    return out


def imresize(image: np.ndarray, scale: float | None = None, output_shape: tuple[int, int] | None = None,
             antialias: bool = True) -> np.ndarray:
    """Resize ``image`` (H x W or H x W x C) like MATLAB's ``imresize(image, scale, 'bicubic')``.

    ``uint8`` in gives ``uint8`` out (rounded after each separable pass, as MATLAB does); float in
    gives float64 out, unclipped. Give either ``scale`` (e.g. ``1/3`` or ``2``) or ``output_shape``.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"imresize expects an H x W or H x W x C array, got shape {image.shape}")
    if (scale is None) == (output_shape is None):
        raise ValueError("give exactly one of scale or output_shape")
    h, w = image.shape[:2]
    if scale is not None:
        if scale <= 0:
            raise ValueError(f"scale must be positive, got {scale}")
        out_h, out_w = int(math.ceil(h * scale)), int(math.ceil(w * scale))
        scales = (float(scale), float(scale))
    else:
        out_h, out_w = output_shape
        scales = (out_h / h, out_w / w)
    if min(out_h, out_w) < 1:
        raise ValueError(f"resizing a {h}x{w} image by {scale} leaves no pixels")
    is_uint8 = image.dtype == np.uint8
    if not (is_uint8 or np.issubdtype(image.dtype, np.floating)):
        raise TypeError(f"imresize takes uint8 or float images, got {image.dtype}")
    if image.ndim == 3:  # one channel at a time keeps the float64 intermediates small
        out = np.empty((out_h, out_w, image.shape[2]), dtype=np.uint8 if is_uint8 else np.float64)
        for c in range(image.shape[2]):
            out[..., c] = _resize2d(image[..., c], (out_h, out_w), scales, is_uint8, antialias)
        return out
    return _resize2d(image, (out_h, out_w), scales, is_uint8, antialias)


def _resize2d(image: np.ndarray, out_shape: tuple[int, int], scales: tuple[float, float], is_uint8: bool,
              antialias: bool) -> np.ndarray:
    x = image.astype(np.float64)
    # MATLAB resizes the dimension with the smaller scale first; for equal scales, rows first.
    order = (0, 1) if scales[0] <= scales[1] else (1, 0)
    for axis in order:
        x = _resize_axis(x, axis, out_shape[axis], scales[axis], is_uint8, antialias)
    return x.astype(np.uint8) if is_uint8 else x


def modcrop(image: np.ndarray, scale: int) -> np.ndarray:
    """Crop the bottom/right so that height and width are multiples of ``scale`` (top-left kept)."""
    h, w = image.shape[:2]
    return image[: h - h % scale, : w - w % scale]
