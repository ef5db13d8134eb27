"""Chapter 4's live run (the `clipping` experiment's quick budget), for three seeds: what the
chapter says about it holds for any seed.

The prose states: SGD at lr 0.1 with the paper's summed loss and no clipping diverges (its loss
becomes infinite within the first steps), while the same run with adjustable clipping finishes
with a finite loss and ends above bicubic on Set5 x2. Select with ``pytest -k live``; needs the
benchmark data (``VDSR_DATA``)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from conftest import need_data
from vdsr_lib import train
from vdsr_lib.experiments import experiment_runs, final_psnr

LIVE = ("none", "adjustable")  # the pair book/04_clipping.ipynb trains
GAIN_DB = 0.2  # the clipped run's least lead over bicubic (measured: 0.49-0.74 dB, seeds 0-4)


def test_live_pair_is_the_chapters_quick_configuration():
    runs = experiment_runs("clipping", "quick")
    assert set(runs) == set(LIVE)
    none, adj = (runs[name] for name in LIVE)
    assert none.optimizer == adj.optimizer == "sgd" and none.lr == adj.lr == 0.1
    assert adj.clip == "adjustable" and adj.loss == "sum"
    assert replace(none, clip="adjustable") == adj  # the two differ by the clipping rule only
    lrs = [adj.lr * adj.lr_gamma ** k for k in range(adj.epochs // adj.lr_step)]
    assert lrs == pytest.approx([0.1, 0.01, 0.001])  # the paper's three learning rates
    assert adj.total_iters * adj.batch <= 1024  # seconds per run on a 2-core CPU


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_live_no_clipping_diverges_and_adjustable_clipping_trains(seed):
    root = str(need_data("T91", "Set5"))
    none, adj = (train(replace(experiment_runs("clipping", "quick")[name], seed=seed),
                       progress=False, data_root=root) for name in LIVE)
    assert none["diverged"] and "at step" in none["divergence"], f"seed {seed}: no divergence"
    assert not adj["diverged"] and adj["finished"], f"seed {seed}: {adj.get('divergence')}"
    bicubic = adj["bicubic_psnr"]["2"]
    assert final_psnr(adj) - bicubic > GAIN_DB, (
        f"seed {seed}: adjustable {final_psnr(adj):.2f} dB, bicubic {bicubic:.2f} dB")
