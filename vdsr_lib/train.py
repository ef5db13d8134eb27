"""Training VDSR: the paper's recipe and the alternatives the book compares, with resume.

:func:`train` runs ``epochs`` x ``iters_per_epoch`` steps of ``batch`` random patches. Each step
records loss, learning rate, gradient norm and the fraction of clipped gradients; each epoch
records validation PSNR, writes ``history.json`` and a resumable ``state.pt`` into ``out_dir``
(an interrupted run loses at most one epoch), and ends with ``model.safetensors`` + ``model.json``.
Every file is written atomically (``vdsr_lib.atomic``): a run killed at any moment resumes to
the same weights as an uninterrupted one. A resumed run is checked against its configuration; a
run file that cannot be read is named in a one-line error, or written again from the others.
A non-finite loss ends the run with ``history["diverged"]`` set; a network whose output stays the
bicubic input is flagged as ``history["collapsed"]``.
"""
from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .atomic import atomic_path, ensure_writable, remove_stray_temporaries, write_atomic
from .checkpoint import git_commit, hardware_string, load_model, save_model
from .clipping import CLIP_MODES, clip_gradients
from .datasets import load_dataset
from .degrade import PROTOCOLS, TASKS, pair_maker
from .inference import default_device, predict_y
from .metrics import score_y
from .model import VDSR
from .patches import PatchSampler
from .speed import bf16_capable, describe, fastest

__all__ = ["TrainConfig", "train", "validate", "config_diff", "TrainingDiverged"]


class TrainingDiverged(RuntimeError):
    """Raised internally when the loss becomes NaN or infinite."""


