"""The models this project trained and ships (``vdsr_lib/pretrained/``), with their metadata.

Each is ``NAME.safetensors`` + ``NAME.json`` written by ``python -m vdsr_lib reproduce ...``; the
JSON says how it was trained (recipe, budget, hardware, wall time, commit) and what it scored.
"""
from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from .budget import budget_name
from .checkpoint import load_model
from .experiments import ADAM_QUICK_LR, MAIN as MAIN_RECIPE
from .inference import default_device
from .model import VDSR
from .report import PAPER_PATCHES, schedule_share, seconds_text
from .train import train

__all__ = ["PRETRAINED_DIR", "pretrained_path", "load_pretrained", "available", "load_or_train", "provenance",
           "PAPER_PATCHES", "schedule_share"]

PRETRAINED_DIR = Path(__file__).with_name("pretrained")
MAIN = "vdsr20_x234"


def available() -> list[str]:
    """Names of the shipped models."""
    return sorted(p.stem for p in PRETRAINED_DIR.glob("*.safetensors"))


def pretrained_path(name: str = MAIN) -> Path:
    """Path of a shipped model's weights; a clear error if it is not shipped."""
    path = PRETRAINED_DIR / f"{name}.safetensors"
    if not path.is_file():
        have = ", ".join(available()) or "none yet"
        raise FileNotFoundError(f"no shipped model {name!r} (shipped: {have}); train one with "
                                f"`python -m vdsr_lib reproduce main` or pass a checkpoint path")
    return path


def load_pretrained(name: str = MAIN, device: str = "cpu") -> VDSR:
    """Load a shipped model (default: the main VDSR-20 for x2, x3 and x4)."""
    return load_model(pretrained_path(name), device=device)


def provenance(model: VDSR) -> str:
    """One line on where a loaded model comes from (its JSON metadata): recipe, state, hardware."""
    meta = getattr(model, "meta", {}) or {}
    recipe = meta.get("recipe", {})
    scales = "/".join(f"x{s}" for s in meta.get("scales") or getattr(model, "scales", ()))
    done, total = meta.get("epochs_done"), recipe.get("epochs")
    if meta.get("finished", True):
        state = f"finished ({done} of {total} epochs)" if done is not None else "finished"
    else:
        state = f"a SNAPSHOT of a run in progress after {done} of {total} epochs"
    took = seconds_text(meta.get("wall_time_s") or 0.0)
    schedule = ""
    if {"epochs", "iters_per_epoch", "batch"} <= recipe.keys():
        iters = recipe["epochs"] * recipe["iters_per_epoch"]
        schedule = (f"{iters:,} iterations of {recipe['batch']} patches ({iters * recipe['batch']:,} patches, "
                    f"{schedule_share(iters * recipe['batch'])}), ")
    return (f"VDSR-{model.depth} (width {model.width}) for {scales}: {state}; budget {meta.get('budget', '?')}, "
            f"{schedule}trained on {meta.get('hardware', '?')} in {took}, commit {meta.get('commit', '?')}")


def load_or_train(budget: str | None = None, out_root: str | Path | None = None, name: str = MAIN,
                  progress: bool = False) -> tuple[VDSR, str]:
    """The shipped model ``name`` if there is one, else a small model trained live now.

    Returns ``(model, provenance)``: the network in eval mode on
    :func:`~vdsr_lib.inference.default_device`, with its metadata as ``model.meta``, and one line
    that says where it comes from. The live stand-in is NOT the reproduction: at the ``quick``
    budget it is a VDSR-8 of width 32 trained for 200 iterations of 16 patches on 20 images (about
    a minute on an idle 2-core CPU), at ``full`` a VDSR-20 trained for 1,000 iterations of 64
    patches on the 291 images (minutes on a GPU). ``python -m vdsr_lib reproduce main --budget full
    --ship`` trains and ships the real model. ``out_root``: where the live run is written
    (default: a new temporary folder, so the model is always trained afresh).
    """
    device = default_device()
    if name in available():
        model = load_pretrained(name, device=str(device))
        return model, f"shipped model {name!r}: {provenance(model)}"
    budget = budget or budget_name()
    if budget == "full":
        cfg = replace(MAIN_RECIPE, epochs=10, iters_per_epoch=100, val_every=10)
    elif budget == "quick":
        cfg = replace(MAIN_RECIPE, depth=8, width=32, batch=16, epochs=1, iters_per_epoch=200, max_images=20,
                      val_scales=(2,), lr=ADAM_QUICK_LR)
    else:
        raise ValueError(f"budget must be 'quick' or 'full', got {budget!r}")
    out = Path(out_root) if out_root is not None else Path(tempfile.mkdtemp(prefix="vdsr_live_"))
    history = train(cfg, out / "live_main", resume=False, progress=progress)
    if history["diverged"]:
        raise RuntimeError(f"the live stand-in model diverged: {history.get('divergence')}")
    model = load_model(out / "live_main" / "model.safetensors", device=device)
    n_images = f"{cfg.max_images} images" if cfg.max_images else f"the {cfg.train_set} images"
    size = "tiny " if budget == "quick" else "short "
    return model, (f"{size}LIVE stand-in (not the reproduction; shipped model {name!r} is not available): "
                   f"VDSR-{cfg.depth} of width {cfg.width}, {cfg.total_iters} iterations of {cfg.batch} patches "
                   f"on {n_images}, trained just now in {history['wall_time_s']:.0f} s on {history['hardware']}. "
                   f"The real one: `python -m vdsr_lib reproduce main --budget full --ship`")
