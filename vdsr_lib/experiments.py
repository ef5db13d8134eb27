"""The reference experiments behind the book, as training configurations (``reproduce``).

Each experiment is a list of named :class:`~vdsr_lib.train.TrainConfig` runs at a budget. Runs
are written to ``runs/<experiment>/<run>/`` and resume where they stopped.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .train import TrainConfig, train

__all__ = ["EXPERIMENTS", "experiment_runs", "run_experiment"]

# The shipped main model: one VDSR-20 for x2, x3 and x4 on the 291 images, the paper's batch,
# patch size and schedule length (80 epochs of 125 iterations = 10,000 iterations of 64 patches).
# Optimiser: Adam 1e-3 with a cosine decay and a per-pixel MSE (the "better recipe"); the paper's
# SGD + adjustable clipping recipe is the `clipping` experiment.
MAIN = TrainConfig(depth=20, scales=(2, 3, 4), train_set="291", patch=41, batch=64, epochs=80,
                   iters_per_epoch=125, optimizer="adam", lr=1e-3, weight_decay=0.0, schedule="cosine",
                   clip="none", loss="mean", zero_init_last=True, val_set="Set5")

EXPERIMENTS = ("main",)


def experiment_runs(name: str, budget: str = "full") -> dict[str, TrainConfig]:
    """The runs of experiment ``name`` at ``budget`` ("full" or "quick")."""
    if name == "main":
        return {"main": MAIN if budget == "full" else replace(MAIN, epochs=2, iters_per_epoch=10, max_images=20)}
    raise ValueError(f"unknown experiment {name!r}; choose from {', '.join(EXPERIMENTS)}")


def run_experiment(name: str, budget: str = "full", out_root: str | Path = "runs", max_minutes: float | None = None,
                   data_root: str | None = None) -> dict[str, dict]:
    """Train (or resume) every run of an experiment; returns their histories."""
    out = {}
    for run, cfg in experiment_runs(name, budget).items():
        out[run] = train(cfg, Path(out_root) / name / budget / run, resume=True, max_minutes=max_minutes,
                         data_root=data_root)
    return out
