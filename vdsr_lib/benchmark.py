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

__all__ = ["PAPER_TABLE2", "PAPER_TABLE3", "PAPER_SET5_EARLIER", "LATER_SET5_X2", "TABLE3_CELLS", "Result",
           "cell_name", "set_name", "evaluate", "evaluate_pairs", "find_cell", "format_table", "order_shift", "paper_cell"]

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

# The paper's Table 3 on Set5 (PSNR, dB) for its three methods from before deep learning, which
# PAPER_TABLE3 leaves out (the paper gives them on every set; the book compares them on Set5 only).
PAPER_SET5_EARLIER: dict[str, dict[int, float]] = {
    "A+": {2: 36.54, 3: 32.58, 4: 30.28},
    "RFL": {2: 36.54, 3: 32.43, 4: 30.14},
    "SelfExSR": {2: 36.49, 3: 32.58, 4: 30.31},
}

# The cells of Table 3 the book scores: Set5, Set14 and B100 at x2/x3/x4, Urban100 x2 on both copies
# (the half-size set of the paper's baselines and the full-size set of its VDSR, see paper_cell) and
# the full-size Urban100 at x3 (no paper column) and x4.
TABLE3_CELLS: list[tuple[str, int]] = [(d, s) for d in ("Set5", "Set14", "B100") for s in (2, 3, 4)] + [
    ("Urban100-half", 2), ("Urban100", 2), ("Urban100", 3), ("Urban100", 4)]


def set_name(ds: str) -> str:
    """A test set as the book's prose names it: ``"Set5"``, ``"Urban100 (half-size)"``."""
    return ds.replace("-half", " (half-size)")


def cell_name(ds: str, scale: int) -> str:
    """A cell as the book's prose names it: ``"Set5 x2"``, ``"Urban100 (half-size) x2"``."""
    return f"{set_name(ds)} x{scale}"


def paper_cell(method: str, ds: str, scale: int) -> tuple[float, float | None] | None:
    """The paper's (PSNR, SSIM) of ``method`` ("Bicubic", "SRCNN", "VDSR") on the book's cell, or
    None where the paper has no number for that set. Urban100 x2 is one column of the paper filled
    from two sets: its VDSR number is the full-size set's and its bicubic and SRCNN numbers the
    half-size set's (chapter 8 shows it with the authors' network), so each is returned for its own
    set only."""
    if scale == 2 and ds.startswith("Urban100") and (method == "VDSR") != (ds == "Urban100"):
        return None
    return PAPER_TABLE3[method].get("Urban100" if ds == "Urban100-half" else ds, {}).get(scale)


def find_cell(ds: str, scale: int, *tables: dict) -> dict | None:
    """The cell (``{"psnr": ..., "ssim": ...}``) of the first table, ``{set: {"scale": cell}}`` as
    the model's metadata and ``results/official.json`` store them, that has it; None if none has."""
    for table in tables:
        cell = (table or {}).get(ds, {}).get(str(scale))
        if cell:
            return cell
    return None


def order_shift(paper: dict, selfexsr: dict) -> dict[tuple[str, int], float]:
    """What the paper's protocol moves a model's PSNR by against SelfExSR's order, cell by cell, from
    its two whole-set tables (the metadata's ``benchmark`` and ``benchmark_selfexsr``): each PSNR
    rounded to three decimals first, as the book prints them, so a shift agrees with its table."""
    return {(d, int(s)): round(paper[d][s]["psnr"], 3) - round(selfexsr[d][s]["psnr"], 3)
            for d in paper for s in paper[d] if s in selfexsr.get(d, {})}


# The cells of the paper's Table 2 that its text gives: Set5 PSNR of VDSR-20 trained on the 91 images,
# {training scales, named as the runs of the `scales` experiment: {test scale: dB}}.
PAPER_TABLE2: dict[str, dict[int, float]] = {
    "x2": {2: 37.10}, "x3": {2: 30.05, 3: 32.89}, "x4": {2: 28.13, 4: 30.84},
    "x234": {2: 37.06, 3: 33.27, 4: 30.95},
}

# Set5 x2 PSNR (dB, Y channel) as each method's own paper reports it, to place VDSR's 37.53 among
# what came before and after: (method, year, bibliography key, dB, training images, the idea in brief).
LATER_SET5_X2: list[tuple[str, int, str, float, str, str]] = [
    ("SRCNN", 2014, "dong2014srcnn", 36.66, "91 images", "three convolutions on the ILR"),
    ("FSRCNN", 2016, "dong2016fsrcnn", 37.00, "91 + 100 images", "works on the LR image, upsamples last"),
    ("VDSR", 2016, "kim2016vdsr", 37.53, "291 images", "20 layers, residual, high lr"),
    ("DRCN", 2016, "kim2016drcn", 37.63, "91 images", "one layer applied recursively"),
    ("LapSRN", 2017, "lai2017lapsrn", 37.52, "291 images", "upsamples x2 at a time (a pyramid)"),
    ("DRRN", 2017, "tai2017drrn", 37.74, "291 images", "recursive residual blocks, shared weights"),
    ("MemNet", 2017, "tai2017memnet", 37.78, "291 images", "memory blocks with gated connections"),
    ("EDSR", 2017, "lim2017edsr", 38.11, "DIV2K (800 images)", "wide residual blocks, no batch norm"),
    ("RCAN", 2018, "zhang2018rcan", 38.27, "DIV2K (800 images)", "very deep, channel attention"),
    ("SwinIR", 2021, "liang2021swinir", 38.35, "DIV2K (800 images)", "a transformer (shifted windows)"),
    ("SwinIR", 2021, "liang2021swinir", 38.42, "DF2K (3,450 images)", "the same, more training data"),
]

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
