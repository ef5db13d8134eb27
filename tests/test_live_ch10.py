"""Chapter 10's live run, over three seeds: what the chapter's prose says held for all three seeds tested.

The chapter trains the ``beyond`` experiment's ``quick`` runs (a depth-6, width-32 network per
task, a few minutes on a CPU) and scores them as the chapter does (central 192 x 192 pixels of
Set5 and Set14) against the classical baselines tuned on the training images. It states one thing
about them as holding for the three seeds tested: the denoiser beats its noisy input by more than
1 dB at every level, yet stays below total-variation denoising at every level (transfer needs the
shipped full-budget run). The JPEG network is not claimed: with seed 1 it had barely left its input after
150 steps (Set5 quality 10: +0.02 dB; in another cell 0.004 dB below it), with seed 0 it gained
+0.25 to +0.85 dB. Measured: the three denoiser runs plus their set-up in about 1.5 min.
"""
from dataclasses import replace

import pytest

from conftest import need_data
from vdsr_lib import load_dataset, train
from vdsr_lib import restoration as R
from vdsr_lib.experiments import experiment_runs

SEEDS = (0, 1, 2)
CROP = 192  # the chapter's TEST_CROP at the quick budget


@pytest.fixture(scope="module")
def setting():
    need_data("Set5", "Set14", "T91", "BSD200")
    runs = experiment_runs("beyond", "quick")
    cfg = runs["denoise"]
    train_images = load_dataset(cfg.train_set, limit=cfg.max_images).images
    tests = [load_dataset(name).images for name in ("Set5", "Set14")]
    baselines = {task: {level: R.tune_baseline(train_images, task, level)[0] for level in c.scales}
                 for task, c in runs.items()}
    return runs, tests, baselines


def _live_cells(setting, task, seed):
    runs, tests, baselines = setting
    cfg = replace(runs[task], seed=seed)
    model = train(cfg, progress=False)["model"].eval()
    return [r for images in tests for r in
            R.evaluate_restoration(model, images, task, cfg.scales, baselines[task], crop=CROP).values()]


@pytest.mark.parametrize("seed", SEEDS)
def test_live_denoiser_beats_the_noisy_input_but_not_tv(setting, seed):
    cells = _live_cells(setting, "denoise", seed)
    assert all(r["network"] > r["input"] + 1.0 for r in cells), cells
    assert all(r["network"] < r["baseline"] for r in cells), cells

