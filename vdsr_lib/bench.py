"""Throughput benchmark: the real trainer against a bare training loop, in fp32 and bf16, in both
memory formats; evaluation and inference times.

The bare loop is forward + loss + backward + SGD step on random tensors, nothing else; the
trainer adds sampling, clipping and logging. Their ratio is the trainer's overhead. Bare loops run
in both memory formats (contiguous NCHW and channels_last) and both precisions; the trainer runs
in what ``vdsr_lib.speed`` picks here and is compared with the fastest bare loop. bf16 is only
fast on hardware with native bf16 (CUDA, or CPUs with AVX-512 BF16 / AMX): elsewhere it is
measured anyway, with as few steps as possible, and reported as such. Evaluation: Set5 x2 through
:func:`vdsr_lib.benchmark.evaluate_pairs` against a plain fp32 channels_last loop over the same pairs.
"""
from __future__ import annotations

import io
import time
from contextlib import nullcontext, redirect_stderr
from typing import Any

import numpy as np
import torch

from .checkpoint import hardware_string
from .inference import default_device, predict_y
from .model import VDSR
from .speed import describe, fastest
from .train import TrainConfig, fast_bf16, train

__all__ = ["bare_loop", "trainer_throughput", "infer_time", "eval_times", "run_bench"]


def bare_loop(bf16: bool, seconds: float = 20.0, batch: int = 64, depth: int = 20, patch: int = 41,
              device: torch.device | None = None, channels_last: bool = False) -> float:
    """Patches per second of a minimal training loop (first step is warm-up, not counted)."""
    device = device or default_device()
    torch.manual_seed(0)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = VDSR(depth).to(device).to(memory_format=fmt)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, weight_decay=1e-4)
    x = torch.rand(batch, 1, patch, patch, device=device).contiguous(memory_format=fmt)
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


def trainer_throughput(bf16: bool, iters: int, batch: int = 64, depth: int = 20,
                       channels_last: bool | None = None) -> float:
    """Patches per second of :func:`vdsr_lib.train` (steps only: data preparation and validation
    are outside the timed part); one warm-up epoch of 1 step, then ``iters`` timed steps.
    ``channels_last=None``: the memory format the trainer picks (measured, ``vdsr_lib.speed``)."""
    cfg = TrainConfig(depth=depth, batch=batch, epochs=2, iters_per_epoch=1, train_set="Set5",
                      scales=(2, 3, 4), val_set="Set5", val_scales=(2,), val_every=1000, bf16=bf16,
                      channels_last=channels_last, optimizer="sgd", lr=0.1, clip="adjustable", theta=1e-4,
                      loss="sum")
    # A step or two cannot lift PSNR, so the trainer's collapse warning would be noise here.
    with redirect_stderr(io.StringIO()):
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


def eval_times(model: torch.nn.Module | None = None, root: str | None = None) -> dict[str, float]:
    """Set5 x2 (the paper's protocol, fp32): seconds of :func:`vdsr_lib.benchmark.evaluate_pairs` and of a
    plain channels_last fp32 loop over the same pairs, and the largest PSNR difference between the two."""
    from .benchmark import _pairs, evaluate_pairs
    from .datasets import load_dataset
    from .degrade import quantize
    from .metrics import psnr

    if model is None:
        from .pretrained import load_pretrained

        model = load_pretrained(device=default_device())
    ds = load_dataset("Set5", root=root)
    pairs = _pairs(ds, 2, root)
    evaluate_pairs(model, pairs[:1], 2)  # warm-up
    t = time.perf_counter()
    ours = evaluate_pairs(model, pairs, 2)
    t_ours = time.perf_counter() - t
    plain = model.to(memory_format=torch.channels_last).eval()
    t = time.perf_counter()
    ref = []
    with torch.inference_mode():
        for p in pairs:
            x = torch.from_numpy(p.ilr_y.astype(np.float32))[None, None].contiguous(memory_format=torch.channels_last)
            y = plain(x).clamp(0, 1)[0, 0].numpy()
            ref.append(psnr(quantize(y) * 255.0, np.round(p.hr_y.astype(np.float64) * 255.0), 2))
    t_plain = time.perf_counter() - t
    return {"eval_set5_x2_s": round(t_ours, 3), "plain_channels_last_set5_x2_s": round(t_plain, 3),
            "eval_over_plain": round(t_ours / t_plain, 3),
            "eval_psnr_max_diff_db": float(max(abs(r.psnr - q) for r, q in zip(ours, ref)))}


def run_bench(seconds: float = 20.0, batch: int = 64, depth: int = 20, root: str | None = None) -> dict[str, Any]:
    """All figures in one dict (the CLI prints it as JSON). Keys: ``bare_{fp32,bf16}`` (contiguous) and
    ``bare_{fp32,bf16}_channels_last``; ``trainer_{fp32,bf16}`` in the memory format the trainer picks;
    ``trainer_over_best_bare``: the trainer in its chosen way against the fastest bare loop."""
    device = default_device()
    train_choice = fastest("train", device)
    out: dict[str, Any] = {"device": hardware_string(device), "torch": torch.__version__,
                           "fast_bf16": fast_bf16(device), "batch": batch, "depth": depth,
                           "train_choice": describe(train_choice),
                           "infer_choice": describe(fastest("infer", device)),
                           "eval_choice": describe(fastest("infer", device, bf16=False))}
    bare: dict[tuple[bool, bool], float] = {}
    for name, bf16 in (("fp32", False), ("bf16", True)):
        budget = seconds if (not bf16 or out["fast_bf16"]) else 1e-9  # slow bf16: one timed step
        for cl in (False, True):
            bare[bf16, cl] = bare_loop(bf16, budget, batch, depth, channels_last=cl)
            out[f"bare_{name}{'_channels_last' if cl else ''}"] = round(bare[bf16, cl], 2)
        best_bare = max(bare[bf16, False], bare[bf16, True])
        iters = max(2, int(round(best_bare * seconds / batch))) if budget == seconds else 1
        out[f"trainer_{name}"] = round(trainer_throughput(bf16, iters, batch, depth), 2)
        out[f"trainer_{name}_iters"] = iters
    out["trainer_bf16_over_bare_bf16"] = round(out["trainer_bf16"] / out["bare_bf16"], 3)
    out["trainer_fp32_over_bare_fp32"] = round(out["trainer_fp32"] / out["bare_fp32"], 3)
    out["trainer_bf16_over_bare_fp32"] = round(out["trainer_bf16"] / out["bare_fp32"], 3)
    chosen = out[f"trainer_{train_choice.precision}"]
    out["best_bare"] = round(max(bare.values()), 2)
    out["trainer_over_best_bare"] = round(chosen / max(bare.values()), 3)
    out["infer_512_s"] = round(infer_time(512, depth), 3)
    out.update(eval_times(root=root))
    return out
