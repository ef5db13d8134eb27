"""The models this project trained and ships (``vdsr_lib/pretrained/``), with their metadata.

Each is ``NAME.safetensors`` + ``NAME.json`` written by ``python -m vdsr_lib reproduce ...``; the
JSON says how it was trained (recipe, budget, hardware, wall time, commit) and what it scored.
"""
from __future__ import annotations

from pathlib import Path

from .checkpoint import load_model
from .model import VDSR

__all__ = ["PRETRAINED_DIR", "pretrained_path", "load_pretrained", "available"]

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
