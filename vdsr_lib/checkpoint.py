"""Model files: weights in safetensors (no pickle) plus a JSON of hyper-parameters and provenance.

``name.safetensors`` holds the ``state_dict``; ``name.json`` beside it holds ``{"model": {depth,
width, residual, in_channels}, "scales": [...], "recipe": {...}, "budget": ..., "hardware": ...,
"wall_time_s": ..., "commit": ..., "metrics": {...}}``. :func:`load_model` rebuilds the network
from the JSON and refuses weights that do not fit it, with a message that says why.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from .atomic import atomic_path, write_atomic
from .model import VDSR

__all__ = ["save_model", "load_model", "read_meta", "hardware_string", "git_commit"]


def _paths(path: str | os.PathLike) -> tuple[Path, Path]:
    p = Path(path)
    if p.suffix == ".json":
        p = p.with_suffix(".safetensors")
    elif p.suffix != ".safetensors":
        p = p.with_name(p.name + ".safetensors")
    return p, p.with_suffix(".json")


def save_model(path: str | os.PathLike, model: VDSR, meta: dict[str, Any] | None = None,
               half: bool = False) -> Path:
    """Write ``path`` (.safetensors) and its .json, each atomically (the weights first, so a JSON always
    describes the weights beside it); ``half`` stores fp16 weights (half the size)."""
    weights, meta_path = _paths(path)
    weights.parent.mkdir(parents=True, exist_ok=True)
    dtype = torch.float16 if half else torch.float32
    state = {k: v.detach().to("cpu", dtype).contiguous() for k, v in model.state_dict().items()}
    with atomic_path(weights) as tmp:
        save_file(state, str(tmp))
    info = dict(meta or {})
    info["model"] = {"depth": model.depth, "width": model.width, "residual": model.residual,
                     "in_channels": model.in_channels}
    info.setdefault("scales", sorted(getattr(model, "scales", []) or []))
    info["dtype"] = "float16" if half else "float32"
    write_atomic(meta_path, json.dumps(info, indent=2, sort_keys=True) + "\n")
    return weights


def read_meta(path: str | os.PathLike) -> dict[str, Any]:
    """The JSON metadata of a saved model."""
    _, meta_path = _paths(path)
    if not meta_path.is_file():
        raise FileNotFoundError(f"no metadata file {meta_path} beside the weights; a model is saved "
                                f"as NAME.safetensors + NAME.json by vdsr_lib.save_model")
    try:
        meta = json.loads(meta_path.read_text())
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError(f"{meta_path} is not readable JSON ({err}); it is the metadata of the model beside "
                         f"it: restore it, or train or ship the model again") from err
    if not isinstance(meta, dict):
        raise ValueError(f"{meta_path} is not a model's metadata (a JSON object); restore it, or train or "
                         f"ship the model again")
    return meta


def load_model(path: str | os.PathLike, device: str | torch.device = "cpu") -> VDSR:
    """Rebuild a :class:`~vdsr_lib.model.VDSR` from ``path`` (.safetensors with its .json); weights come back fp32."""
    weights, _ = _paths(path)
    if not weights.is_file():
        raise FileNotFoundError(f"no model file {weights}")
    meta = read_meta(weights)
    try:
        model = VDSR(**meta["model"])
    except (KeyError, TypeError) as err:
        raise ValueError(f"{weights}: its JSON has no usable 'model' entry ({err})") from err
    try:
        state = load_file(str(weights))
    except Exception as err:
        raise ValueError(f"{weights} is not a readable safetensors file ({err})") from err
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    wrong = [k for k in expected if k in state and state[k].shape != expected[k].shape]
    if missing or extra or wrong:
        raise ValueError(f"{weights} does not fit VDSR({meta['model']}): missing {missing[:3]}, "
                         f"unexpected {extra[:3]}, wrong shapes {wrong[:3]}; is the JSON from another model?")
    model.load_state_dict({k: v.float() for k, v in state.items()})
    model.scales = tuple(meta.get("scales") or ())
    model.meta = meta
    return model.to(device).eval()


def hardware_string(device: torch.device | str = "cpu") -> str:
    """A short description of the machine: GPU name, or CPU model and core count."""
    device = torch.device(device)
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)} (CUDA)"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    n = torch.get_num_threads()
    return f"{cpu}, {n} thread{'' if n == 1 else 's'}"


def git_commit() -> str:
    """The current git commit of the repository, or 'unknown'."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             cwd=Path(__file__).parent, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"
