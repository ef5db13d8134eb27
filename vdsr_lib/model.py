"""The VDSR network (Kim, Lee & Lee, CVPR 2016) as a plain ``nn.Module``.

``depth`` weight layers: conv 3x3 (``width`` filters) + ReLU for all but the last, which maps back
to ``in_channels``. Zero padding keeps every feature map the size of the input. With
``residual=True`` the network predicts the residual ``HR - ILR`` and adds it to its input (the
interpolated low-resolution image, ILR); with ``residual=False`` it predicts the image itself.
"""
from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["VDSR", "receptive_field", "count_parameters"]


class VDSR(nn.Module):
    """Very deep super-resolution network: ``depth`` 3x3 conv layers, residual by default."""

    def __init__(self, depth: int = 20, width: int = 64, residual: bool = True, in_channels: int = 1,
                 zero_init_last: bool = False) -> None:
        super().__init__()
        if depth < 2:
            raise ValueError(f"VDSR needs at least 2 weight layers (got depth={depth})")
        if width < 1 or in_channels < 1:
            raise ValueError("width and in_channels must be positive")
        self.depth, self.width, self.residual, self.in_channels = depth, width, residual, in_channels
        layers: list[nn.Module] = [nn.Conv2d(in_channels, width, 3, padding=1), nn.ReLU(inplace=True)]
        for _ in range(depth - 2):
            layers += [nn.Conv2d(width, width, 3, padding=1), nn.ReLU(inplace=True)]
        self.body = nn.Sequential(*layers)
        self.tail = nn.Conv2d(width, in_channels, 3, padding=1)
        self.reset_parameters(zero_init_last)

    def reset_parameters(self, zero_init_last: bool = False) -> None:
        """He (Kaiming) initialisation for every conv but the last, biases zero. The last layer is zero
        (``zero_init_last``, the trainer's default) or normal with std ``sqrt(1 / (9 * width))``: He's rule
        without the factor 2 for a ReLU, since none follows it (the paper uses He for every layer)."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
                nn.init.zeros_(m.bias)
        if zero_init_last:
            nn.init.zeros_(self.tail.weight)
        else:  # the last layer has no ReLU after it: the linear gain keeps its output scale sensible
            nn.init.normal_(self.tail.weight, std=math.sqrt(1.0 / (9 * self.width)))

    def forward(self, ilr: torch.Tensor) -> torch.Tensor:
        """``ilr``: N x C x H x W interpolated low-resolution input; returns the same shape."""
        out = self.tail(self.body(ilr))
        return ilr + out if self.residual else out

    def extra_repr(self) -> str:
        return f"depth={self.depth}, width={self.width}, residual={self.residual}"


def receptive_field(depth: int) -> int:
    """Side of the receptive field of ``depth`` stacked 3x3 convolutions: ``2 * depth + 1``."""
    return 2 * depth + 1


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters (weights and biases)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
