"""Tests for vdsr_lib.clipping on hand-made gradients."""
from __future__ import annotations

import math

import pytest
import torch

from vdsr_lib.clipping import CLIP_MODES, clip_gradients

G1, G2 = [3.0, -4.0], [0.5, -0.1, 12.0]
NORM = math.sqrt(9 + 16 + 0.25 + 0.01 + 144)


def _params() -> list[torch.nn.Parameter]:
    p1 = torch.nn.Parameter(torch.zeros(2))
    p2 = torch.nn.Parameter(torch.zeros(3))
    p3 = torch.nn.Parameter(torch.zeros(4))  # no gradient: ignored
    p1.grad, p2.grad = torch.tensor(G1), torch.tensor(G2)
    return [p1, p2, p3]


def _grads(params) -> list[float]:
    """All gradients, flattened (float32 values as Python floats)."""
    return [g for p in params if p.grad is not None for g in p.grad.tolist()]


def test_none_leaves_gradients():
    params = _params()
    norm, frac = clip_gradients(params, "none", theta=0.1, lr=0.1)
    assert norm == pytest.approx(NORM, rel=1e-6) and frac == 0.0
    assert _grads(params) == pytest.approx(G1 + G2, rel=1e-7)


def test_value_clips_each_element_to_theta():
    params = _params()
    norm, frac = clip_gradients(params, "value", theta=1.0, lr=123.0)  # lr plays no part
    assert norm == pytest.approx(NORM, rel=1e-6)
    assert frac == pytest.approx(3 / 5)  # 3, -4 and 12 exceed 1
    assert _grads(params) == pytest.approx([1.0, -1.0, 0.5, -0.1, 1.0], rel=1e-7)


@pytest.mark.parametrize("theta, lr, bound, frac", [
    (0.01, 0.01, 1.0, 3 / 5),    # theta / lr = 1
    (0.02, 0.1, 0.2, 4 / 5),     # bound 0.2: 3, -4, 0.5, 12 exceed it, -0.1 does not
    (1e-4, 1e-5, 10.0, 1 / 5),   # only 12 exceeds 10
    (1.0, 1e-3, 1000.0, 0.0),    # nothing to clip
])
def test_adjustable_bound_is_theta_over_lr(theta, lr, bound, frac):
    params = _params()
    norm, f = clip_gradients(params, "adjustable", theta=theta, lr=lr)
    assert norm == pytest.approx(NORM, rel=1e-6)
    clipped = [max(-bound, min(bound, g)) for g in G1 + G2]
    assert _grads(params) == pytest.approx(clipped, rel=1e-6)
    assert f == pytest.approx(frac)


def test_adjustable_step_is_at_most_theta():
    """With clipping to theta/lr, one plain SGD step moves every weight by at most theta."""
    params = _params()
    theta, lr = 1e-3, 0.1
    clip_gradients(params, "adjustable", theta=theta, lr=lr)
    for p in params:
        if p.grad is not None:
            assert (lr * p.grad).abs().max() <= theta * (1 + 1e-6)


def test_norm_rescales_whole_vector():
    params = _params()
    norm, frac = clip_gradients(params, "norm", theta=5.0, lr=0.1)
    assert norm == pytest.approx(NORM, rel=1e-6) and frac == 1.0
    flat = torch.cat([p.grad for p in params if p.grad is not None])
    assert flat.norm().item() == pytest.approx(5.0, rel=1e-5)
    assert flat.tolist() == pytest.approx([g * 5.0 / NORM for g in G1 + G2], rel=1e-5)  # direction kept


def test_norm_below_threshold_unchanged():
    params = _params()
    norm, frac = clip_gradients(params, "norm", theta=100.0, lr=0.1)
    assert norm == pytest.approx(NORM, rel=1e-6) and frac == 0.0
    assert _grads(params) == pytest.approx(G1 + G2, rel=1e-7)


@pytest.mark.parametrize("mode", CLIP_MODES)
def test_no_gradients(mode):
    p = torch.nn.Parameter(torch.ones(3))
    assert clip_gradients([p], mode, theta=1.0, lr=0.1) == (0.0, 0.0)


def test_bad_mode():
    with pytest.raises(ValueError, match="unknown clipping mode 'l2'"):
        clip_gradients(_params(), "l2", theta=1.0, lr=0.1)


def test_real_model_gradients():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Conv2d(4, 1, 3))
    net(torch.randn(2, 1, 9, 9)).pow(2).sum().backward()
    norm, frac = clip_gradients(net.parameters(), "value", theta=1e-3, lr=0.1)
    assert norm > 0 and 0 < frac <= 1
    assert max(p.grad.abs().max().item() for p in net.parameters()) <= 1e-3 * (1 + 1e-6)  # float32
