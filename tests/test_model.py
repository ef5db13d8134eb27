"""Tests for vdsr_lib.model: shapes, parameter count, receptive field, residual vs. direct."""
from __future__ import annotations

import pytest
import torch

from vdsr_lib.model import VDSR, count_parameters, receptive_field


@pytest.mark.parametrize("shape", [(1, 1, 7, 9), (2, 1, 41, 41), (1, 1, 13, 64), (3, 1, 1, 1)])
def test_output_shape_equals_input_shape(shape):
    model = VDSR(depth=4, width=8).eval()
    with torch.no_grad():
        assert model(torch.rand(shape)).shape == shape


def test_output_shape_multichannel():
    model = VDSR(depth=3, width=8, in_channels=3).eval()
    x = torch.rand(2, 3, 17, 11)
    with torch.no_grad():
        assert model(x).shape == x.shape


def test_parameter_count_depth20():
    # 1*64*9+64 + 18*(64*64*9+64) + 64*9+1 = 665,921 (the paper's "about 665K")
    assert count_parameters(VDSR(depth=20)) == 665_921
    assert count_parameters(VDSR(depth=20, width=64)) == 640 + 18 * 36_928 + 577


def test_layer_structure():
    model = VDSR(depth=6, width=16)
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 6
    assert all(c.kernel_size == (3, 3) and c.padding == (1, 1) for c in convs)
    assert "depth=6" in repr(model)


@pytest.mark.parametrize("depth", [3, 5])
def test_receptive_field_is_2d_plus_1(depth):
    """d(centre output)/d(input) is nonzero exactly on the (2D+1)^2 window around the centre."""
    torch.manual_seed(depth)
    model = VDSR(depth=depth, width=16).double()
    with torch.no_grad():  # random weights everywhere, positive biases: most ReLUs active
        for m in model.modules():
            if isinstance(m, torch.nn.Conv2d):
                m.weight.normal_(0, 0.3)
                m.bias.uniform_(0.05, 0.2)
    n, c = 4 * depth + 7, 2 * depth + 3
    x = torch.rand(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    model(x)[0, 0, c, c].backward()
    support = x.grad[0, 0] != 0
    rows = torch.nonzero(support.any(1)).flatten()
    cols = torch.nonzero(support.any(0)).flatten()
    side = receptive_field(depth)
    assert side == 2 * depth + 1
    assert (rows.min().item(), rows.max().item()) == (c - depth, c + depth)
    assert (cols.min().item(), cols.max().item()) == (c - depth, c + depth)
    assert int(support.sum()) == side * side  # every pixel of the window, none outside


def test_zero_init_last_residual_is_identity():
    model = VDSR(depth=4, width=8, zero_init_last=True).eval()
    x = torch.rand(1, 1, 20, 20)
    with torch.no_grad():
        assert torch.equal(model(x), x)


def test_residual_adds_input_and_direct_predicts_image():
    torch.manual_seed(0)
    x = torch.rand(1, 1, 16, 16)
    res = VDSR(depth=3, width=8, residual=True).eval()
    direct = VDSR(depth=3, width=8, residual=False).eval()
    direct.load_state_dict(res.state_dict())
    with torch.no_grad():
        branch = res.tail(res.body(x))
        assert torch.allclose(res(x), x + branch)
        assert torch.allclose(direct(x), branch)
        assert not torch.allclose(direct(x), res(x))
    direct0 = VDSR(depth=3, width=8, residual=False, zero_init_last=True).eval()
    with torch.no_grad():  # a zero last layer predicts a zero image (not the input) without the skip
        assert torch.count_nonzero(direct0(x)) == 0
    assert "residual=False" in repr(direct)


def test_he_initialisation_scale():
    """He's normal init on the fan-in: the first layer (fan-in 9, fan-out 576) tells fan-in from fan-out
    (std 0.471 vs 0.059), a 64 -> 64 layer's 36,864 weights tell He from Xavier (0.059 vs 0.042) and
    PyTorch's default (0.024) within 3%, and their kurtosis a normal law (3) from a uniform one (1.8)."""
    torch.manual_seed(0)
    model = VDSR(depth=20)
    first = model.body[0].weight  # 1 -> 64 filters: 576 weights, sample std within ~10%
    assert first.std().item() == pytest.approx((2 / 9) ** 0.5, rel=0.1)
    w = model.body[2].weight.detach().flatten().double()  # a 64 -> 64 layer: std sqrt(2 / (9 * 64))
    assert w.std().item() == pytest.approx((2 / (9 * 64)) ** 0.5, rel=0.03)
    assert abs(w.mean().item()) < 0.002
    kurtosis = (((w - w.mean()) / w.std()) ** 4).mean().item()
    assert kurtosis == pytest.approx(3.0, abs=0.15)
    tail = VDSR(depth=20, zero_init_last=False).tail.weight  # no ReLU after it: sqrt(1 / (9 * 64))
    assert tail.std().item() == pytest.approx((1 / (9 * 64)) ** 0.5, rel=0.1)
    assert all(torch.count_nonzero(m.bias) == 0 for m in model.modules() if isinstance(m, torch.nn.Conv2d))


@pytest.mark.parametrize("kwargs", [{"depth": 1}, {"depth": 0}, {"depth": -3}, {"width": 0}, {"in_channels": 0}])
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        VDSR(**kwargs)


def test_bad_depth_message():
    with pytest.raises(ValueError, match="at least 2 weight layers"):
        VDSR(depth=1)
