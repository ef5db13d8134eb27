"""vdsr_lib.speed: the memory format and precision are measured, cached, overridable, and change no result."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from vdsr_lib import speed
from vdsr_lib.benchmark import evaluate_pairs
from vdsr_lib.degrade import make_pair
from vdsr_lib.inference import predict_y, upscale
from vdsr_lib.model import VDSR


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VDSR_CACHE", str(tmp_path))
    monkeypatch.delenv("VDSR_MEMORY_FORMAT", raising=False)
    monkeypatch.delenv("VDSR_PRECISION", raising=False)
    return tmp_path / "speed.json"


def test_fixed_choice_measures_nothing(cache, monkeypatch):
    monkeypatch.setattr(speed, "time_steps", lambda *a, **k: pytest.fail("measured a fixed choice"))
    assert speed.fastest("train", "cpu", bf16=False, channels_last=True) == speed.Choice(False, True, "set")
    monkeypatch.setenv("VDSR_MEMORY_FORMAT", "contiguous")
    monkeypatch.setenv("VDSR_PRECISION", "bf16")
    assert speed.fastest("infer", "cpu") == speed.Choice(True, False, "set")
    assert not cache.exists()


def test_bad_override_is_a_clear_error(cache, monkeypatch):
    monkeypatch.setenv("VDSR_MEMORY_FORMAT", "nhwc")
    with pytest.raises(ValueError, match="VDSR_MEMORY_FORMAT='nhwc': use one of channels_last, contiguous"):
        speed.fastest("infer", "cpu", bf16=False)
    with pytest.raises(ValueError, match="kind must be one of"):
        speed.fastest("evaluate", "cpu")


def test_fastest_picks_the_quickest_and_caches_it(cache, monkeypatch):
    calls = []

    def fake(kind, combos, device, steps=3):  # channels_last is twice as fast; bf16 faster still
        calls.append(list(combos))
        return [1.0 / ((2 if cl else 1) * (3 if bf else 1)) for bf, cl in combos]

    monkeypatch.setattr(speed, "time_steps", fake)
    monkeypatch.setattr(speed, "bf16_capable", lambda device: True)
    first = speed.fastest("train", "cpu")
    assert (first.bf16, first.channels_last, first.how) == (True, True, "measured")
    assert len(calls[0]) == 4
    again = speed.fastest("train", "cpu")
    assert (again.bf16, again.channels_last, again.how) == (True, True, "cached") and len(calls) == 1
    stored = json.loads(cache.read_text())
    (key, timings), = stored.items()
    assert key.endswith("| cpu | train") and torch.__version__ in key
    assert timings["fp32/contiguous"] == 1.0
    # a caller that needs exact numbers fixes fp32: only the memory format is chosen
    exact = speed.fastest("train", "cpu", bf16=False)
    assert (exact.bf16, exact.channels_last) == (False, True)


def test_bf16_not_measured_where_it_is_emulated(cache, monkeypatch):
    seen = []
    monkeypatch.setattr(speed, "bf16_capable", lambda device: False)
    monkeypatch.setattr(speed, "time_steps", lambda kind, combos, device, steps=3: seen.extend(combos) or
                        [1.0 if cl else 0.5 for _, cl in combos])  # contiguous faster here
    choice = speed.fastest("infer", "cpu")
    assert all(not bf for bf, _ in seen)
    assert (choice.bf16, choice.channels_last) == (False, False)  # never slower than contiguous


def test_measurement_leaves_the_callers_rng_alone(cache):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    speed.time_steps("infer", [(False, False), (False, True)], torch.device("cpu"), steps=1)
    assert torch.equal(torch.rand(3), expected)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return VDSR(depth=5, width=16).eval()


def test_memory_format_changes_no_prediction_and_is_given_back(model):
    image = np.random.default_rng(0).random((37, 45)).astype(np.float32)
    a = predict_y(model, image, tile=None, channels_last=False)
    b = predict_y(model, image, tile=None, channels_last=True)
    c = predict_y(model, image, tile=16, channels_last=True)
    assert np.abs(a - b).max() < 1e-5 and np.abs(a - c).max() < 1e-5
    body = model.body[2].weight
    assert body.is_contiguous() and not body.is_contiguous(memory_format=torch.channels_last)


def test_benchmark_psnr_same_in_both_formats(model, monkeypatch):
    rng = np.random.default_rng(1)
    pairs = [make_pair((rng.random((48, 60, 3)) * 255).astype(np.uint8), 2) for _ in range(2)]
    scores = {}
    for fmt in ("contiguous", "channels_last"):
        monkeypatch.setenv("VDSR_MEMORY_FORMAT", fmt)
        scores[fmt] = [r.psnr for r in evaluate_pairs(model, pairs, 2)]
    assert np.allclose(scores["contiguous"], scores["channels_last"], atol=1e-3)


def test_upscale_bf16_stays_close_to_fp32(model):
    image = (np.random.default_rng(2).random((20, 24, 3)) * 255).astype(np.uint8)
    fp32 = upscale(image, 2, model, bf16=False).astype(int)
    bf16 = upscale(image, 2, model, bf16=True).astype(int)
    assert fp32.shape == bf16.shape == (40, 48, 3)
    assert np.abs(fp32 - bf16).max() <= 3
