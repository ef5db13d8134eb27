"""Chapter 5's live measurement, for three seeds: what the chapter says about it holds for any seed.

The chapter trains nothing live (a depth effect needs the paper's budget). It measures how much of
its 41 x 41 window the shipped VDSR-20 uses: the mean normalised gradient of one output pixel of
the residual branch over random windows of Set5 (the seed picks the windows). The prose states:
the share of that sensitivity outside the central 11 x 11 (depth 5's window) is larger at x4 than
at x2, and beyond the central 21 x 21 (depth 10's window) lies less than 5% at every scale.

The functions are taken from the chapter itself (cell ``depth-08``), so the test checks the code the
reader sees. Select with ``pytest -k live``; needs the benchmark data (``VDSR_DATA``)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import need_data
from vdsr_lib import load_dataset, make_pair
from vdsr_lib.pretrained import load_pretrained

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "05_depth.ipynb"
BEYOND_21_MAX = 0.05  # the prose: "almost none beyond 21 x 21"


def chapter_functions() -> dict:
    cell = next(c for c in json.loads(CHAPTER.read_text())["cells"] if c.get("id") == "depth-08")
    namespace = {"np": np, "torch": torch, "make_pair": make_pair}
    exec("".join(cell["source"]), namespace)  # defines sensitivity() and outside()
    return namespace


@pytest.fixture(scope="module")
def setup():
    root = need_data("Set5")
    return chapter_functions(), load_pretrained().float().eval(), load_dataset("Set5", root=root)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_live_trained_vdsr20_uses_more_context_at_x4(setup, seed):
    fn, net, set5 = setup
    maps = {s: fn["sensitivity"](net, set5.images, s, seed=seed) for s in (2, 3, 4)}
    for s, g in maps.items():
        assert g.shape == (41, 41) and abs(g.sum() - 1) < 1e-4
    out11 = {s: fn["outside"](g, 11) for s, g in maps.items()}
    out21 = {s: fn["outside"](g, 21) for s, g in maps.items()}
    assert out11[4] > out11[2], f"seed {seed}: outside 11 x 11 {out11}"
    assert max(out21.values()) < BEYOND_21_MAX, f"seed {seed}: outside 21 x 21 {out21}"