@dataclass
class TrainConfig:
    """Everything that defines a training run (saved with the model)."""

    depth: int = 20
    width: int = 64
    residual: bool = True
    scales: tuple[int, ...] = (2, 3, 4)  # for task "denoise"/"jpeg": noise sigmas / JPEG qualities
    task: str = "sr"                  # "sr", "denoise" or "jpeg" (chapter 10)
    protocol: str = "paper"           # training/validation pairs: "paper" (Y first) or "selfexsr"
    train_set: str = "291"            # a dataset folder name, or "291" = T91 + BSD200
    max_images: int | None = None     # use only the first N training images (quick budgets)
    patch: int = 41
    batch: int = 64
    epochs: int = 80
    iters_per_epoch: int = 125        # the paper: 9960 iterations in 80 epochs
    optimizer: str = "sgd"            # "sgd" (paper) or "adam"
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 1e-4
    schedule: str = "step"            # "step": lr * gamma every lr_step epochs; "cosine"; "constant"
    lr_step: int = 20
    lr_gamma: float = 0.1
    clip: str = "adjustable"          # none | value | norm | adjustable
    theta: float = 1e-4
    loss: str = "sum"                 # "sum": 1/2 sum over pixels, mean over batch (paper); "mean": MSE
    zero_init_last: bool = True
    bf16: bool | None = None          # bfloat16 autocast; None: whichever precision trains faster here
    channels_last: bool | None = None  # memory format; None: whichever trains faster here (vdsr_lib.speed)
    compile: bool = False
    seed: int = 0
    val_set: str = "Set5"
    val_scales: tuple[int, ...] = field(default_factory=tuple)  # default: the training scales
    val_every: int = 1                # epochs
    device: str | None = None

    def __post_init__(self) -> None:
        self.scales = tuple(int(s) for s in self.scales)
        self.val_scales = tuple(int(s) for s in (self.val_scales or self.scales))
        if self.clip not in CLIP_MODES:
            raise ValueError(f"clip must be one of {CLIP_MODES}, got {self.clip!r}")
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}, got {self.protocol!r}")
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(f"optimizer must be 'sgd' or 'adam', got {self.optimizer!r}")
        if self.loss not in ("sum", "mean"):
            raise ValueError(f"loss must be 'sum' or 'mean', got {self.loss!r}")
        if self.schedule not in ("step", "cosine", "constant"):
            raise ValueError(f"schedule must be step, cosine or constant, got {self.schedule!r}")
        if self.task == "sr" and (not self.scales or any(s not in (2, 3, 4) for s in self.scales)):
            raise ValueError(f"scales must be a non-empty subset of 2, 3, 4, got {self.scales}")
        if self.task not in ("sr",) + TASKS:
            raise ValueError(f"task must be sr, {' or '.join(TASKS)}, got {self.task!r}")
        for name in ("depth", "width", "patch", "batch", "epochs", "iters_per_epoch", "lr_step", "val_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.depth < 2:
            raise ValueError(f"depth must be at least 2 (weight layers), got {self.depth}")
        if self.max_images is not None and self.max_images < 1:
            raise ValueError(f"max_images must be a positive integer or None (all), got {self.max_images}")
        for name in ("lr", "theta", "lr_gamma"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        for name in ("momentum", "weight_decay"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be zero or a positive number, got {value!r}")
        if self.task != "sr" and (not self.scales or any(s < 1 for s in self.scales)):
            raise ValueError(f"scales (the {self.task} levels) must be positive, got {self.scales}")

    @property
    def total_iters(self) -> int:
        return self.epochs * self.iters_per_epoch


def fast_bf16(device: torch.device) -> bool:
    """Whether bf16 is native here (CUDA with bf16, or a CPU with AVX-512 BF16 or AMX); the trainer
    measures whether it is also faster (``vdsr_lib.speed.fastest``)."""
    return bf16_capable(device)


def learning_rate(cfg: TrainConfig, step: int) -> float:
    """The learning rate at global step ``step`` (0-based)."""
    if cfg.schedule == "constant":
        return cfg.lr
    if cfg.schedule == "cosine":
        return cfg.lr * 0.5 * (1 + math.cos(math.pi * step / cfg.total_iters))
    return cfg.lr * cfg.lr_gamma ** ((step // cfg.iters_per_epoch) // cfg.lr_step)


def _loss(pred: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    diff = (pred.float() - target).flatten(1)
    if kind == "sum":
        return 0.5 * diff.pow(2).sum(1).mean()
    return diff.pow(2).mean()


def validate(model: VDSR, pairs: dict[int, list], bf16: bool = False, shave_scale: bool = True) -> dict[int, float]:
    """Mean Y-PSNR of ``model`` on prepared pairs, per scale (border of ``scale`` shaved)."""
    out = {}
    for s, items in pairs.items():
        vals = [score_y(predict_y(model, p.ilr_y, bf16=bf16), p.hr_y, s if shave_scale else 0) for p in items]
        out[s] = float(np.mean(vals))
    return out


def _bicubic_psnr(pairs: dict[int, list], shave_scale: bool = True) -> dict[int, float]:
    return {s: float(np.mean([score_y(p.ilr_y, p.hr_y, s if shave_scale else 0) for p in items]))
            for s, items in pairs.items()}


class _Log:
    """A tqdm progress bar on a terminal or in Jupyter; a line per epoch elsewhere (CI logs)."""

    def __init__(self, total: int, initial: int, enabled: bool) -> None:
        self.bar = None
        self.enabled = enabled
        if enabled and (sys.stderr.isatty() or "ipykernel" in sys.modules):
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, initial=initial, unit="it", dynamic_ncols=True)

    def step(self, loss: float) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.4g}", refresh=False)

    def epoch(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_description(text)
        elif self.enabled:
            print(text, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _save_state(path: Path, model, opt, sampler, epoch: int, history: dict) -> None:
    with atomic_path(path) as tmp:  # an interruption never leaves a half-written checkpoint
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "sampler": sampler.state(),
                    "epoch": epoch, "history": history, "torch_rng": torch.get_rng_state()}, tmp)


_STATE_KEYS = {"model", "optimizer", "sampler", "epoch", "history", "torch_rng"}
_START_OVER = "delete it, or rerun with --no-resume (train(resume=False)) to start over"


def _load_state(path: Path, device: torch.device, cfg: "TrainConfig") -> dict[str, Any]:
    """The resumable state in ``path``, checked against ``cfg``; a one-line ``ValueError`` that names
    the file and what to do if it is unreadable, not a training state, or another run's."""
    try:
        state = torch.load(path, map_location=device, weights_only=True)
    except Exception as err:  # truncated, garbage, not a torch file: torch raises several types
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ValueError(f"{path} is unreadable ({first}); the run cannot be resumed from it: {_START_OVER}") from err
    if not (isinstance(state, dict) and _STATE_KEYS <= state.keys() and isinstance(state["history"], dict)
            and isinstance(state["history"].get("config"), dict)):
        raise ValueError(f"{path} is not a training state written by vdsr_lib; {_START_OVER}")
    diff = config_diff(state["history"]["config"], cfg)
    if diff:
        raise ValueError(f"{path} is the state of a run with another configuration {diff}; use another output "
                         f"folder, or {_START_OVER}")
    return state


def _read_json(path: Path) -> dict[str, Any] | None:
    """A run's JSON file; None if it is absent or unreadable (the caller recovers or says so)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _model_current(path: Path, history: dict[str, Any]) -> bool:
    """Whether ``path`` is a readable model of the run as ``history`` ends (not an earlier snapshot)."""
    try:
        meta = load_model(path).meta
    except (OSError, ValueError):
        return False
    last = history["epochs"][-1]["epoch"] if history["epochs"] else 0
    return meta.get("epochs_done") == last and meta.get("finished") == history["finished"]


def _write_model(out: Path, model: VDSR, cfg: "TrainConfig", history: dict[str, Any]) -> None:
    """``out/model.safetensors`` + ``model.json``: the weights as they stand, with the run's provenance."""
    last = history["epochs"][-1] if history["epochs"] else {}
    meta = {"recipe": asdict(cfg), "hardware": history["hardware"], "wall_time_s": history["wall_time_s"],
            "commit": git_commit(), "epochs_done": last.get("epoch", 0), "finished": history["finished"],
            "metrics": {"val_set": history["val_set"], "val_psnr": last.get("val_psnr", {})}}
    if history.get("stand_ins"):
        meta["stand_ins"] = STAND_IN_NOTE
    save_model(out / "model.safetensors", model.to(memory_format=torch.contiguous_format), meta)


def _repair(out: Path, model: VDSR, cfg: "TrainConfig", history: dict[str, Any]) -> None:
    """For a run that has nothing left to train: write again whichever of its files is missing,
    unreadable or older than its state (``config.json``, ``history.json``, the model): a kill after the
    last ``state.pt`` was written but before the others were loses nothing."""
    if _read_json(out / "config.json") is None:
        write_atomic(out / "config.json", json.dumps(asdict(cfg), indent=2) + "\n")
    stored = _read_json(out / "history.json")  # unreadable, or an epoch behind (killed between the two writes)
    if stored is None or len(stored.get("epochs", ())) != len(history["epochs"]) or \
            stored.get("finished") != history["finished"] or stored.get("diverged") != history["diverged"]:
        write_atomic(out / "history.json", json.dumps(history) + "\n")
    if not history.get("diverged") and not _model_current(out / "model.safetensors", history):
        _write_model(out, model, cfg, history)


#: What a run trained or validated on scikit-image's stand-in photos says about itself.
STAND_IN_NOTE = "offline stand-ins (scikit-image photos), not the benchmark data: its numbers are not comparable"


#: Keys added to TrainConfig whose default is not what runs stored before them did: those runs made
#: their pairs the SelfExSR way (``protocol`` came with the paper's own protocol, the new default).
LEGACY_DEFAULTS: dict[str, Any] = {"protocol": "selfexsr"}


def config_diff(saved: dict[str, Any], cfg: TrainConfig) -> dict[str, tuple[Any, Any]]:
    """How a stored run's configuration differs from ``cfg``: ``{key: (stored, cfg's)}``, empty if it
    is the same run. ``device`` is not compared, and keys added to TrainConfig after a run started are
    taken to have their default value (or, for ``LEGACY_DEFAULTS``, the value those runs used)."""
    mine = json.loads(json.dumps(asdict(cfg)))
    saved = {**LEGACY_DEFAULTS, **json.loads(json.dumps(saved))}  # tuples as lists, as in a JSON file
    return {k: (saved[k], v) for k, v in mine.items() if k in saved and saved[k] != v and k != "device"}


def _finished_without_state(out: Path, model: VDSR, cfg: TrainConfig) -> dict[str, Any] | None:
    """The history of a finished run in ``out`` that kept only ``history.json`` and its model (no
    ``state.pt``: a finished run needs no optimizer state), with the model loaded; else None."""
    hist_path, weights = out / "history.json", out / "model.safetensors"
    if (out / "state.pt").exists() or not (hist_path.exists() and weights.exists()):
        return None
    history = _read_json(hist_path)
    if history is None or not isinstance(history.get("config"), dict):
        raise ValueError(f"{hist_path} is unreadable and there is no state.pt to restore it from; the run's "
                         f"model is {weights}: keep it, and train again in another folder or with --no-resume")
    if not history.get("finished"):
        return None
    diff = config_diff(history["config"], cfg)
    if diff:
        raise ValueError(f"{out} holds a run with another configuration {diff}; use another output folder, or "
                         f"--no-resume (train(resume=False)) to start over")
    model.load_state_dict(load_model(weights).state_dict())
    if _read_json(out / "config.json") is None:
        write_atomic(out / "config.json", json.dumps(asdict(cfg), indent=2) + "\n")
    history["model"] = model
    return history


def train(cfg: TrainConfig, out_dir: str | Path | None = None, resume: bool = True, progress: bool = True,
          max_minutes: float | None = None, data_root: str | None = None,
          on_epoch: Callable[[dict], None] | None = None, stand_ins: bool = True) -> dict[str, Any]:
    """Train a VDSR by ``cfg``; returns the history (also saved as ``out_dir/history.json``).

    With ``out_dir`` and ``resume``, an existing ``state.pt`` there is continued from its last
    finished epoch (the config must match). ``max_minutes`` stops cleanly after the epoch in which
    the time runs out (resume later to continue). Data that is neither found nor downloadable is
    replaced by scikit-image's photos if ``stand_ins`` (the history and model say so:
    ``history["stand_ins"]``), else it is an error that says where the data was looked for.
    """
    torch.manual_seed(cfg.seed)
    device = torch.device(cfg.device) if cfg.device else default_device()
    choice = fastest("train", device, cfg.bf16, cfg.channels_last)  # measured once per machine, cached
    use_bf16, channels_last = choice.bf16, choice.channels_last
    out = Path(out_dir) if out_dir is not None else None
    state_path = out / "state.pt" if out else None
    if out:
        ensure_writable(out)
        remove_stray_temporaries(out)  # left by a write that a hard kill interrupted
        cfg_path = out / "config.json"
        # a run to resume, or a finished one kept without its optimizer state
        if resume and cfg_path.exists() and (state_path.exists() or (out / "model.safetensors").exists()):
            saved = _read_json(cfg_path)
            if saved is None:  # the state or history keep a copy: checked against it below
                print(f"warning: {cfg_path} is unreadable; the run is checked against the copy of its "
                      f"configuration in state.pt (or history.json) and the file written again", file=sys.stderr)
            elif config_diff(saved, cfg):
                raise ValueError(f"{out} holds a run with another configuration {config_diff(saved, cfg)}; use "
                                 f"another output folder, or --no-resume (train(resume=False)) to start over")

    model = VDSR(cfg.depth, cfg.width, cfg.residual, zero_init_last=cfg.zero_init_last).to(device)
    model.scales = cfg.scales
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    params = list(model.parameters())
    if cfg.optimizer == "sgd":
        opt = torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    else:
        opt = torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)

    state = None
    done = _finished_without_state(out, model, cfg) if out is not None and resume else None
    if done is not None:  # a finished run whose optimizer state was dropped to save space
        return done
    if state_path is not None and resume and state_path.exists():
        state = _load_state(state_path, device, cfg)
        if state["history"].get("finished") or state["history"].get("diverged"):
            model.load_state_dict(state["model"])  # nothing left to train: no data to prepare
            _repair(out, model, cfg, state["history"])
            state["history"]["model"] = model
            return state["history"]
    if out:
        write_atomic(cfg_path, json.dumps(asdict(cfg), indent=2) + "\n")

    train_ds = load_dataset(cfg.train_set, root=data_root, limit=cfg.max_images, fallback=stand_ins)
    sampler = PatchSampler(train_ds.images, cfg.scales, cfg.patch, seed=cfg.seed, task=cfg.task,
                           protocol=cfg.protocol)
    make, sr = pair_maker(cfg.task, cfg.protocol), cfg.task == "sr"
    val = load_dataset(cfg.val_set, root=data_root, fallback=stand_ins)
    val_pairs = {s: [make(im, s) for im in val.images] for s in cfg.val_scales}
    used_stand_ins = train_ds.is_fallback or val.is_fallback

    history: dict[str, Any] = {"config": asdict(cfg), "steps": [], "epochs": [], "diverged": False,
                               "collapsed": False, "finished": False, "wall_time_s": 0.0,
                               "bicubic_psnr": {str(k): v for k, v in _bicubic_psnr(val_pairs, sr).items()},
                               "val_set": val.name, "hardware": hardware_string(device),
                               "bf16": use_bf16, "channels_last": channels_last, "speed": describe(choice)}
    if used_stand_ins:
        history["stand_ins"] = STAND_IN_NOTE
    start_epoch = 0
    if state is not None:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sampler.set_state(state["sampler"])
        torch.set_rng_state(state["torch_rng"])
        history, start_epoch = state["history"], state["epoch"]
        here = hardware_string(device)  # a run resumed on another machine says so
        if here == history["hardware"].split(" + ")[-1]:  # same machine: keep the run's measured choice, so a
            if cfg.bf16 is None:                          # resumed run computes as an uninterrupted one does
                use_bf16 = bool(history["bf16"])
            if cfg.channels_last is None and history.get("channels_last") is not None:
                channels_last = bool(history["channels_last"])
                model = model.to(memory_format=torch.channels_last if channels_last else torch.contiguous_format)
        if here not in history["hardware"].split(" + "):
            history["hardware"] += f" + {here}"
        history["bf16"] = bool(history["bf16"] or use_bf16)
        if used_stand_ins:
            history["stand_ins"] = STAND_IN_NOTE

    step_fn = model
    if cfg.compile:
        step_fn = torch.compile(model)
    cast = torch.autocast(device.type, dtype=torch.bfloat16) if use_bf16 else nullcontext()
    log = _Log(cfg.total_iters, start_epoch * cfg.iters_per_epoch, progress)
    t_start, t_prev = time.perf_counter(), history["wall_time_s"]
    try:
        for epoch in range(start_epoch, cfg.epochs):
            model.train()
            t_epoch = time.perf_counter()
            for it in range(cfg.iters_per_epoch):
                step = epoch * cfg.iters_per_epoch + it
                lr = learning_rate(cfg, step)
                for g in opt.param_groups:
                    g["lr"] = lr
                x, y = sampler.sample(cfg.batch)
                x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
                if channels_last:
                    x = x.contiguous(memory_format=torch.channels_last)
                with cast:
                    pred = step_fn(x)
                loss = _loss(pred, y, cfg.loss)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                gnorm, frac = clip_gradients(params, cfg.clip, cfg.theta, lr)
                loss_v = loss.item()
                history["steps"].append({"step": step, "loss": loss_v, "lr": lr, "grad_norm": gnorm,
                                         "clipped": frac})
                if not (math.isfinite(loss_v) and math.isfinite(gnorm)):
                    raise TrainingDiverged(f"loss became {loss_v} at step {step} (epoch {epoch + 1})")
                opt.step()
                log.step(loss_v)
            record: dict[str, Any] = {"epoch": epoch + 1, "step": (epoch + 1) * cfg.iters_per_epoch,
                                      "lr": lr, "time_s": t_prev + time.perf_counter() - t_start,
                                      "train_s": time.perf_counter() - t_epoch,  # steps only, no validation
                                      "loss": float(np.mean([s["loss"] for s in history["steps"][-cfg.iters_per_epoch:]]))}
            if (epoch + 1) % cfg.val_every == 0 or epoch + 1 == cfg.epochs:
                record["val_psnr"] = {str(k): v for k, v in validate(model, val_pairs, shave_scale=sr).items()}
                gain = max(record["val_psnr"][k] - history["bicubic_psnr"][k] for k in record["val_psnr"])
                history["collapsed"] = bool(cfg.residual and epoch >= 1 and abs(gain) < 0.01)
            history["epochs"].append(record)
            history["wall_time_s"] = record["time_s"]
            history["finished"] = epoch + 1 == cfg.epochs
            val_txt = " ".join(f"x{k} {v:.2f}" for k, v in record.get("val_psnr", {}).items())
            log.epoch(f"epoch {epoch + 1}/{cfg.epochs} loss {record['loss']:.4g} lr {lr:.3g} {val_txt}")
            if on_epoch:
                on_epoch(record)
            if out:
                _save_state(state_path, model, opt, sampler, epoch + 1, history)
                write_atomic(out / "history.json", json.dumps(history) + "\n")
            if max_minutes is not None and time.perf_counter() - t_start > 60 * max_minutes:
                log.epoch(f"time budget of {max_minutes} min reached after epoch {epoch + 1}; "
                          f"resume to continue")
                break
    except TrainingDiverged as err:
        history["diverged"] = True
        history["divergence"] = str(err)
        log.epoch(f"training diverged: {err}. Lower the learning rate or enable clipping.")
    except KeyboardInterrupt:
        log.close()
        print(f"interrupted; the last finished epoch is saved in {out}, run again to resume"
              if out else "interrupted", file=sys.stderr)
        raise
    finally:
        log.close()
    if history["collapsed"]:
        print(f"warning{f' ({out})' if out else ''}: the network's output equals its bicubic input (a collapse to "
              "zero residual); see the book's clipping chapter for why and how to avoid it", file=sys.stderr)
    if out:  # a diverged run's history too (what shipping reads); training it again diverges again
        write_atomic(out / "history.json", json.dumps(history) + "\n")
    if out and not history["diverged"]:
        _write_model(out, model, cfg, history)
    history["model"] = model
    return history
