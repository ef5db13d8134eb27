"""Shipping the output of a reference experiment into the package.

``python -m vdsr_lib reproduce NAME --ship`` ends here: the run histories become
``vdsr_lib/results/NAME.json`` (every 10th step, all epochs), and the main model is stored as fp16
safetensors in ``vdsr_lib/pretrained/`` with metadata whose metrics are measured on the stored
(fp16-rounded) weights, so a test can check them. ``--ship-partial`` ships an experiment whose runs
were stopped before the end of their schedule, labelled as such (``"partial": true``). Every file is
written atomically, and the shipped model only once its benchmark is measured (on a temporary copy):
an interruption leaves the previous files whole. Runs trained on stand-in photos are never shipped.
"""
from __future__ import annotations

import json
import multiprocessing
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import torch

from .atomic import write_atomic
from .benchmark import evaluate
from .checkpoint import git_commit, hardware_string, load_model, read_meta, save_model
from .experiments import RESULTS_DIR, stopped_early, summarize
from .pretrained import MAIN, PRETRAINED_DIR

__all__ = ["BENCH_CELLS", "measure_table", "remeasure_main_model", "ship", "ship_main_model"]

# The cells of the paper's Table 3 (Urban100 x2 on the half-size set, as the paper did), plus
# Urban100 x3, which the paper leaves out; the full-size Urban100 x2 is left to `evaluate`.
BENCH_CELLS = (("Set5", (2, 3, 4)), ("Set14", (2, 3, 4)), ("B100", (2, 3, 4)), ("Urban100-half", (2,)),
               ("Urban100", (3, 4)))


def _measure_cell(job: tuple[str, str, int, str]) -> tuple[str, int, dict]:
    """One benchmark cell of a stored model, on one thread (run in a worker process)."""
    path, name, scale, protocol = job
    torch.set_num_threads(1)
    ((key, cells),) = evaluate(load_model(path), (name,), (scale,), protocol=protocol).items()
    return key, scale, cells[scale]


def measure_table(path: Path, jobs: int = 1, protocol: str = "paper") -> dict:
    """The cells of ``BENCH_CELLS`` for the model stored at ``path`` under ``protocol``; ``jobs`` worker
    processes share the cells (each on one thread; on a CPU, as fast as one process on ``jobs``
    threads, and no idle core)."""
    work = [(str(path), name, s, protocol) for name, scales in BENCH_CELLS for s in scales]
    work.sort(key=lambda w: w[1] not in ("Urban100", "B100"))  # the long cells first
    table: dict = {}
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=spawn) if jobs > 1 else nullcontext() as pool:
        for key, scale, cell in (pool.map if pool else map)(_measure_cell, work):
            print(f"{key} x{scale}: {cell['psnr']:.2f} dB / {cell['ssim']:.4f}", flush=True)
            table.setdefault(key, {})[scale] = cell
    return {name: dict(sorted(table[name].items())) for name, _ in BENCH_CELLS if name in table}


PROTOCOL_TEXT = "Y channel, border = scale, 8-bit prediction, MATLAB bicubic degradation"


def _store_table(meta: dict, table: dict, protocol: str, jobs: int) -> None:
    """Put a measured Table 3 into a model's metadata: ``benchmark`` under the paper's protocol (the
    default, which the book compares with the paper), ``benchmark_selfexsr`` under SelfExSR's."""
    key = "benchmark" if protocol == "paper" else f"benchmark_{protocol}"
    metrics = meta.setdefault("metrics", {})
    metrics[key] = {ds: {str(s): c for s, c in cells.items()} for ds, cells in table.items()}
    metrics[f"protocol_{key}"] = f"{protocol}: {PROTOCOL_TEXT}"
    metrics["protocol"] = PROTOCOL_TEXT
    metrics["seconds"] = f"per image, one thread of {hardware_string()}, {max(jobs, 1)} cell(s) at a time"


def ship_main_model(run_dir: Path, budget: str, command: str, jobs: int = 1,
                    protocols: tuple[str, ...] = ("paper", "selfexsr")) -> Path:
    """Store ``run_dir/model.safetensors`` as the shipped main model, with its Table 3 measured under
    each of ``protocols``."""
    model = load_model(run_dir / "model.safetensors")
    meta = read_meta(run_dir / "model.safetensors")
    meta.update({"budget": budget, "command": command, "commit": git_commit()})
    target = PRETRAINED_DIR / f"{MAIN}.safetensors"
    with tempfile.TemporaryDirectory(prefix="vdsr_ship_") as tmp:  # the shipped files change only at the end
        stored = save_model(Path(tmp) / target.name, model, meta, half=True)
        for protocol in protocols:  # measure what is shipped: the fp16-rounded weights
            _store_table(meta, measure_table(stored, jobs, protocol), protocol, jobs)
        save_model(target, load_model(stored), meta, half=True)
    return target


def remeasure_main_model(protocol: str, jobs: int = 1) -> Path:
    """Measure the shipped main model's Table 3 again under ``protocol`` and store it in its metadata
    (the weights are not touched): how a new evaluation protocol reaches an already shipped model."""
    target = PRETRAINED_DIR / f"{MAIN}.safetensors"
    meta = read_meta(target)
    _store_table(meta, measure_table(target, jobs, protocol), protocol, jobs)
    save_model(target, load_model(target), meta, half=True)
    return target


def ship(name: str, budget: str, out_root: str | Path, histories: dict[str, dict[str, Any]],
         jobs: int = 1) -> Iterator[str]:
    """Write the shipped artifacts of experiment ``name``; yields one line per file written."""
    tainted = sorted(run for run, h in histories.items() if h.get("stand_ins"))
    if tainted:
        raise ValueError(f"runs {', '.join(tainted)} of {name} were trained or validated on stand-in photos, not "
                         f"the data sets; train them again with the data (VDSR_DATA) before shipping")
    RESULTS_DIR.mkdir(exist_ok=True)
    command = f"python -m vdsr_lib reproduce {name} --budget {budget} --ship"
    summary = {"experiment": name, "budget": budget, "command": command,
               "runs": {run: summarize(h) for run, h in histories.items()}}
    if stopped_early(summary):  # shipped with --ship-partial: the command above finishes the schedule
        summary["partial"] = True
    path = RESULTS_DIR / f"{name}.json"
    write_atomic(path, json.dumps(summary, separators=(",", ":")) + "\n")
    yield f"wrote {path}"
    if name == "main":
        yield f"wrote {ship_main_model(Path(out_root) / name / budget / 'main', budget, command, jobs)}"
