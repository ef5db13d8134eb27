"""Tests for vdsr_lib.imresize: MATLAB bicubic against golden LR fixtures, dtypes, shapes, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import need_data
from vdsr_lib.datasets import load_image
from vdsr_lib.imresize import cubic, imresize, modcrop, resize_weights


def test_golden_matlab_fixtures():
    """MATLAB's own LR images of Set5/Set14 (SelfExSR) at x2/x3/x4 vs. imresize(modcrop(hr, s), 1/s)."""
    root = need_data("matlab_lr", "Set5", "Set14")
    fixtures = sorted((root / "matlab_lr").glob("*/x*/*.png"))
    assert len(fixtures) == 57, f"expected 57 golden LR images (Set5 + Set14 at x2/x3/x4), found {len(fixtures)}"
    for path in fixtures:
        set_name, scale = path.parts[-3], int(path.parts[-2][1:])
        hr = load_image(root / set_name / path.name)
        ref = load_image(path)
        out = imresize(modcrop(hr, scale), 1 / scale)
        assert out.dtype == np.uint8 and out.shape == ref.shape, path
        diff = np.abs(out.astype(int) - ref)
        assert diff.max() == 0, f"{path}: {int((diff > 0).sum())} pixels differ, by up to {diff.max()} levels"


def test_border_repeats_the_edge_pixel():
    """Beyond the border the edge pixel is repeated (the MATLAB of the fixtures), not mirrored."""
    x = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0])
    w = resize_weights(8, 4, 0.5).toarray()
    assert np.allclose(w.sum(axis=1), 1)
    # the last output pixel: its taps past the end all land on the edge pixel (index 7)
    pad = np.concatenate([x, np.full(8, x[-1])])  # the image continued by its edge pixel
    taps = resize_weights(16, 8, 0.5).toarray()[3]  # the same output pixel, with the padding in the image
    assert (w @ x)[3] == pytest.approx(taps @ pad)
    mirrored = np.concatenate([x, x[::-1]])
    assert (w @ x)[3] != pytest.approx(taps @ mirrored)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_float_in_float_out(dtype):
    img = np.random.default_rng(0).random((20, 30)).astype(dtype)
    out = imresize(img, 0.5)
    assert out.dtype == np.float64 and out.shape == (10, 15)


def test_uint8_in_uint8_out():
    img = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    for scale in (0.5, 1 / 3, 2, 3):
        out = imresize(img, scale)
        assert out.dtype == np.uint8


@pytest.mark.parametrize("h, w, scale", [(20, 30, 0.5), (17, 23, 1 / 3), (17, 23, 0.25), (5, 7, 2), (5, 7, 3),
                                         (9, 9, 0.3), (10, 11, 1.5)])
def test_output_shape_is_ceil(h, w, scale):
    out = imresize(np.zeros((h, w, 3)), scale)
    assert out.shape == (math.ceil(h * scale), math.ceil(w * scale), 3)
    assert imresize(np.zeros((h, w)), scale).shape == out.shape[:2]


def test_output_shape_argument():
    img = np.random.default_rng(0).random((12, 18, 3))
    assert imresize(img, output_shape=(36, 54)).shape == (36, 54, 3)
    assert imresize(img, output_shape=(7, 40)).shape == (7, 40, 3)  # different scale per axis
    np.testing.assert_allclose(imresize(img, output_shape=(36, 54)), imresize(img, 3), atol=1e-12)


@pytest.mark.parametrize("scale", [0.5, 1 / 3, 0.25, 2, 3, 4])
def test_constant_image_stays_constant(scale):
    img = np.full((24, 18), 0.37)
    np.testing.assert_allclose(imresize(img, scale), 0.37, atol=1e-12)
    img8 = np.full((24, 18, 3), 201, dtype=np.uint8)
    assert (imresize(img8, scale) == 201).all()


