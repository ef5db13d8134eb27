"""Tests for vdsr_lib.metrics: PSNR and SSIM against hand-computed values, shaving, bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest
from skimage.metrics import structural_similarity

from vdsr_lib.metrics import psnr, score_y, shave, ssim


def test_psnr_one_level_everywhere():
    a = np.random.default_rng(0).integers(0, 255, (32, 40)).astype(np.float64)
    # MSE = 1 -> 10 log10(255^2) = 48.1308 dB
    assert psnr(a + 1, a) == pytest.approx(20 * math.log10(255), abs=1e-12)
    assert psnr(a + 1, a) == pytest.approx(48.1308, abs=1e-4)


@pytest.mark.parametrize("mse", [4.0, 25.0, 100.0])
def test_psnr_known_mse(mse):
    a = np.full((10, 10), 100.0)
    b = a.copy()
    b[::2] += math.sqrt(2 * mse)  # half the rows off by sqrt(2 mse): mean squared error = mse
    assert psnr(b, a) == pytest.approx(10 * math.log10(255**2 / mse), abs=1e-10)


def test_psnr_identical_is_inf():
    a = np.random.default_rng(0).random((8, 8)) * 255
    assert psnr(a, a) == float("inf")
    assert psnr(a.astype(np.uint8), a.astype(np.uint8)) == float("inf")


def test_psnr_data_range_and_uint8():
    a = np.random.default_rng(1).integers(0, 250, (16, 16)).astype(np.uint8)
    b = a + np.uint8(3)  # no wrap-around below 253
    assert psnr(b, a) == pytest.approx(10 * math.log10(255**2 / 9))  # uint8 differences are not wrapped
    assert psnr(b / 255.0, a / 255.0, data_range=1.0) == pytest.approx(psnr(b, a), abs=1e-9)


def test_shave_behaviour():
    a = np.zeros((20, 24))
    b = a.copy()
    b[:3] = 255
    b[:, -3:] = 255  # errors only within 3 pixels of the border
    assert psnr(b, a, crop_border=3) == float("inf")
    assert math.isfinite(psnr(b, a, crop_border=2))
    assert psnr(b, a, crop_border=0) < psnr(b, a, crop_border=2)
    # one bad interior pixel: MSE = 255^2 / number of shaved pixels
    c = a.copy()
    c[10, 10] = 255
    assert psnr(c, a, crop_border=4) == pytest.approx(10 * math.log10(12 * 16), abs=1e-10)


def test_shave_function():
    img = np.arange(6 * 7 * 3).reshape(6, 7, 3)
    assert shave(img, 0) is img
    np.testing.assert_array_equal(shave(img, 2), img[2:-2, 2:-2])
    assert shave(img, 2).shape == (2, 3, 3)
    with pytest.raises(ValueError, match="too small"):
        shave(img, 3)  # 6 rows - 2*3 leaves nothing


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match="differ in shape"):
        psnr(np.zeros((4, 4)), np.zeros((4, 5)))
    with pytest.raises(ValueError, match="differ in shape"):
        ssim(np.zeros((4, 4)), np.zeros((5, 4)))


def test_ssim_identical_is_one():
    a = np.random.default_rng(0).random((32, 32)) * 255
    assert ssim(a, a) == pytest.approx(1.0, abs=1e-12)
    assert ssim(a, a, crop_border=4) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("level, offset", [(100.0, 10.0), (30.0, 1.0), (200.0, 40.0)])
def test_ssim_constant_offset_by_hand(level, offset):
    """Two flat images: variances and covariance vanish, so SSIM is the luminance term alone,
    (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1) with C1 = (0.01 * 255)^2."""
    a = np.full((24, 24), level)
    b = a + offset
    c1 = (0.01 * 255) ** 2
    expected = (2 * level * (level + offset) + c1) / (level**2 + (level + offset) ** 2 + c1)
    assert ssim(b, a) == pytest.approx(expected, abs=1e-12)
    assert ssim(b, a, crop_border=3) == pytest.approx(expected, abs=1e-12)


def _ssim_m(a: np.ndarray, b: np.ndarray) -> float:
    """Wang et al.'s ssim.m written out in NumPy, independently of scikit-image: an 11 x 11 Gaussian
    window (sigma 1.5, normalised), filter2(..., 'valid') statistics, mean of the SSIM map."""
    g = np.exp(-(np.arange(11) - 5.0) ** 2 / (2 * 1.5**2))
    w = np.outer(g, g) / np.outer(g, g).sum()
    win = lambda x: np.lib.stride_tricks.sliding_window_view(x, (11, 11))  # noqa: E731
    filt = lambda x: np.einsum("ijkl,kl->ij", win(x), w)  # noqa: E731
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = filt(a), filt(b)
    var_a, var_b, cov = filt(a * a) - mu_a**2, filt(b * b) - mu_b**2, filt(a * b) - mu_a * mu_b
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(ssim_map.mean())


def test_ssim_matches_ssim_m_written_out():
    rng = np.random.default_rng(3)
    a = rng.random((40, 50)) * 255
    b = np.clip(a + rng.normal(0, 12, a.shape), 0, 255)
    assert ssim(a, b, crop_border=2) == pytest.approx(_ssim_m(a[2:-2, 2:-2], b[2:-2, 2:-2]), abs=1e-9)
    assert ssim(a, b) == pytest.approx(_ssim_m(a, b), abs=1e-9)
    smooth = np.add.outer(np.arange(40.0), np.arange(50.0)) * 2  # a ramp: structure the window sees
    assert ssim(smooth + 5, smooth) == pytest.approx(_ssim_m(smooth + 5, smooth), abs=1e-9)
    assert 0 < ssim(a, b) < 1
    assert ssim(a, b) == pytest.approx(ssim(b, a), abs=1e-12)  # symmetric
    # and scikit-image's own call agrees (the window truncation that makes it ssim.m's 11 x 11)
    ref = structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                data_range=255.0)
    assert ssim(a, b) == pytest.approx(ref, abs=1e-12)


def test_score_y_is_the_benchmark_rule():
    rng = np.random.default_rng(5)
    target = np.round(rng.random((30, 34)) * 255) / 255  # an 8-bit luminance in [0, 1]
    pred = np.clip(target + rng.normal(0, 0.02, target.shape), -0.1, 1.1)  # float, out of range at places
    by_hand = np.clip(np.floor(pred * 255 + 0.5), 0, 255)[3:-3, 3:-3] - np.round(target * 255)[3:-3, 3:-3]
    assert score_y(pred, target, 3) == pytest.approx(10 * math.log10(255**2 / np.mean(by_hand**2)), abs=1e-10)
    assert score_y(pred, target.astype(np.float32), 3) == score_y(pred, target, 3)  # a float32 target: same
    assert score_y(pred, target, 0) != score_y(pred, target, 3)
    rounded = np.clip(np.floor(pred * 255 + 0.5), 0, 255)
    assert score_y(pred, target, 2, "ssim") == pytest.approx(ssim(rounded, np.round(target * 255), 2), abs=1e-12)
    with pytest.raises(ValueError, match="unknown metric"):
        score_y(pred, target, 0, "mse")


def test_ssim_rejects_colour():
    a = np.zeros((16, 16, 3))
    with pytest.raises(ValueError, match="single-channel"):
        ssim(a, a)
