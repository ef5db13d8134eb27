"""Which memory format and precision run VDSR fastest on this machine: measured, not guessed.

A 3x3 convolution network runs at very different speeds depending on the tensor layout
(``channels_last`` vs the default contiguous NCHW) and the precision (bfloat16 autocast vs fp32):
on a CPU with AMX, bf16 + channels_last trains VDSR 4-5x faster than fp32 NCHW, while on a plain AVX2
CPU bf16 is 20x slower and channels_last can lose too. So :func:`fastest` times a few steps of each
candidate and keeps the best; the answer is cached per machine and torch version (a JSON file in the
cache folder), so the measurement costs a few seconds once.

Overrides: ``VDSR_MEMORY_FORMAT=channels_last|contiguous`` and ``VDSR_PRECISION=fp32|bf16`` in the
environment, or the explicit arguments of the trainer and the command line.
"""
from __future__ import annotations

import json
import os
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from .model import VDSR

__all__ = ["Choice", "fastest", "bf16_capable", "cache_path", "time_steps", "describe"]

KINDS = ("train", "infer")


@dataclass(frozen=True)
class Choice:
    """A way to run the network: precision and memory format, and how it was decided."""

    bf16: bool
    channels_last: bool
    how: str = "measured"  # "measured", "cached", "set" (an argument or the environment), "default"

    @property
    def precision(self) -> str:
        return "bf16" if self.bf16 else "fp32"

    @property
    def memory_format(self) -> str:
        return "channels_last" if self.channels_last else "contiguous"

    def __str__(self) -> str:
        return f"{self.precision}, {self.memory_format} ({self.how})"


def bf16_capable(device: torch.device) -> bool:
    """Whether bf16 is worth measuring here: CUDA with bf16, or a CPU whose oneDNN has native bf16
    (AVX-512 BF16 or AMX). Elsewhere bf16 convolutions are emulated and far slower (about 20x)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return False


def cache_path() -> Path:
    """``$VDSR_CACHE/speed.json`` (the download cache's folder), else the OS cache folder."""
    from .datasets import _cache_dir

    return _cache_dir() / "speed.json"


def _machine_key(device: torch.device, kind: str) -> str:
    from .checkpoint import hardware_string

    return f"{hardware_string(device)} | torch {torch.__version__} | {device.type} | {kind}"


class _Candidate:
    """One way to run a small VDSR, ready to be timed step by step."""

    def __init__(self, kind: str, bf16: bool, channels_last: bool, device: torch.device, depth: int = 10,
                 batch: int = 16, size: int = 41) -> None:
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):  # caller's RNG untouched
            torch.manual_seed(0)
            model = VDSR(depth).to(device)
            shape = (batch, 1, size, size) if kind == "train" else (1, 1, 8 * size, 8 * size)
            x = torch.rand(shape, device=device)
        fmt = torch.channels_last if channels_last else torch.contiguous_format
        self.model, self.x = model.to(memory_format=fmt), x.contiguous(memory_format=fmt)
        self.kind, self.device = kind, device
        self.cast = (lambda: torch.autocast(device.type, dtype=torch.bfloat16)) if bf16 else nullcontext
        self.opt = torch.optim.SGD(self.model.parameters(), lr=1e-6)

    def step(self) -> float:
        """Seconds of one training step (forward, backward, SGD) or one inference pass."""
        t = time.perf_counter()
        if self.kind == "train":
            with self.cast():
                out = self.model(self.x)
            loss = out.float().square().mean()
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
        else:
            with torch.inference_mode(), self.cast():
                self.model(self.x)
        if self.device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - t


def time_steps(kind: str, combos: list[tuple[bool, bool]], device: torch.device, steps: int = 3) -> list[float]:
    """Median seconds of one step for each ``(bf16, channels_last)`` in ``combos``. The candidates
    take turns, step by step, so a load that comes and goes on the machine slows them alike; each
    one's first step (kernel choice, allocator) is not counted."""
    candidates = [_Candidate(kind, p, f, device) for p, f in combos]
    times: list[list[float]] = [[] for _ in candidates]
    for i in range(steps + 1):
        for c, ts in zip(candidates, times):
            t = c.step()
            if i:
                ts.append(t)
    return [sorted(ts)[len(ts) // 2] for ts in times]


def _name(bf16: bool, channels_last: bool) -> str:
    return f"{'bf16' if bf16 else 'fp32'}/{'channels_last' if channels_last else 'contiguous'}"


def _env_override(name: str, allowed: dict[str, bool]) -> bool | None:
    value = os.environ.get(name, "").strip().lower()
    if not value or value == "auto":
        return None
    if value not in allowed:
        raise ValueError(f"{name}={value!r}: use one of {', '.join(allowed)} or auto")
    return allowed[value]


def fastest(kind: str, device: torch.device | str = "cpu", bf16: bool | None = None,
            channels_last: bool | None = None, use_cache: bool = True) -> Choice:
    """The fastest way to run VDSR for ``kind`` ("train" or "infer") on ``device``.

    ``bf16`` / ``channels_last`` fix that choice (None: decide). Precision is only measured when
    ``bf16`` is None; callers that need exact numbers (benchmarks) pass ``bf16=False``. A fixed choice
    from the arguments or the environment is returned as ``how="set"`` without any measurement.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    device = torch.device(device)
    if channels_last is None:
        channels_last = _env_override("VDSR_MEMORY_FORMAT", {"channels_last": True, "contiguous": False})
    if bf16 is None:
        bf16 = _env_override("VDSR_PRECISION", {"bf16": True, "fp32": False})
    if bf16 is not None and channels_last is not None:
        return Choice(bf16, channels_last, "set")
    if device.type not in ("cpu", "cuda"):  # MPS and others: what works everywhere
        return Choice(bool(bf16), bool(channels_last), "default")
    precisions = [bf16] if bf16 is not None else ([False, True] if bf16_capable(device) else [False])
    formats = [channels_last] if channels_last is not None else [False, True]
    key = _machine_key(device, kind)
    path = cache_path()
    cache: dict = {}
    if use_cache:
        try:
            cache = json.loads(path.read_text())
        except (OSError, ValueError):
            cache = {}
    timings: dict[str, float] = dict(cache.get(key, {}))
    combos = [(p, f) for p in precisions for f in formats]
    missing = [c for c in combos if _name(*c) not in timings]
    measured = bool(missing)
    if missing:  # measure all candidates together, so that they share the machine's load alike
        timings.update(zip((_name(*c) for c in combos), time_steps(kind, combos, device)))
    if measured and use_cache:
        cache[key] = timings
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(cache, indent=1) + "\n")
            tmp.replace(path)
        except OSError:
            pass  # a read-only cache folder: measure again next time
    candidates = {c: timings[_name(*c)] for c in combos}
    best = min(candidates, key=candidates.get)
    return Choice(best[0], best[1], "measured" if measured else "cached")


def describe(choice: Choice) -> dict:
    """A JSON-ready record of a choice (stored in training histories and the bench output)."""
    return {**asdict(choice), "precision": choice.precision, "memory_format": choice.memory_format}
