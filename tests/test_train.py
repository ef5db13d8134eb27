"""Tests for vdsr_lib.train: a short run that learns, exact resume, divergence, config checks.

The runs use ``VDSR_DATA`` (T91 for training, Set5 for validation) when it is set, and otherwise
the scikit-image stand-ins, on which the trainer works the same way.
"""
from __future__ import annotations

import importlib
import json
import math
from dataclasses import asdict, replace

import numpy as np
import pytest
import torch

from vdsr_lib.checkpoint import load_model, read_meta
from vdsr_lib.datasets import load_dataset
from vdsr_lib.patches import PatchSampler
from vdsr_lib.train import TrainConfig, fast_bf16, learning_rate, train

train_mod = importlib.import_module("vdsr_lib.train")  # the module (vdsr_lib.train is also the function)

pytestmark = pytest.mark.filterwarnings("ignore:no .* folder found:UserWarning")

# fp32 on the CPU, no channels-last: runs are deterministic and comparable
COMMON = dict(scales=(2,), train_set="T91", max_images=10, val_set="Set5", val_scales=(2,), bf16=False,
              channels_last=False, device="cpu", seed=0)
# the short run: depth 5, batch 16, 2 x 30 iterations of Adam 1e-3 on the mean squared error
SHORT = TrainConfig(depth=5, width=16, batch=16, epochs=2, iters_per_epoch=30, optimizer="adam", lr=1e-3,
                    weight_decay=0.0, schedule="constant", clip="none", loss="mean", **COMMON)
# a tiny run with the paper's recipe (SGD + momentum, adjustable clipping, step schedule) for resume tests
TINY = TrainConfig(depth=3, width=8, batch=4, epochs=2, iters_per_epoch=4, optimizer="sgd", lr=1e-3,
                   lr_step=1, lr_gamma=0.5, clip="adjustable", theta=1e-4, loss="sum", val_every=2,
                   **{**COMMON, "max_images": 3})


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("short_run")
    history = train(SHORT, out, progress=False)
    return history, out


def _mse(model, x, y) -> float:
    with torch.no_grad():
        return float(((model.eval()(x) - y) ** 2).mean())


def test_short_run_lowers_the_loss(short_run):
    history, _ = short_run
    model = history["model"]
    # a fixed batch the run never saw (other seed); the untrained network (zero last layer) is bicubic
    images = load_dataset("T91", limit=SHORT.max_images).images
    x, y = PatchSampler(images, (2,), 41, seed=123).sample(64)
    before, after = float(((x - y) ** 2).mean()), _mse(model, x, y)
    print(f"\nfixed-batch MSE: bicubic {before:.3g} -> trained {after:.3g}")
    assert after < 0.9 * before
    losses = [s["loss"] for s in history["steps"]]
    assert len(losses) == 60 and all(math.isfinite(v) for v in losses)
    assert np.mean(losses[-10:]) < max(losses[:10])


def test_short_run_beats_bicubic(short_run):
    history, _ = short_run
    bicubic = history["bicubic_psnr"]["2"]
    final = history["epochs"][-1]["val_psnr"]["2"]
    print(f"\n{history['val_set']} x2: bicubic {bicubic:.2f} dB, after 60 iterations {final:.2f} dB")
    assert final > bicubic + 0.1
    assert not history["collapsed"] and not history["diverged"] and history["finished"]


