"""Tests for vdsr_lib.restoration: denoising / JPEG pairs, the classical baselines, and training.

The training test uses ``VDSR_DATA`` (T91, Set5) when it is set, and otherwise the scikit-image
stand-ins, on which the trainer works the same way.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from vdsr_lib import VDSR, psnr
from vdsr_lib.degrade import Pair, pair_maker
from vdsr_lib.patches import PatchSampler
from vdsr_lib.restoration import (BASELINE_GRIDS, center_crop, evaluate_restoration, gaussian_denoise_baseline,
                                  jpeg_compress, jpeg_deblock_baseline, make_restoration_pair, noise_seed,
                                  restore_example, to_uint8, tune_baseline)
from vdsr_lib.train import TrainConfig, train

pytestmark = pytest.mark.filterwarnings("ignore:no .* folder found:UserWarning")


def scene(h: int = 96, w: int = 112, seed: int = 0, gray: bool = False) -> np.ndarray:
    """A small deterministic test image: smooth gradients, a disc and stripes (edges for JPEG)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    disc = ((y - h / 2) ** 2 + (x - w / 3) ** 2 < (h / 4) ** 2) * 80.0
    img = np.stack([40 + x * 150 / w + disc, 50 + y * 150 / h, 128 + 60 * np.sin(x / 3.0) * (y > h / 2)], -1)
    img += rng.normal(0, 2, img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    return img[..., 1].copy() if gray else img


@pytest.mark.parametrize("task, level", [("denoise", 25), ("jpeg", 20)])
@pytest.mark.parametrize("gray", [False, True])
def test_pair_shapes_and_types(task, level, gray):
    hr = scene(gray=gray)
    p = make_restoration_pair(hr, level, task)
    assert isinstance(p, Pair)
    assert p.hr is hr or np.array_equal(p.hr, hr)
    assert p.lr.shape == hr.shape and p.lr.dtype == np.uint8
    assert p.hr_y.shape == p.ilr_y.shape == hr.shape[:2]
    assert p.hr_y.dtype == p.ilr_y.dtype == np.float32
    assert np.allclose(p.hr_y * 255, np.round(p.hr_y * 255), atol=1e-3)  # the target is 8-bit
    if task == "denoise":
        assert np.array_equal(p.lr, hr)  # colour untouched, noise in Y only


def test_pair_maker_dispatches_to_restoration():
    hr = scene()
    a = pair_maker("denoise")(hr, 15)
    b = make_restoration_pair(hr, 15, "denoise")
    assert np.array_equal(a.ilr_y, b.ilr_y)
    with pytest.raises(ValueError, match="unknown"):
        make_restoration_pair(hr, 15, "deblur")


def test_noise_is_deterministic_per_image():
    hr = scene()
    a, b = make_restoration_pair(hr, 25, "denoise"), make_restoration_pair(hr.copy(), 25, "denoise")
    assert np.array_equal(a.ilr_y, b.ilr_y)  # same image, same noise
    other = scene(seed=1)
    assert noise_seed(other) != noise_seed(hr)
    c = make_restoration_pair(other, 25, "denoise")
    assert not np.allclose(a.ilr_y - a.hr_y, c.ilr_y - c.hr_y)
    # one pattern per image, scaled by sigma
    d = make_restoration_pair(hr, 50, "denoise")
    assert np.allclose(2 * (a.ilr_y - a.hr_y), d.ilr_y - d.hr_y, atol=1e-5)


@pytest.mark.parametrize("sigma", [5, 15, 25, 50])
def test_noise_std_matches_level_and_is_not_clipped(sigma):
    hr = np.full((200, 200, 3), 128, np.uint8)
    p = make_restoration_pair(hr, sigma, "denoise")
    noise = (p.ilr_y.astype(np.float64) - p.hr_y) * 255
    assert noise.std() == pytest.approx(sigma, rel=0.03)
    assert abs(noise.mean()) < 0.05 * sigma
    if sigma == 50:
        assert p.ilr_y.min() < 0 and p.ilr_y.max() > 1  # not clipped: values outside [0, 1] remain


def test_jpeg_pair_differs_and_gets_worse_at_lower_quality():
    hr = scene(128, 128)
    scores = {}
    for q in (90, 40, 10):
        p = make_restoration_pair(hr, q, "jpeg")
        assert not np.array_equal(p.lr, hr)
        assert np.array_equal(p.lr, jpeg_compress(hr, q))  # deterministic
        scores[q] = psnr(to_uint8(p.ilr_y).astype(float), p.hr_y * 255.0)
    assert scores[90] > scores[40] > scores[10]
    gray = scene(gray=True)
    assert jpeg_compress(gray, 30).shape == gray.shape
    with pytest.raises(ValueError):
        jpeg_compress(hr, 0)


def test_baselines_improve_on_their_input():
    hr = scene(128, 128)
    noisy = make_restoration_pair(hr, 25, "denoise")
    before = psnr(to_uint8(noisy.ilr_y).astype(float), noisy.hr_y * 255.0)
    after = psnr(to_uint8(gaussian_denoise_baseline(noisy.ilr_y, 0.08)).astype(float), noisy.hr_y * 255.0)
    assert after > before + 3
    jpg = make_restoration_pair(hr, 10, "jpeg")
    assert np.array_equal(to_uint8(jpeg_deblock_baseline(jpg.ilr_y, 0)), to_uint8(jpg.ilr_y))  # sigma 0: no-op
    out = jpeg_deblock_baseline(jpg.ilr_y, 0.7)
    assert out.shape == jpg.ilr_y.shape and out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("task, level", [("denoise", 25), ("jpeg", 10)])
def test_tune_baseline_picks_the_best_of_the_grid(task, level):
    images = [scene(seed=s) for s in range(3)]
    best, scores = tune_baseline(images, task, level, crop=64)
    assert set(scores) == set(BASELINE_GRIDS[task]) and best in scores
    assert scores[best] == max(scores.values())
    if task == "denoise":
        assert best > min(BASELINE_GRIDS[task])  # noise of sigma 25 needs real smoothing


def test_center_crop():
    im = np.arange(100).reshape(10, 10)
    assert center_crop(im, 4).shape == (4, 4) and center_crop(im, 4)[0, 0] == 33
    assert center_crop(im, 20).shape == (10, 10) and center_crop(im, None) is im


def test_evaluate_and_example_with_an_identity_network():
    images = [scene(seed=s) for s in range(2)]
    model = VDSR(depth=3, width=4, zero_init_last=True)  # residual with a zero last layer: output = input
    table = evaluate_restoration(model, images, "denoise", (15, 50), {15: 0.05, 50: 0.2}, crop=64)
    assert set(table) == {15, 50}
    for level in (15, 50):
        row = table[level]
        assert set(row) == {"input", "baseline", "network"}
        assert row["network"] == pytest.approx(row["input"], abs=1e-6)  # identity (both clipped, rounded)
        assert row["baseline"] > row["input"]
    assert table[15]["input"] > table[50]["input"]
    assert math.isclose(table[15]["input"], 24.6, abs_tol=1.0)  # 20 log10(255 / 15) = 24.6 dB
    ex = restore_example(model, images[0], "jpeg", 20, baseline_param=0.5, crop=48)
    assert list(ex) == ["degraded", "baseline", "network", "clean"]
    assert all(v.dtype == np.uint8 and v.shape == (48, 48) for v in ex.values())
    assert evaluate_restoration(None, images, "jpeg", (20,))[20].keys() == {"input"}


def test_patch_sampler_with_restoration_levels():
    sampler = PatchSampler([scene(seed=s) for s in range(2)], (15, 50), 41, seed=0, task="denoise")
    x, y = sampler.sample(8)
    assert x.shape == y.shape == (8, 1, 41, 41)
    assert float((x - y).std()) * 255 > 10  # the inputs are noisy


def test_trainer_runs_two_tiny_epochs_with_denoise(tmp_path):
    cfg = TrainConfig(task="denoise", scales=(15, 25), depth=3, width=8, batch=4, patch=33, epochs=2,
                      iters_per_epoch=3, optimizer="adam", lr=1e-3, weight_decay=0.0, schedule="constant",
                      clip="none", loss="mean", train_set="T91", max_images=3, val_set="Set5",
                      val_scales=(25,), bf16=False, channels_last=False, device="cpu", seed=0)
    history = train(cfg, tmp_path, progress=False)
    assert not history["diverged"] and history["finished"]
    assert len(history["epochs"]) == 2 and len(history["steps"]) == 6
    assert set(history["bicubic_psnr"]) == {"25"}  # here: the PSNR of the noisy input
    assert 18 < history["bicubic_psnr"]["25"] < 23  # about 20 log10(255 / 25) = 20.2 dB
    assert all(math.isfinite(e["val_psnr"]["25"]) for e in history["epochs"])
    assert (tmp_path / "model.safetensors").is_file()