def test_weights_sum_to_one_and_kernel():
    assert cubic(np.array([0.0]))[0] == 1.0
    np.testing.assert_allclose(cubic(np.array([1.0, 2.0, 2.5, -1.0])), 0.0, atol=1e-15)
    np.testing.assert_allclose(cubic(np.array([0.5])), 0.5625)  # Keys a = -0.5
    for in_len, out_len, scale in [(30, 10, 1 / 3), (10, 30, 3), (7, 14, 2)]:
        w = resize_weights(in_len, out_len, scale)
        assert w.shape == (out_len, in_len)
        np.testing.assert_allclose(np.asarray(w.sum(axis=1)).ravel(), 1.0, atol=1e-12)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_upscale_then_downscale_near_identity_for_smooth_images(scale):
    yy, xx = np.mgrid[0:48, 0:40] / 48.0
    smooth = 0.5 + 0.3 * np.sin(2 * np.pi * xx) * np.cos(np.pi * yy)
    back = imresize(imresize(smooth, scale), 1 / scale)
    assert back.shape == smooth.shape
    assert np.abs(back - smooth)[4:-4, 4:-4].max() < 2e-3
    assert np.abs(back - smooth).max() < 2e-2


def test_linear_ramp_interior_is_exact():
    """Keys' cubic reproduces linear functions exactly, so a ramp upscales to a ramp (away from the border)."""
    ramp = np.tile(np.arange(20, dtype=np.float64), (6, 1))
    up = imresize(ramp, output_shape=(6, 40))
    expected = (np.arange(1, 41) / 2 + 0.25 - 1)  # sample positions u = i/2 + 1/4 (1-based)
    np.testing.assert_allclose(up[:, 4:-4], np.tile(expected[4:-4], (6, 1)), atol=1e-12)


def test_uint8_rounds_and_saturates():
    img = np.zeros((8, 8), dtype=np.uint8)
    img[:, 4:] = 255  # a sharp edge overshoots in float, saturates in uint8
    f = imresize(img.astype(np.float64), 2)
    u = imresize(img, 2)
    assert f.max() > 255 and f.min() < 0
    assert u.max() == 255 and u.min() == 0


def test_modcrop():
    img = np.zeros((13, 22, 3), dtype=np.uint8)
    assert modcrop(img, 4).shape == (12, 20, 3)
    assert modcrop(img, 1).shape == img.shape
    assert modcrop(img[..., 0], 3).shape == (12, 21)
    marked = np.arange(13 * 22).reshape(13, 22)
    np.testing.assert_array_equal(modcrop(marked, 4), marked[:12, :20])  # top-left kept


@pytest.mark.parametrize("bad, kwargs, err", [
    (np.zeros(5), {"scale": 2}, ValueError),                 # 1-D
    (np.zeros((2, 3, 4, 5)), {"scale": 2}, ValueError),      # 4-D
    (np.zeros((4, 4)), {}, ValueError),                      # neither scale nor output_shape
    (np.zeros((4, 4)), {"scale": 2, "output_shape": (8, 8)}, ValueError),  # both
    (np.zeros((4, 4)), {"scale": 0}, ValueError),
    (np.zeros((4, 4)), {"scale": -0.5}, ValueError),
    (np.zeros((4, 4)), {"output_shape": (0, 4)}, ValueError),
    (np.zeros((4, 4), dtype=np.uint16), {"scale": 0.5}, TypeError),
    (np.zeros((4, 4), dtype=np.int64), {"scale": 0.5}, TypeError),
    (np.zeros((4, 4), dtype=bool), {"scale": 0.5}, TypeError),
])
def test_bad_inputs(bad, kwargs, err):
    with pytest.raises(err):
        imresize(bad, **kwargs)


def test_scale_too_small_leaves_no_pixels():
    # ceil keeps at least one pixel for any positive scale; an explicit empty shape is refused
    assert imresize(np.zeros((4, 4)), 0.01).shape == (1, 1)
    with pytest.raises(ValueError, match="no pixels"):
        imresize(np.zeros((4, 4)), output_shape=(4, 0))
