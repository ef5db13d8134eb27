"""Tests for vdsr_lib.degrade: the HR -> LR -> ILR benchmark degradation and 8-bit quantisation."""
from __future__ import annotations

import numpy as np
import pytest

from vdsr_lib.color import rgb2y
from vdsr_lib.degrade import make_pair, pair_maker, quantize
from vdsr_lib.imresize import imresize


def _smooth_rgb(h: int, w: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (h // 8 + 2, w // 8 + 2, 3), dtype=np.uint8)
    return imresize(small, output_shape=(h, w))  # a natural-ish image: smooth with edges


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_make_pair_shapes_and_types(scale):
    hr = _smooth_rgb(101, 77)
    p = make_pair(hr, scale)
    h, w = 101 - 101 % scale, 77 - 77 % scale
    assert p.hr.shape == (h, w, 3) and p.hr.dtype == np.uint8
    assert p.lr.shape == (h // scale, w // scale, 3) and p.lr.dtype == np.uint8
    assert p.hr_y.shape == p.ilr_y.shape == (h, w)
    assert p.hr_y.dtype == p.ilr_y.dtype == np.float32
    np.testing.assert_array_equal(p.hr, hr[:h, :w])  # modcrop keeps the top-left


def test_make_pair_values():
    hr = _smooth_rgb(96, 96, seed=1)
    p = make_pair(hr, 3)
    levels = p.hr_y.astype(np.float64) * 255
    np.testing.assert_allclose(levels, np.round(levels), atol=1e-4)  # 8-bit levels
    assert 16 / 255 - 1e-6 <= p.hr_y.min() and p.hr_y.max() <= 235 / 255 + 1e-6  # RGB: studio swing
    assert 0.0 <= p.ilr_y.min() and p.ilr_y.max() <= 1.0
    np.testing.assert_array_equal(p.lr, imresize(hr, 1 / 3))  # the 8-bit LR a reader is shown
    # the paper's protocol: the 8-bit HR luminance is shrunk and enlarged in floating point
    hr_y = np.round(rgb2y(hr) * 255) / 255
    np.testing.assert_allclose(p.ilr_y, imresize(imresize(hr_y, 1 / 3), 3).astype(np.float32), atol=1e-6)
    # SelfExSR's: the 8-bit RGB LR image's luminance is enlarged
    q = make_pair(hr, 3, protocol="selfexsr")
    np.testing.assert_array_equal(q.lr, p.lr)
    np.testing.assert_array_equal(q.hr_y, p.hr_y)  # same target
    np.testing.assert_allclose(q.ilr_y, imresize(rgb2y(p.lr), 3).astype(np.float32), atol=1e-7)
    assert 0 < np.abs(q.ilr_y - p.ilr_y).max() < 0.02  # different inputs, by a fraction of a grey level
    # the ILR is a blurred HR: close, but not equal
    err = np.abs(p.ilr_y - p.hr_y)
    assert 0 < err.mean() < 0.05


def test_make_pair_gray():
    hr = _smooth_rgb(40, 50)[..., 0]
    p = make_pair(hr, 2)
    assert p.hr.shape == (40, 50) and p.lr.shape == (20, 25) and p.ilr_y.shape == (40, 50)
    np.testing.assert_allclose(p.hr_y, hr / 255.0, atol=1e-7)  # gray: raw intensities


def test_make_pair_given_float_luminance_lr_and_bad_protocol():
    hr = _smooth_rgb(64, 64)
    lr_y = np.full((32, 32), 0.5)
    p = make_pair(hr, 2, lr=lr_y)
    np.testing.assert_allclose(p.ilr_y, 0.5, atol=1e-6)
    assert p.lr.dtype == np.uint8 and p.lr.shape == (32, 32)
    with pytest.raises(TypeError, match="float luminance"):
        make_pair(hr, 2, lr=lr_y, protocol="selfexsr")
    with pytest.raises(ValueError, match="unknown protocol"):
        make_pair(hr, 2, protocol="rgb")
    with pytest.raises(ValueError, match="unknown protocol"):
        pair_maker("sr", "rgb")


def test_make_pair_given_lr():
    hr = _smooth_rgb(64, 64)
    lr = np.full((32, 32, 3), 90, dtype=np.uint8)
    p = make_pair(hr, 2, lr=lr)
    assert p.lr is lr
    np.testing.assert_allclose(p.ilr_y, rgb2y(lr)[0, 0], atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint16])
def test_make_pair_needs_uint8(dtype):
    with pytest.raises(TypeError, match="8-bit"):
        make_pair(np.zeros((16, 16, 3), dtype=dtype), 2)


@pytest.mark.parametrize("scale", [0, -2, 1.5, 2.5])
def test_make_pair_bad_scale(scale):
    with pytest.raises(ValueError, match="positive integer"):
        make_pair(np.zeros((16, 16, 3), dtype=np.uint8), scale)


def test_make_pair_too_small():
    with pytest.raises(ValueError, match="too small"):
        make_pair(np.zeros((2, 9, 3), dtype=np.uint8), 3)


def test_quantize():
    y = np.array([0.0, 0.5 / 255, 0.49 / 255, 1.0, 1.2, -0.1, 100.4 / 255, 100.5 / 255])
    q = quantize(y) * 255
    np.testing.assert_allclose(q, [0, 1, 0, 255, 255, 0, 100, 101], atol=1e-9)
    assert quantize(np.float32(0.3)).dtype == np.float64
    levels = np.arange(256) / 255.0
    np.testing.assert_array_equal(quantize(levels), levels)  # idempotent on 8-bit levels


def test_pair_maker():
    make = pair_maker("sr")
    assert make.func is make_pair and make.keywords == {"protocol": "paper"}
    assert pair_maker("sr", "selfexsr").keywords == {"protocol": "selfexsr"}
    with pytest.raises(ValueError, match="unknown task"):
        pair_maker("deblur")
