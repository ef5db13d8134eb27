"""Tests for vdsr_lib.color: MATLAB's BT.601 rgb2ycbcr / ycbcr2rgb and the luminance helper."""
from __future__ import annotations

import numpy as np
import pytest

from vdsr_lib.color import rgb2y, rgb2ycbcr, to_float, ycbcr2rgb


def test_round_trip_float():
    rgb = np.random.default_rng(0).random((23, 17, 3))
    assert np.abs(ycbcr2rgb(rgb2ycbcr(rgb)) - rgb).max() < 1e-10


def test_round_trip_uint8():
    rgb = np.random.default_rng(1).integers(0, 256, (9, 11, 3), dtype=np.uint8)
    assert np.abs(ycbcr2rgb(rgb2ycbcr(rgb)) * 255 - rgb).max() < 1e-10


@pytest.mark.parametrize("rgb, ycbcr", [
    ((255, 255, 255), (235, 128, 128)),  # white: Y = 235, chroma neutral
    ((0, 0, 0), (16, 128, 128)),         # black: Y = 16
    ((255, 0, 0), (16 + 65.481, 128 - 37.797, 128 + 112.0)),  # pure red, MATLAB's first column
    ((0, 0, 255), (16 + 24.966, 128 + 112.0, 128 - 18.214)),  # pure blue
])
def test_known_values(rgb, ycbcr):
    px = np.array(rgb, dtype=np.uint8).reshape(1, 1, 3)
    np.testing.assert_allclose(rgb2ycbcr(px)[0, 0] * 255, ycbcr, atol=1e-9)
    np.testing.assert_allclose(ycbcr2rgb(np.array(ycbcr, dtype=float).reshape(1, 1, 3) / 255)[0, 0] * 255,
                               rgb, atol=1e-9)


def test_white_and_black_luminance():
    img = np.zeros((2, 2, 3), dtype=np.uint8)
    img[0] = 255
    y = rgb2y(img)
    assert y.shape == (2, 2)
    np.testing.assert_allclose(y[0], 235 / 255, atol=1e-12)
    np.testing.assert_allclose(y[1], 16 / 255, atol=1e-12)


def test_uint8_and_float_inputs_agree():
    rgb = np.random.default_rng(2).integers(0, 256, (5, 6, 3), dtype=np.uint8)
    np.testing.assert_allclose(rgb2ycbcr(rgb), rgb2ycbcr(rgb / 255.0), atol=1e-12)
    assert rgb2ycbcr(rgb.astype(np.float32) / 255).dtype == np.float64


def test_gray_input_is_its_own_luminance():
    gray = np.arange(0, 256, 16, dtype=np.uint8).reshape(4, 4)
    np.testing.assert_array_equal(rgb2y(gray), gray / 255.0)  # raw intensities, not [16, 235]
    np.testing.assert_array_equal(rgb2y(gray[..., None]), gray / 255.0)
    # an RGB image with equal channels maps to studio swing instead
    rgb = np.repeat(gray[..., None], 3, axis=2)
    np.testing.assert_allclose(rgb2y(rgb), (16 + gray.astype(float) * 219 / 255) / 255, atol=1e-6)


@pytest.mark.parametrize("shape", [(4, 4), (4, 4, 1), (4, 4, 4), (3,)])
def test_rgb2ycbcr_rejects_non_rgb(shape):
    with pytest.raises(ValueError, match="H x W x 3"):
        rgb2ycbcr(np.zeros(shape))


def test_integer_types_other_than_uint8_rejected():
    with pytest.raises(TypeError, match="uint8 or float"):
        to_float(np.zeros((2, 2, 3), dtype=np.uint16))
    with pytest.raises(TypeError):
        rgb2y(np.zeros((2, 2), dtype=np.int32))
