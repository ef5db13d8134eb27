"""The reference experiments behind the book, as training configurations (``reproduce``).

An experiment is a function ``budget -> {run name: TrainConfig}``; ``budget`` is ``"quick"`` (the
live cells of a chapter: minutes on a laptop CPU) or ``"full"`` (the shipped reference runs).
:func:`run_experiment` trains every run into ``runs/<experiment>/<budget>/<run>/``, resuming
whatever was interrupted, and :func:`summarize` turns the histories into the small JSON that is
shipped in ``vdsr_lib/results/`` and loaded by the chapters with :func:`load_results`.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from .train import TrainConfig, train

__all__ = ["EXPERIMENTS", "experiment_runs", "run_experiment", "summarize", "load_results", "RESULTS_DIR"]

RESULTS_DIR = Path(__file__).with_name("results")

# The shipped main model: one VDSR-20 for x2, x3 and x4 on the 291 images, the paper's batch,
# patch size and schedule length (80 epochs of 125 iterations = 10,000 iterations of 64 patches).
# Optimiser: Adam 1e-3 with a cosine decay and a per-pixel MSE (the "better recipe"); the paper's
# SGD + adjustable clipping recipe is the `clipping` experiment.
MAIN = TrainConfig(depth=20, scales=(2, 3, 4), train_set="291", patch=41, batch=64, epochs=80,
                   iters_per_epoch=125, optimizer="adam", lr=1e-3, weight_decay=0.0, schedule="cosine",
                   clip="none", loss="mean", zero_init_last=True, val_set="Set5")


def _main(budget: str) -> dict[str, TrainConfig]:
    if budget == "full":
        return {"main": MAIN}
    return {"main": replace(MAIN, depth=10, epochs=3, iters_per_epoch=20, batch=16, max_images=20)}


# --- more experiments are added below, one function each (chapters 3-6 and 9) ---------------

# Chapter 5, "Deeper is better" (the paper's Fig. 3): VDSR of depth 5 to 20, each trained on the 91
# images with x2, x3 and x4 patches mixed (as the paper did for Fig. 3), validated on Set5 at all
# three scales. One recipe for every depth, MAIN's (Adam 1e-3, cosine decay, per-pixel MSE, no
# weight decay), which trains every depth reliably; the paper's SGD 0.1 + adjustable clipping is
# chapter 4's topic.
# full: 80 epochs x 125 iterations x 64 patches per run (the paper's schedule, 640,000 patches).
#   At ~20 patches/s for depth 20 in fp32 on 2 CPU cores, and roughly in proportion to the number
#   of 64-channel layers below that, about 1.5 + 4 + 6.5 + 9 = 21 CPU hours for depths 5, 10, 15
#   and 20 (validation every 5 epochs not counted); minutes per run on a GPU.
# quick: depths 3, 5 and 10, 100 iterations of 16 patches from 20 images each, one validation at
#   the end (about 2 minutes on an idle 2-core CPU for all three); far from converged.
def _depth(budget: str) -> dict[str, TrainConfig]:
    cfg = replace(MAIN, train_set="T91", val_scales=(2, 3, 4))
    if budget == "full":
        return {f"depth{d}": replace(cfg, depth=d, val_every=5) for d in (5, 10, 15, 20)}
    quick = replace(cfg, epochs=1, iters_per_epoch=100, batch=16, max_images=20)
    return {f"depth{d}": replace(quick, depth=d) for d in (3, 5, 10)}


# Chapter 6, "One network, three scales" (the paper's Table 2): VDSR-20 trained on {2}, {3}, {4} and
# {2,3,4} with the 91 images (as in the paper), each validated on Set5 at x2, x3 and x4. Recipe as
# MAIN (Adam 1e-3, cosine decay, per-pixel MSE); every run gets the same number of iterations, so the
# multi-scale network sees a third as many patches of each scale as a single-scale one.
# full: 80 epochs x 125 iterations x 64 patches per run, ~9 CPU hours per run at ~20 patches/s
#   (fp32, 2 cores), ~36 CPU hours for the four (validation every 5 epochs not counted); minutes
#   per run on a GPU.
# quick: depth 5, 100 iterations of 16 patches from 20 images per run, one validation at the end
#   (about 2 minutes on an idle 2-core CPU for the four runs); far from converged.
def _scales(budget: str) -> dict[str, TrainConfig]:
    cfg = replace(MAIN, train_set="T91", val_scales=(2, 3, 4))
    runs = {"x2": (2,), "x3": (3,), "x4": (4,), "x234": (2, 3, 4)}
    if budget == "full":
        return {name: replace(cfg, scales=s, val_every=5) for name, s in runs.items()}
    quick = replace(cfg, depth=5, epochs=1, iters_per_epoch=100, batch=16, max_images=20)
    return {name: replace(quick, scales=s) for name, s in runs.items()}


EXPERIMENTS: dict[str, Callable[[str], dict[str, TrainConfig]]] = {
    "main": _main,
    "depth": _depth,
    "scales": _scales,
}


def experiment_runs(name: str, budget: str = "full") -> dict[str, TrainConfig]:
    """The runs of experiment ``name`` at ``budget`` ("full" or "quick")."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; choose from {', '.join(EXPERIMENTS)}")
    if budget not in ("quick", "full"):
        raise ValueError(f"budget must be 'quick' or 'full', got {budget!r}")
    return EXPERIMENTS[name](budget)


def summarize(history: dict[str, Any], every: int = 10) -> dict[str, Any]:
    """A small, JSON-ready copy of a training history: every ``every``-th step, all epochs."""
    keep = {k: v for k, v in history.items() if k not in ("model", "steps")}
    keep["steps"] = history.get("steps", [])[::every]
    return keep


def run_experiment(name: str, budget: str = "full", out_root: str | Path = "runs",
                   max_minutes: float | None = None, data_root: str | None = None,
                   progress: bool = True, runs: list[str] | None = None) -> dict[str, dict]:
    """Train (or resume) every run of an experiment; returns ``{run: history}``."""
    out = {}
    for run, cfg in experiment_runs(name, budget).items():
        if runs and run not in runs:
            continue
        out[run] = train(cfg, Path(out_root) / name / budget / run, resume=True, max_minutes=max_minutes,
                         data_root=data_root, progress=progress)
    return out


def load_results(name: str) -> dict[str, Any] | None:
    """The shipped summary of experiment ``name`` (``vdsr_lib/results/<name>.json``), or None."""
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None