def test_short_run_history_and_files(short_run):
    history, out = short_run
    steps = history["steps"]
    assert [s["step"] for s in steps] == list(range(60))
    assert all(s["lr"] == 1e-3 and s["clipped"] == 0.0 and s["grad_norm"] > 0 for s in steps)
    assert [e["epoch"] for e in history["epochs"]] == [1, 2] and [e["step"] for e in history["epochs"]] == [30, 60]
    assert all("val_psnr" in e and e["time_s"] > 0 for e in history["epochs"])
    assert history["config"] == asdict(SHORT) and history["bf16"] is False
    for name in ("config.json", "history.json", "state.pt", "model.safetensors", "model.json"):
        assert (out / name).is_file(), name
    saved = json.loads((out / "history.json").read_text())
    assert saved["steps"] == json.loads(json.dumps(steps)) and "model" not in saved
    meta = read_meta(out / "model.safetensors")
    assert meta["recipe"]["depth"] == 5 and meta["epochs_done"] == 2 and meta["finished"] is True
    assert meta["scales"] == [2] and meta["metrics"]["val_psnr"] == history["epochs"][-1]["val_psnr"]
    model = load_model(out / "model.safetensors")
    x = torch.rand(1, 1, 30, 30)
    assert torch.equal(model(x), history["model"].eval()(x))


def test_finished_run_is_not_trained_again(short_run):
    history, out = short_run
    again = train(replace(SHORT, device=None), out, progress=False)  # the device may differ on resume
    assert again["finished"] and len(again["steps"]) == 60
    assert again["epochs"] == history["epochs"]


def test_finished_run_without_optimizer_state_is_not_trained_again(short_run, tmp_path, monkeypatch):
    history, out = short_run
    for name in ("config.json", "history.json", "model.safetensors", "model.json"):  # no state.pt
        (tmp_path / name).write_bytes((out / name).read_bytes())
    monkeypatch.setattr(train_mod, "load_dataset", lambda *a, **k: pytest.fail("a finished run loaded data"))
    again = train(replace(SHORT, device=None), tmp_path, progress=False)
    assert again["finished"] and again["epochs"] == json.loads(json.dumps(history["epochs"]))
    x = torch.rand(1, 1, 30, 30)
    assert torch.equal(again["model"].eval()(x), history["model"].eval()(x))
    assert not (tmp_path / "state.pt").exists()
    with pytest.raises(ValueError, match=r"another configuration.*'lr'"):  # still checked without state.pt
        train(replace(SHORT, lr=1e-2), tmp_path, progress=False)


def test_unfinished_run_without_optimizer_state_starts_over(tmp_path):
    first = train(replace(TINY, epochs=1), tmp_path, progress=False)
    assert first["finished"]
    (tmp_path / "state.pt").unlink()
    saved = json.loads((tmp_path / "history.json").read_text())
    (tmp_path / "history.json").write_text(json.dumps({**saved, "finished": False}))
    (tmp_path / "config.json").write_text(json.dumps(asdict(TINY)))
    again = train(TINY, tmp_path, progress=False)  # nothing to resume from: trained from step 0
    assert again["finished"] and [s["step"] for s in again["steps"]] == list(range(8))


def test_resume_with_another_config_is_refused(short_run):
    _, out = short_run
    with pytest.raises(ValueError, match=r"another configuration.*'lr'.*resume=False"):
        train(replace(SHORT, lr=1e-2), out, progress=False)
    assert json.loads((out / "config.json").read_text())["lr"] == SHORT.lr


def _losses(history) -> list[float]:
    return [s["loss"] for s in history["steps"]]


def _same_weights(a, b) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    return train(TINY, tmp_path_factory.mktemp("tiny_a"), progress=False)


def test_resume_continuity(uninterrupted, tmp_path):
    a = uninterrupted
    first = train(TINY, tmp_path, progress=False, max_minutes=0)  # stops after epoch 1
    assert not first["finished"] and len(first["epochs"]) == 1 and len(first["steps"]) == 4
    assert torch.load(tmp_path / "state.pt", weights_only=True)["epoch"] == 1
    b = train(TINY, tmp_path, progress=False)  # resumes at epoch 2
    assert b["finished"] and len(b["steps"]) == 8
    assert [s["step"] for s in b["steps"]] == list(range(8))
    assert [s["lr"] for s in b["steps"]] == [1e-3] * 4 + [5e-4] * 4  # the schedule carries on
    assert _losses(b) == _losses(a)  # identical, step for step
    assert _same_weights(b["model"], a["model"])
    assert b["epochs"][-1]["val_psnr"] == a["epochs"][-1]["val_psnr"]


