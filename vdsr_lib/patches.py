"""Training data: (ILR, HR) luminance pairs cached once per image and scale, random 41x41 patches.

Every image of the training set is degraded once per scale (:func:`vdsr_lib.degrade.make_pair`)
and kept in memory; a batch is then only random crops, so sampling costs next to nothing. A batch
mixes the scales (as the paper's multi-scale training does), picks images in proportion to their
area, and applies one of the 8 flips/rotations to each patch.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from .degrade import pair_maker

__all__ = ["PatchSampler"]


class PatchSampler:
    """Random batches of ``patch`` x ``patch`` (ILR, HR) Y patches over ``scales``."""

    def __init__(self, images: Sequence[np.ndarray], scales: Sequence[int] = (2, 3, 4), patch: int = 41,
                 seed: int = 0, task: str = "sr", protocol: str = "paper") -> None:
        if not images:
            raise ValueError("PatchSampler needs at least one training image")
        self.scales, self.patch = tuple(int(s) for s in scales), patch
        self.pairs: list[tuple[np.ndarray, np.ndarray]] = []  # (ilr_y, hr_y) float32
        self.pair_scale: list[int] = []
        make = pair_maker(task, protocol)  # task "sr": scales are scales; else degradation levels
        for img in images:
            for s in self.scales:
                p = make(img, s)
                if min(p.hr_y.shape) >= patch:
                    self.pairs.append((p.ilr_y, p.hr_y))
                    self.pair_scale.append(s)
        if not self.pairs:
            raise ValueError(f"no training image is at least {patch}x{patch} pixels after cropping")
        area = np.array([a.size for a, _ in self.pairs], dtype=np.float64)
        self.weights = area / area.sum()
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.pairs)

    def sample(self, batch: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
        """``(ilr, hr)``, each a float32 tensor of shape ``batch x 1 x patch x patch``."""
        p, rng = self.patch, self.rng
        which = rng.choice(len(self.pairs), size=batch, p=self.weights)
        x = np.empty((batch, 1, p, p), dtype=np.float32)
        y = np.empty_like(x)
        ops = rng.integers(0, 8, size=batch)
        for i, k in enumerate(which):
            ilr, hr = self.pairs[k]
            r = rng.integers(0, ilr.shape[0] - p + 1)
            c = rng.integers(0, ilr.shape[1] - p + 1)
            a, b = ilr[r:r + p, c:c + p], hr[r:r + p, c:c + p]
            rot, flip = ops[i] % 4, ops[i] >= 4
            a, b = np.rot90(a, rot), np.rot90(b, rot)
            if flip:
                a, b = a[:, ::-1], b[:, ::-1]
            x[i, 0], y[i, 0] = a, b
        return torch.from_numpy(x), torch.from_numpy(y)

    def state(self) -> dict:
        """The random generator's state (for exact resume)."""
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state
