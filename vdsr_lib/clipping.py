"""Gradient clipping methods compared in the book, applied in place after ``backward()``.

* ``adjustable`` (the paper's): each gradient element is clipped to ``[-theta/lr, theta/lr]``, so
  one SGD step moves a weight by at most ``theta`` (times the momentum build-up) whatever the
  learning rate; this is what makes ``lr = 0.1`` trainable.
* ``value``: each element clipped to ``[-theta, theta]`` (fixed bound).
* ``norm``: the whole gradient vector rescaled to norm at most ``theta`` (Pascanu et al.).
* ``none``.
"""
from __future__ import annotations

from collections.abc import Iterable

import torch

__all__ = ["CLIP_MODES", "clip_gradients"]

CLIP_MODES = ("none", "value", "norm", "adjustable")


@torch.no_grad()
def clip_gradients(params: Iterable[torch.nn.Parameter], mode: str, theta: float, lr: float) -> tuple[float, float]:
    """Clip gradients in place; returns ``(gradient norm before clipping, fraction clipped)``.

    For ``value``/``adjustable`` the fraction counts clipped elements; for ``norm`` it is 1.0 when
    the vector was rescaled, else 0.0.
    """
    if mode not in CLIP_MODES:
        raise ValueError(f"unknown clipping mode {mode!r}; choose from {', '.join(CLIP_MODES)}")
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0, 0.0
    norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])).item()
    if mode == "none":
        return norm, 0.0
    if mode == "norm":
        if norm > theta:
            torch._foreach_mul_(grads, theta / (norm + 1e-12))
            return norm, 1.0
        return norm, 0.0
    bound = theta / lr if mode == "adjustable" else theta
    clipped = sum(int((g.abs() > bound).sum()) for g in grads)
    total = sum(g.numel() for g in grads)
    for g in grads:
        g.clamp_(-bound, bound)
    return norm, clipped / total
