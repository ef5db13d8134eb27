"""Tests for vdsr_lib.inference: tiled = untiled, upscale shapes, bad inputs."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vdsr_lib.imresize import imresize
from vdsr_lib.inference import default_device, predict_y, upscale
from vdsr_lib.model import VDSR


@pytest.fixture(scope="module")
def random_model() -> VDSR:
    """A depth-5 network with random weights whose output stays mostly inside (0, 1)."""
    torch.manual_seed(0)
    model = VDSR(depth=5, width=16)
    with torch.no_grad():
        model.tail.weight.mul_(0.2)
        for m in model.modules():
            if isinstance(m, torch.nn.Conv2d):
                m.bias.uniform_(-0.02, 0.02)
    return model.eval()


def _smooth(h: int, w: int, seed: int = 0, channels: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (h // 6 + 2, w // 6 + 2) + ((channels,) if channels else ())
    return imresize(rng.random(shape), output_shape=(h, w))


def test_tiled_equals_untiled(random_model):
    y = np.clip(_smooth(150, 170) * 0.6 + 0.2, 0, 1)
    calls = []
    full = predict_y(random_model, y, tile=None)
    tiled = predict_y(random_model, y, tile=64, progress=lambda d, t: calls.append((d, t)))
    assert full.shape == tiled.shape == (150, 170) and tiled.dtype == np.float32
    inside = (full > 0) & (full < 1)
    assert inside.mean() > 0.9  # the comparison is not hidden by clipping
    assert np.abs(full - y).mean() > 1e-2  # and the network does change the image
    assert np.abs(tiled - full).max() < 1e-4
    assert calls == [(i, 9) for i in range(1, 10)]  # 3 x 3 tiles
    # overlap is what makes it exact: with none, the seams differ
    seams = predict_y(random_model, y, tile=64, overlap=0)
    assert np.abs(seams - full).max() > 1e-3
    # an overlap of the receptive radius (depth) suffices
    assert np.abs(predict_y(random_model, y, tile=50, overlap=5) - full).max() < 1e-4


def test_predict_y_small_image_one_tile(random_model):
    y = np.full((20, 30), 0.5, dtype=np.float64)
    calls = []
    out = predict_y(random_model, y, tile=64, progress=lambda d, t: calls.append((d, t)))
    assert out.shape == (20, 30) and calls == [(1, 1)]
    assert 0 <= out.min() and out.max() <= 1
    assert not random_model.training


def test_predict_y_clips_to_unit_range():
    model = VDSR(depth=2, width=2, zero_init_last=True)
    y = np.linspace(-0.5, 1.5, 40).reshape(4, 10)
    out = predict_y(model, y)
    np.testing.assert_allclose(out, np.clip(y, 0, 1), atol=1e-7)


def test_default_device():
    dev = default_device()
    assert isinstance(dev, torch.device) and dev.type in ("cpu", "cuda", "mps")
    assert (dev.type == "cuda") == torch.cuda.is_available()


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_upscale_shapes_rgb_and_gray(scale):
    rgb = (_smooth(20, 30, channels=3) * 255).round().clip(0, 255).astype(np.uint8)
    out = upscale(rgb, scale)
    assert out.shape == (20 * scale, 30 * scale, 3) and out.dtype == np.uint8
    gray = rgb[..., 1]
    out = upscale(gray, scale)
    assert out.shape == (20 * scale, 30 * scale) and out.dtype == np.uint8


def test_upscale_bicubic_matches_imresize_for_gray():
    gray = (_smooth(24, 18) * 255).round().clip(0, 255).astype(np.uint8)
    ref = np.clip(np.floor(imresize(gray / 255.0, 3) * 255 + 0.5), 0, 255)
    np.testing.assert_array_equal(upscale(gray, 3), ref)


def test_upscale_identity_network_is_bicubic():
    model = VDSR(depth=3, width=4, zero_init_last=True)
    model.scales = (2, 3, 4)
    rgb = (_smooth(20, 26, seed=1, channels=3) * 255).round().clip(0, 255).astype(np.uint8)
    np.testing.assert_array_equal(upscale(rgb, 2, model), upscale(rgb, 2))
    np.testing.assert_array_equal(upscale(rgb[..., 0], 3, model), upscale(rgb[..., 0], 3))


def test_upscale_with_model_and_tiles(random_model):
    rgb = (_smooth(40, 36, seed=2, channels=3) * 255).round().clip(0, 255).astype(np.uint8)
    calls = []
    a = upscale(rgb, 2, random_model, tile=None)
    b = upscale(rgb, 2, random_model, tile=32, progress=lambda d, t: calls.append((d, t)))
    assert a.shape == (80, 72, 3) and calls[-1] == (9, 9)
    assert np.abs(a.astype(int) - b).max() <= 1  # tiles change Y by < 1e-4: at most a rounding step
    assert np.abs(a.astype(int) - upscale(rgb, 2)).max() > 0  # the network did something


def test_upscale_progress_without_model():
    calls = []
    upscale(np.zeros((4, 4), np.uint8), 2, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 1)]


@pytest.mark.parametrize("image, scale, match", [
    (np.zeros((8, 8, 4), np.uint8), 2, "RGBA"),
    (np.zeros((1, 1, 3), np.uint8), 2, "too small"),
    (np.zeros((1, 9), np.uint8), 2, "too small"),
    (np.zeros((8, 8, 3), np.uint16), 2, "8-bit"),
    (np.zeros((8, 8), np.float32), 2, "8-bit"),
    (np.zeros((8, 8, 2), np.uint8), 2, "H x W x 3"),
    (np.zeros((2, 8, 8, 3), np.uint8), 2, "H x W x 3"),
    (np.zeros(8, np.uint8), 2, "H x W x 3"),
    (np.zeros((8, 8, 3), np.uint8), 2.5, "integer from 2 to 8"),
    (np.zeros((8, 8, 3), np.uint8), 1, "integer from 2 to 8"),
    (np.zeros((8, 8, 3), np.uint8), 9, "integer from 2 to 8"),
])
def test_upscale_bad_inputs(image, scale, match):
    with pytest.raises(ValueError, match=match):
        upscale(image, scale)


def test_upscale_scale_not_trained():
    model = VDSR(depth=2, width=2)
    model.scales = (2, 3, 4)
    with pytest.raises(ValueError, match=r"trained for scales \[2, 3, 4\], not x5"):
        upscale(np.zeros((8, 8, 3), np.uint8), 5, model)
    assert upscale(np.zeros((8, 8, 3), np.uint8), 4, model).shape == (32, 32, 3)
    model.scales = ()  # unknown training scales: any scale is allowed
    assert upscale(np.zeros((8, 8), np.uint8), 5, model).shape == (40, 40)
