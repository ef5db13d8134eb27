"""Tests for vdsr_lib.patches: random (ILR, HR) patch batches."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vdsr_lib.imresize import imresize
from vdsr_lib.patches import PatchSampler


def _images() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    out = []
    for h, w in [(90, 120), (64, 80), (130, 70)]:
        small = rng.integers(0, 256, (h // 6, w // 6, 3), dtype=np.uint8)
        out.append(imresize(small, output_shape=(h, w)))
    return out


@pytest.fixture(scope="module")
def images():
    return _images()


def test_batch_shapes_and_ranges(images):
    s = PatchSampler(images, scales=(2, 3), patch=41, seed=0)
    x, y = s.sample(12)
    assert x.shape == y.shape == (12, 1, 41, 41)
    assert x.dtype == y.dtype == torch.float32
    assert 0 <= y.min() and y.max() <= 1
    assert -0.05 <= x.min() and x.max() <= 1.05  # bicubic may overshoot a little
    levels = y.double() * 255
    assert torch.allclose(levels, levels.round(), atol=1e-4)  # targets are 8-bit levels
    # each ILR patch is the blurred version of its own HR patch
    assert (x - y).abs().mean() < 0.05
    assert (x - y.roll(1, 0)).abs().mean() > 2 * (x - y).abs().mean()


def test_seeded_determinism(images):
    a = PatchSampler(images, (2,), 33, seed=7)
    b = PatchSampler(images, (2,), 33, seed=7)
    c = PatchSampler(images, (2,), 33, seed=8)
    xa, ya = a.sample(8)
    xb, yb = b.sample(8)
    xc, _ = c.sample(8)
    assert torch.equal(xa, xb) and torch.equal(ya, yb)
    assert not torch.equal(xa, xc)
    assert not torch.equal(a.sample(8)[0], xa)  # the stream moves on


def test_mixed_scales(images):
    s = PatchSampler(images, scales=(2, 3, 4), patch=41)
    assert len(s) == 3 * len(images)
    assert sorted(set(s.pair_scale)) == [2, 3, 4]
    assert s.pair_scale.count(3) == len(images)
    np.testing.assert_allclose(s.weights.sum(), 1.0)
    areas = np.array([a.size for a, _ in s.pairs], dtype=float)
    np.testing.assert_allclose(s.weights, areas / areas.sum())  # images picked by area


def test_small_images_are_skipped(images):
    tiny = np.zeros((30, 200, 3), dtype=np.uint8)
    s = PatchSampler([tiny] + images, scales=(2,), patch=41)
    assert len(s) == len(images)
    with pytest.raises(ValueError, match="at least 41x41"):
        PatchSampler([tiny], scales=(2,), patch=41)


def test_no_images():
    with pytest.raises(ValueError, match="at least one"):
        PatchSampler([], scales=(2,))


def test_state_round_trip(images):
    s = PatchSampler(images, (2, 4), 41, seed=3)
    s.sample(4)
    state = s.state()
    x1, y1 = s.sample(6)
    s.set_state(state)
    x2, y2 = s.sample(6)
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    # a state carries over to another sampler of the same data
    other = PatchSampler(images, (2, 4), 41, seed=99)
    other.set_state(state)
    assert torch.equal(other.sample(6)[0], x1)
