"""Chapter 3's live run (the `residual` experiment's quick budget, the lr 0.1 pair), for three seeds:
what the chapter says about it holds for any seed.

The prose states: after the live run's steps the residual network is above bicubic on Set5 x2, and
far above the network that predicts the image (which starts from a black image). Select with
``pytest -k live``; needs the benchmark data (``VDSR_DATA``)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from conftest import need_data
from vdsr_lib import train
from vdsr_lib.experiments import experiment_runs, final_psnr

LIVE = ("residual_lr0.1", "image_lr0.1")  # the pair book/03_residual.ipynb trains
GAP_DB = 10.0  # the residual network's least lead over the image network


def test_live_pair_is_the_chapters_quick_configuration():
    runs = experiment_runs("residual", "quick")
    res, img = (runs[name] for name in LIVE)
    assert res.residual and not img.residual and res.lr == img.lr == 0.1
    assert replace(img, residual=True) == res  # the two differ by the switch only
    assert res.total_iters * res.batch <= 1024  # seconds per run on a 2-core CPU


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_live_residual_beats_bicubic_and_the_image_network(seed):
    root = str(need_data("T91", "Set5"))
    res, img = (train(replace(experiment_runs("residual", "quick")[name], seed=seed),
                      progress=False, data_root=root) for name in LIVE)
    bicubic = res["bicubic_psnr"]["2"]
    assert final_psnr(res) > bicubic, f"seed {seed}: residual {final_psnr(res):.2f} <= bicubic {bicubic:.2f}"
    assert final_psnr(res) - final_psnr(img) > GAP_DB, (
        f"seed {seed}: residual {final_psnr(res):.2f} dB, image {final_psnr(img):.2f} dB")
