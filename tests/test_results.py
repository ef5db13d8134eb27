"""The shipped experiment summaries (vdsr_lib/results/*.json) match the code that reproduces them."""
from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from vdsr_lib.train import LEGACY_DEFAULTS
from vdsr_lib.experiments import (EXPERIMENTS, RESULTS_DIR, describe_reference, experiment_runs, load_results,
                                  stopped_early)

SHIPPED = sorted(p.stem for p in RESULTS_DIR.glob("*.json") if p.stem in EXPERIMENTS)  # official*.json: tables, not runs


def test_something_is_shipped():
    assert "main" in SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_summary_is_what_its_command_reproduces(name):
    res = load_results(name)
    assert res["experiment"] == name
    assert res["command"] == f"python -m vdsr_lib reproduce {name} --budget {res['budget']} --ship"
    configs = experiment_runs(name, res["budget"])
    assert set(res["runs"]) == set(configs), "the shipped runs are not the experiment's runs at that budget"
    for run, history in res["runs"].items():
        # the configuration stored with the run is the one the command would train today, but for the
        # protocol: runs shipped before the paper's protocol became the default keep theirs and say so
        today = json.loads(json.dumps(asdict(configs[run])))
        stored = dict(history["config"])
        if stored["protocol"] != today["protocol"]:
            assert stored["protocol"] == LEGACY_DEFAULTS["protocol"], run
            if stored["task"] == "sr":  # the description says the command makes them another way
                assert "(the reproduce command makes them under the paper's protocol)" in describe_reference(res)
            stored["protocol"] = today["protocol"]
        assert stored == today, run
        # an unfinished run only in a summary labelled partial (reproduce --ship-partial), which says so
        assert history["finished"] or history["diverged"] or res.get("partial"), f"{run} was shipped unfinished"
        assert history["hardware"] and (history["wall_time_s"] > 0 or history["diverged"])  # timed per epoch
        vals = [e for e in history["epochs"] if "val_psnr" in e]
        assert vals or history["diverged"], f"{run} has no validation"
    assert bool(res.get("partial")) == bool(stopped_early(res))
    assert ("STOPPED EARLY" in describe_reference(res)) == bool(res.get("partial"))


def test_paper_table2_names_the_scales_runs():
    from vdsr_lib.benchmark import PAPER_TABLE2

    assert set(PAPER_TABLE2) == set(experiment_runs("scales", "full"))
    for run, cells in PAPER_TABLE2.items():
        trained = experiment_runs("scales", "full")[run].scales
        assert set(trained) <= set(cells), run  # the paper gives each network's own scales