def test_resume_after_keyboard_interrupt(uninterrupted, tmp_path):
    def interrupt(record):
        if record["epoch"] == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(TINY, tmp_path, progress=False, on_epoch=interrupt)
    assert torch.load(tmp_path / "state.pt", weights_only=True)["epoch"] == 1  # epoch 2 was lost, not 1
    b = train(TINY, tmp_path, progress=False)
    assert _losses(b) == _losses(uninterrupted)
    assert _same_weights(b["model"], uninterrupted["model"])


def test_resume_on_another_machine_is_recorded(monkeypatch, tmp_path):
    first = train(TINY, tmp_path, progress=False, max_minutes=0)  # stops after epoch 1
    monkeypatch.setattr(train_mod, "hardware_string", lambda device="cpu": "Other CPU, 8 threads")
    b = train(TINY, tmp_path, progress=False)
    assert b["finished"] and b["hardware"] == f"{first['hardware']} + Other CPU, 8 threads"
    b_again = train(TINY, tmp_path, progress=False)  # finished: nothing trained, nothing appended
    assert b_again["hardware"] == b["hardware"]


def test_no_resume_starts_over(uninterrupted, tmp_path):
    train(replace(TINY, epochs=1), tmp_path, progress=False)
    fresh = train(TINY, tmp_path, progress=False, resume=False)  # another config is fine without resume
    assert _losses(fresh) == _losses(uninterrupted)


def test_divergence_on_nan_loss(monkeypatch, tmp_path):
    monkeypatch.setattr(train_mod, "_loss", lambda pred, target, kind: (pred - target).pow(2).mean() * math.nan)
    history = train(TINY, tmp_path, progress=False)
    assert history["diverged"] and not history["finished"]
    assert "loss became nan at step 0 (epoch 1)" in history["divergence"]
    assert len(history["steps"]) == 1 and history["epochs"] == []
    assert not (tmp_path / "model.safetensors").exists()  # no model is saved from a diverged run
    saved = json.loads((tmp_path / "history.json").read_text())  # but its history is (shipping reads it)
    assert saved["diverged"] and "loss became nan" in saved["divergence"]


def test_divergence_with_huge_learning_rate(tmp_path):
    cfg = replace(TINY, lr=1e3, clip="none", loss="sum", schedule="constant", weight_decay=0.0,
                  iters_per_epoch=20, epochs=1)
    history = train(cfg, tmp_path, progress=True)  # prints the divergence line, raises nothing
    assert history["diverged"] is True
    assert "loss became" in history["divergence"]
    last = history["steps"][-1]
    assert not (math.isfinite(last["loss"]) and math.isfinite(last["grad_norm"]))
    assert len(history["steps"]) < 20  # it stopped at the first non-finite step


def test_the_same_with_adjustable_clipping_does_not_diverge():
    cfg = replace(TINY, lr=1e3, clip="adjustable", theta=1e-6, loss="sum", schedule="constant",
                  weight_decay=0.0, iters_per_epoch=20, epochs=1, val_every=1)
    history = train(cfg, progress=False)
    assert not history["diverged"] and history["finished"]
    assert all(math.isfinite(s["loss"]) for s in history["steps"])
    assert all(0.0 <= s["clipped"] <= 1.0 for s in history["steps"])


def test_collapse_is_flagged(capsys):
    cfg = replace(TINY, optimizer="adam", lr=1e-12, clip="none", val_every=1)  # the output stays bicubic
    history = train(cfg, progress=False)
    assert history["collapsed"] is True
    assert "collapse" in capsys.readouterr().err


