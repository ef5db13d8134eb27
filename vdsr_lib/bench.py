"""Throughput benchmark: the real trainer against a bare training loop, in fp32 and bf16.

The bare loop is forward + loss + backward + SGD step on random tensors, nothing else; the
trainer adds sampling, clipping and logging. Their ratio is the trainer's overhead. bf16 is only
fast on hardware with native bf16 (CUDA, or CPUs with AVX-512 BF16 / AMX): elsewhere it is
measured anyway, with as few steps as possible, and reported as such.
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from typing import Any

import numpy as np
import torch

from .checkpoint import hardware_string
from .inference import default_device, predict_y
from .model import VDSR
from .train import TrainConfig, fast_bf16, train

__all__ = ["bare_loop", "trainer_throughput", "infer_time", "run_bench"]


def bare_loop(bf16: bool, seconds: float = 20.0, batch: int = 64, depth: int = 20, patch: int = 41,
              device: torch.device | None = None) -> float:
    """Patches per second of a minimal training loop (first step is warm-up, not counted)."""
    device = device or default_device()
    torch.manual_seed(0)
    model = VDSR(depth).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, weight_decay=1e-4)
    x = torch.rand(batch, 1, patch, patch, device=device)
    y = torch.rand_like(x)
    cast = torch.autocast(device.type, dtype=torch.bfloat16) if bf16 else nullcontext()
    done, t0 = -1, 0.0
    while True:
        with cast:
            pred = model(x)
        loss = (pred.float() - y).pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        done += 1
        if done == 0:
            t0 = time.perf_counter()
        elif time.perf_counter() - t0 >= seconds or done >= 10_000:
            return done * batch / (time.perf_counter() - t0)


def trainer_throughput(bf16: bool, iters: int, batch: int = 64, depth: int = 20) -> float:
    """Patches per second of :func:`vdsr_lib.train` (steps only: data preparation and validation
    are outside the timed part); one warm-up epoch of 1 step, then ``iters`` timed steps."""
    cfg = TrainConfig(depth=depth, batch=batch, epochs=2, iters_per_epoch=1, train_set="Set5",
                      scales=(2, 3, 4), val_set="Set5", val_scales=(2,), val_every=1000, bf16=bf16,
                      optimizer="sgd", lr=0.1, clip="adjustable", theta=1e-4, loss="sum")
    warm = train(cfg, progress=False)  # warm-up run: kernels, allocator
    del warm
    cfg.iters_per_epoch, cfg.epochs = iters, 1
    hist = train(cfg, progress=False)
    return iters * batch / hist["epochs"][-1]["train_s"]


def infer_time(size: int = 512, depth: int = 20, repeats: int = 3) -> float:
    """Seconds to run VDSR-``depth`` on one ``size`` x ``size`` luminance image (best of ``repeats``)."""
    model = VDSR(depth).to(default_device())
    image = np.random.default_rng(0).random((size, size)).astype(np.float32)
    predict_y(model, image, tile=None)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        predict_y(model, image, tile=None)
        best = min(best, time.perf_counter() - t)
    return best


def run_bench(seconds: float = 20.0, batch: int = 64, depth: int = 20) -> dict[str, Any]:
    """All figures in one dict (the CLI prints it as JSON)."""
    device = default_device()
    out: dict[str, Any] = {"device": hardware_string(device), "torch": torch.__version__,
                           "fast_bf16": fast_bf16(device), "batch": batch, "depth": depth}
    for name, bf16 in (("fp32", False), ("bf16", True)):
        budget = seconds if (not bf16 or out["fast_bf16"]) else 1e-9  # slow bf16: one timed step
        bare = bare_loop(bf16, budget, batch, depth)
        iters = max(2, int(round(bare * seconds / batch))) if budget == seconds else 1
        out[f"bare_{name}"] = round(bare, 2)
        out[f"trainer_{name}"] = round(trainer_throughput(bf16, iters, batch, depth), 2)
        out[f"trainer_{name}_iters"] = iters
    out["trainer_bf16_over_bare_bf16"] = round(out["trainer_bf16"] / out["bare_bf16"], 3)
    out["trainer_fp32_over_bare_fp32"] = round(out["trainer_fp32"] / out["bare_fp32"], 3)
    out["trainer_bf16_over_bare_fp32"] = round(out["trainer_bf16"] / out["bare_fp32"], 3)
    out["infer_512_s"] = round(infer_time(512, depth), 3)
    return out
