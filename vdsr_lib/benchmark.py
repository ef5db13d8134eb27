"""The benchmark: Set5, Set14, B100 and Urban100 at x2/x3/x4, PSNR/SSIM on Y, seconds per image.

Protocol: HR cropped to a multiple of the scale; LR by MATLAB bicubic, of the 8-bit HR luminance
in floating point (``protocol="paper"``, the authors' test code, the default) or of the 8-bit RGB
image (``"selfexsr"``, the SelfExSR benchmark's LR images), see :mod:`vdsr_lib.degrade`; then the
book's scoring rule, :func:`vdsr_lib.metrics.score_y`: the prediction (bicubic or network) is
rounded to 8 bits; PSNR and SSIM on the luminance Y with ``scale`` pixels shaved on every side. ``Urban100-half`` is the half-size set the paper's Urban100
x2 column used: its LR images are those of the full-size Urban100 at x4, under either protocol (the
x4 LR of the full-size RGB image, or of its 8-bit luminance); that reproduces the paper's bicubic
26.66 dB (26.65 / 26.66), where shrinking the half-size HR by 2 gives 26.55 / 26.56 dB.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from torch import nn

from .datasets import Dataset, load_dataset
from .color import rgb2y
from .degrade import PROTOCOLS, Pair, make_pair
from .imresize import imresize
from .inference import predict_y
from .metrics import quantize, score_y

__all__ = ["PAPER_TABLE2", "PAPER_TABLE3", "Result", "evaluate", "evaluate_pairs", "format_table"]

# The paper's Table 3 (PSNR/SSIM), for comparison in the book; None where the paper gives none.
PAPER_TABLE3: dict[str, dict[str, dict[int, tuple[float, float | None] | None]]] = {
    "Bicubic": {"Set5": {2: (33.66, 0.9299), 3: (30.39, 0.8682), 4: (28.42, 0.8104)},
                "Set14": {2: (30.24, 0.8688), 3: (27.55, 0.7742), 4: (26.00, 0.7027)},
                "B100": {2: (29.56, 0.8431), 3: (27.21, 0.7385), 4: (25.96, 0.6675)},
                "Urban100": {2: (26.66, None), 3: None, 4: (23.14, 0.6577)}},
    "SRCNN": {"Set5": {2: (36.66, 0.9542), 3: (32.75, 0.9090), 4: (30.48, 0.8628)},
              "Set14": {2: (32.42, 0.9063), 3: (29.28, 0.8209), 4: (27.49, 0.7503)},
              "B100": {2: (31.36, 0.8879), 3: (28.41, 0.7863), 4: (26.90, 0.7101)},
              "Urban100": {2: (29.50, 0.8946), 3: None, 4: (24.52, 0.7221)}},
    "VDSR": {"Set5": {2: (37.53, 0.9587), 3: (33.66, 0.9213), 4: (31.35, 0.8838)},
             "Set14": {2: (33.03, 0.9124), 3: (29.77, 0.8314), 4: (28.01, 0.7674)},
             "B100": {2: (31.90, 0.8960), 3: (28.82, 0.7976), 4: (27.29, 0.7251)},
             "Urban100": {2: (30.76, 0.9140), 3: None, 4: (25.18, 0.7524)}},
}

# The cells of the paper's Table 2 that its text gives: Set5 PSNR of VDSR-20 trained on the 91 images,
# {training scales, named as the runs of the `scales` experiment: {test scale: dB}}.
PAPER_TABLE2: dict[str, dict[int, float]] = {
    "x2": {2: 37.10}, "x3": {2: 30.05, 3: 32.89}, "x4": {2: 28.13, 4: 30.84},
    "x234": {2: 37.06, 3: 33.27, 4: 30.95},
}

Model = nn.Module | Callable[[np.ndarray], np.ndarray] | str


@dataclass
class Result:
    """Scores of one image."""

    name: str
    psnr: float
    ssim: float
    seconds: float


def _pairs(ds: Dataset, scale: int, root: str | None, protocol: str = "paper") -> list[Pair]:
    if ds.name == "Urban100-half" and scale == 2:
        full = load_dataset("Urban100", root=root, fallback=False)
        lr_of = dict(zip(full.names, full.images))
        # the x4 LR of the full-size image: of its 8-bit luminance ("paper") or of its RGB ("selfexsr")
        source = (lambda im: quantize(rgb2y(im))) if protocol == "paper" else (lambda im: im)  # noqa: E731
        return [make_pair(hr, 2, lr=imresize(source(lr_of[n]), 0.25), protocol=protocol) for n, hr in ds]
    return [make_pair(hr, scale, protocol=protocol) for _, hr in ds]


def evaluate_pairs(model: Model, pairs: Sequence[Pair], scale: int, names: Sequence[str] | None = None,
                   tile: int | None = 512) -> list[Result]:
    """Score ``model`` ("bicubic", a network, or a function ILR-Y -> Y) on prepared pairs."""
    results = []
    for i, p in enumerate(pairs):
        t = time.perf_counter()
        if isinstance(model, str):
            if model != "bicubic":
                raise ValueError(f"unknown method {model!r}: give 'bicubic', a network or a function")
            y = p.ilr_y
        elif isinstance(model, nn.Module):
            y = predict_y(model, p.ilr_y, tile=tile)
        else:
            y = model(p.ilr_y)
        seconds = time.perf_counter() - t
        results.append(Result(names[i] if names else str(i), score_y(y, p.hr_y, scale),
                              score_y(y, p.hr_y, scale, "ssim"), seconds))
    return results


def evaluate(model: Model = "bicubic", datasets: Sequence[str] = ("Set5", "Set14", "B100", "Urban100"),
             scales: Sequence[int] = (2, 3, 4), root: str | None = None, per_image: bool = False,
             limit: int | None = None, progress: Callable[[str], None] | None = None,
             protocol: str = "paper", stand_ins: bool = True) -> dict:
    """``{dataset: {scale: {"psnr", "ssim", "seconds", "protocol"[, "images"]}}}`` (means over the
    images), with the LR images made under ``protocol`` (``"paper"`` or ``"selfexsr"``).

    ``Urban100-half`` is evaluated at x2 only (the set exists only for that column). With
    ``per_image`` each cell also lists every image's scores. A missing data set is downloaded; if that
    fails, ``stand_ins`` lets scikit-image's photos stand in (their row is named so), else it is an
    error that says where the data was looked for.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}")
    table: dict = {}
    for name in datasets:
        ds = load_dataset(name, root=root, limit=limit, fallback=stand_ins)
        key = ds.name
        for s in scales:
            if name == "Urban100-half" and s != 2:
                continue
            pairs = _pairs(ds, s, root, protocol)
            res = evaluate_pairs(model, pairs, s, ds.names)
            cell = {"psnr": float(np.mean([r.psnr for r in res])), "ssim": float(np.mean([r.ssim for r in res])),
                    "seconds": float(np.mean([r.seconds for r in res])), "protocol": protocol}
            if per_image:
                cell["images"] = [vars(r) for r in res]
            table.setdefault(key, {})[s] = cell
            if progress:
                progress(f"{key} x{s}: {cell['psnr']:.2f} dB / {cell['ssim']:.4f}")
    return table


def format_table(table: dict, title: str = "") -> str:
    """A plain-text table: one row per dataset, PSNR/SSIM (and seconds) per scale."""
    scales = sorted({s for cells in table.values() for s in cells}, key=int)
    head = f"{'dataset':<24}" + "".join(f"{'x' + str(s):>26}" for s in scales)
    lines = [title, head] if title else [head]
    for name, cells in table.items():
        row = f"{name:<24}"
        for s in scales:
            c = cells.get(s) or cells.get(str(s))
            row += f"{c['psnr']:>9.2f} / {c['ssim']:.4f} {c['seconds']:5.2f}s" if c else f"{'-':>26}"
        lines.append(row)
    return "\n".join(lines)