@pytest.mark.parametrize("kwargs, match", [
    ({"clip": "bogus"}, "clip must be one of"),
    ({"optimizer": "rmsprop"}, "optimizer must be"),
    ({"loss": "l1"}, "loss must be"),
    ({"schedule": "linear"}, "schedule must be"),
    ({"scales": (5,)}, "subset of 2, 3, 4"),
    ({"scales": ()}, "subset of 2, 3, 4"),
    ({"epochs": 0}, "epochs must be a positive integer"),
    ({"iters_per_epoch": 0}, "iters_per_epoch must be a positive integer"),
    ({"batch": 0}, "batch must be a positive integer"),
    ({"val_every": 0}, "val_every must be a positive integer"),  # was a ZeroDivisionError after epoch 1
    ({"patch": -3}, "patch must be a positive integer"),
    ({"lr_step": 0}, "lr_step must be a positive integer"),
    ({"depth": 1}, "depth must be at least 2"),
    ({"max_images": 0}, "max_images must be a positive integer or None"),
    ({"lr": 0.0}, "lr must be a positive number"),
    ({"lr": -0.1}, "lr must be a positive number"),
    ({"lr": float("nan")}, "lr must be a positive number"),
    ({"theta": 0.0}, "theta must be a positive number"),
    ({"lr_gamma": -1.0}, "lr_gamma must be a positive number"),
    ({"momentum": -0.5}, "momentum must be zero or a positive number"),
    ({"task": "deblur"}, "task must be sr, denoise or jpeg"),
    ({"task": "denoise", "scales": (0, 25)}, "levels\\) must be positive"),
])
def test_bad_config_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**kwargs)


def test_config_normalisation():
    cfg = TrainConfig(scales=[4.0, 2], epochs=3, iters_per_epoch=7)
    assert cfg.scales == (4, 2) and cfg.val_scales == (4, 2) and cfg.total_iters == 21
    assert TrainConfig(scales=(2, 3), val_scales=(3,)).val_scales == (3,)


def test_learning_rate_schedules():
    step = TrainConfig(lr=0.1, epochs=80, iters_per_epoch=10, lr_step=20, lr_gamma=0.1)
    assert learning_rate(step, 0) == 0.1 and learning_rate(step, 199) == 0.1
    assert learning_rate(step, 200) == pytest.approx(0.01) and learning_rate(step, 799) == pytest.approx(1e-4)
    cos = replace(step, schedule="cosine")
    assert learning_rate(cos, 0) == pytest.approx(0.1) and learning_rate(cos, 400) == pytest.approx(0.05)
    assert learning_rate(cos, 800) == pytest.approx(0.0, abs=1e-12)
    const = replace(step, schedule="constant")
    assert {learning_rate(const, s) for s in (0, 300, 799)} == {0.1}


def test_fast_bf16_is_a_bool():
    assert isinstance(fast_bf16(torch.device("cpu")), bool)
    assert fast_bf16(torch.device("meta")) is False


def test_a_resumed_run_keeps_its_memory_format_and_precision(tmp_path, monkeypatch, data_dir):
    """On the same machine a resumed run keeps the format and precision it started with, even if the
    speed measurement now says otherwise (a kill-and-resume must compute as an uninterrupted run)."""
    from vdsr_lib.speed import Choice

    T = importlib.import_module("vdsr_lib.train")  # the module (vdsr_lib.train is also the function)

    cfg = replace(TINY, epochs=3, val_every=1, bf16=None, channels_last=None)
    monkeypatch.setattr(T, "fastest", lambda *a, **k: Choice(False, False, "measured"))
    whole = train(cfg, tmp_path / "whole", progress=False)
    train(cfg, tmp_path / "cut", progress=False, max_minutes=1e-9)  # stops after epoch 1
    monkeypatch.setattr(T, "fastest", lambda *a, **k: Choice(False, True, "measured"))  # the cache changed
    resumed = train(cfg, tmp_path / "cut", progress=False)
    assert resumed["channels_last"] is False and len(resumed["epochs"]) == 3
    a, b = whole["model"].state_dict(), resumed["model"].state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
