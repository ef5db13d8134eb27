"""Running a trained network on images: Y through the network, Cb/Cr bicubic, tiled for memory.

Tiling: the image is cut into ``tile`` x ``tile`` blocks, each extended by ``overlap`` pixels of
real context on every side (at least the network's receptive radius, ``depth`` pixels), run
through the network, and the extension is cut away again. Inside the image, a tiled result then
equals the untiled one up to floating-point rounding, while memory stays bounded by the tile size.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager, nullcontext

import numpy as np
import torch
from torch import nn

from .color import rgb2ycbcr, ycbcr2rgb
from .imresize import imresize
from .speed import fastest

__all__ = ["default_device", "predict_y", "upscale", "memory_format"]

Progress = Callable[[int, int], None]


def default_device() -> torch.device:
    """CUDA if available, else Apple's MPS, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _model_device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def _is_channels_last(model: nn.Module) -> bool:
    weights = [p for p in model.parameters() if p.dim() == 4 and p.shape[1] > 1]
    return bool(weights) and weights[0].is_contiguous(memory_format=torch.channels_last)


@contextmanager
def memory_format(model: nn.Module, channels_last: bool):
    """Run ``model`` in the given memory format inside the block, and give it back as it was."""
    was = _is_channels_last(model)
    if was != channels_last:
        model.to(memory_format=torch.channels_last if channels_last else torch.contiguous_format)
    try:
        yield
    finally:
        if was != channels_last:
            model.to(memory_format=torch.channels_last if was else torch.contiguous_format)


def predict_y(model: nn.Module, ilr_y: np.ndarray, tile: int | None = 512, overlap: int | None = None,
              bf16: bool = False, progress: Progress | None = None,
              channels_last: bool | None = None) -> np.ndarray:
    """Run ``model`` on an interpolated luminance image (H x W float in [0, 1]); returns H x W.

    ``tile=None`` runs the whole image at once. The output is clipped to [0, 1]. ``channels_last``
    picks the memory format (None: the faster one here, ``vdsr_lib.speed.fastest``); the
    result is the same up to floating-point rounding.
    """
    if channels_last is None:
        channels_last = fastest("infer", _model_device(model), bf16=bf16).channels_last
    with memory_format(model, channels_last):
        return _predict_y(model, ilr_y, tile, overlap, bf16, progress, channels_last)


@torch.inference_mode()
def _predict_y(model: nn.Module, ilr_y: np.ndarray, tile: int | None, overlap: int | None, bf16: bool,
               progress: Progress | None, channels_last: bool) -> np.ndarray:
    model.eval()
    device = _model_device(model)
    x = torch.from_numpy(np.ascontiguousarray(ilr_y, dtype=np.float32))[None, None].to(device)
    if channels_last:  # a 1-channel tensor's strides are both formats at once; the layers' weights decide
        x = x.contiguous(memory_format=torch.channels_last)
    h, w = x.shape[-2:]
    depth = getattr(model, "depth", 20)
    overlap = depth + 4 if overlap is None else overlap
    cast = torch.autocast(device.type, dtype=torch.bfloat16) if bf16 else nullcontext()
    if tile is None or (h <= tile and w <= tile):
        with cast:
            out = model(x).float()
        if progress:
            progress(1, 1)
        return out.clamp_(0, 1)[0, 0].cpu().numpy()
    out = torch.empty_like(x)
    ys, xs = range(0, h, tile), range(0, w, tile)
    total, done = len(ys) * len(xs), 0
    for y0 in ys:
        for x0 in xs:
            y1, x1 = min(y0 + tile, h), min(x0 + tile, w)
            a0, b0 = max(y0 - overlap, 0), max(x0 - overlap, 0)
            a1, b1 = min(y1 + overlap, h), min(x1 + overlap, w)
            with cast:
                block = model(x[..., a0:a1, b0:b1]).float()
            out[..., y0:y1, x0:x1] = block[..., y0 - a0:y1 - a0, x0 - b0:x1 - b0]
            done += 1
            if progress:
                progress(done, total)
    return out.clamp_(0, 1)[0, 0].cpu().numpy()


def upscale(image: np.ndarray, scale: int, model: nn.Module | None = None, tile: int | None = 512,
            progress: Progress | None = None, bf16: bool = False, channels_last: bool | None = None) -> np.ndarray:
    """Upscale a uint8 RGB (H x W x 3) or gray (H x W) image by ``scale``; returns uint8.

    Y goes through ``model`` (bicubic alone if ``model`` is None); Cb and Cr are upscaled with
    bicubic interpolation. RGBA and palette images should be converted first
    (:func:`vdsr_lib.datasets.load_image` does). ``bf16`` runs the network in bfloat16 (faster on
    CPUs with AMX, within a grey level or two of fp32); ``channels_last`` as in :func:`predict_y`.
    """
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError(f"upscale expects an 8-bit image, got {image.dtype}; load it with vdsr_lib.load_image")
    if image.ndim == 3 and image.shape[2] == 4:
        raise ValueError("upscale got an RGBA image; drop or composite the alpha channel first "
                         "(vdsr_lib.load_image does)")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ValueError(f"upscale expects H x W x 3 (RGB) or H x W (gray), got shape {image.shape}")
    if min(image.shape[:2]) < 2:
        raise ValueError(f"image of size {image.shape[:2]} is too small to upscale (need at least 2x2)")
    if int(scale) != scale or not 2 <= scale <= 8:
        raise ValueError(f"scale must be an integer from 2 to 8, got {scale}")
    trained = getattr(model, "scales", None)
    if model is not None and trained and scale not in trained:
        raise ValueError(f"this model was trained for scales {sorted(trained)}, not x{scale}; "
                         f"pick one of those or train a model for x{scale}")
    out_shape = (image.shape[0] * int(scale), image.shape[1] * int(scale))
    gray = image.ndim == 2
    # One channel at a time, kept as float32: peak memory stays a few bytes per output pixel.
    ycc = (image.astype(np.float32) / 255.0)[..., None] if gray else rgb2ycbcr(image).astype(np.float32)
    channels = []
    for c in range(ycc.shape[2]):
        big = imresize(ycc[..., c], output_shape=out_shape).astype(np.float32)
        if c == 0 and model is not None:
            big = predict_y(model, big, tile=tile, progress=progress, bf16=bf16, channels_last=channels_last)
        channels.append(big)
    del ycc
    if model is None and progress:
        progress(1, 1)
    if gray:
        return np.clip(np.floor(channels[0] * 255.0 + 0.5), 0, 255).astype(np.uint8)
    out = np.empty(out_shape + (3,), dtype=np.uint8)
    for r in range(0, out_shape[0], 256):  # colour conversion in bands of rows
        band = np.stack([ch[r:r + 256] for ch in channels], axis=-1)
        out[r:r + 256] = np.clip(np.floor(ycbcr2rgb(band) * 255.0 + 0.5), 0, 255).astype(np.uint8)
    return out
