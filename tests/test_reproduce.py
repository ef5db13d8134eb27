"""Tests for vdsr_lib.reproduce: shipping a finished run (model in fp16, metrics measured on it)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from vdsr_lib import load_dataset, make_pair, pretrained, reproduce
from vdsr_lib.checkpoint import load_model, read_meta, save_model
from vdsr_lib.model import VDSR


@pytest.mark.parametrize("jobs", [1, 2])
def test_measure_table_in_worker_processes(tmp_path, monkeypatch, data_dir, jobs):
    monkeypatch.setattr(reproduce, "BENCH_CELLS", (("Set5", (2, 4)),))
    # the forward pass below is contiguous: the workers too, so the two agree to 1e-6 dB (channels_last
    # rounds differently in the last bits; tests/test_speed.py bounds that at 1e-3 dB)
    monkeypatch.setenv("VDSR_MEMORY_FORMAT", "contiguous")
    torch.manual_seed(0)
    net = VDSR(depth=3, width=8)
    save_model(tmp_path / "m.safetensors", net, {})
    table = reproduce.measure_table(tmp_path / "m.safetensors", jobs)
    assert list(table) == ["Set5"] and list(table["Set5"]) == [2, 4]
    stored = load_model(tmp_path / "m.safetensors")
    for s in (2, 4):  # the workers' numbers, against the scoring written out here: 8-bit, s shaved, Y
        vals = []
        for hr in load_dataset("Set5").images:
            p = make_pair(hr, s)
            with torch.no_grad():
                y = stored(torch.from_numpy(p.ilr_y)[None, None]).clamp(0, 1)[0, 0].double().numpy()
            err = (np.floor(y * 255 + 0.5) - np.round(p.hr_y * 255.0))[s:-s, s:-s]
            vals.append(10 * np.log10(255.0**2 / np.mean(err**2)))
        assert table["Set5"][s]["psnr"] == pytest.approx(np.mean(vals), abs=1e-6)
        bicubic = reproduce.evaluate("bicubic", ("Set5",), (s,))["Set5"][s]["psnr"]
        assert abs(table["Set5"][s]["psnr"] - bicubic) > 0.01  # the network was measured, not its input


def test_ship_writes_results_and_fp16_model(tmp_path, monkeypatch, data_dir):
    monkeypatch.setattr(reproduce, "BENCH_CELLS", (("Set5", (3,)),))
    monkeypatch.setattr(reproduce, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(reproduce, "PRETRAINED_DIR", tmp_path / "pretrained")
    run = tmp_path / "runs" / "main" / "quick" / "main"
    torch.manual_seed(0)
    net = VDSR(depth=3, width=8)
    net.scales = (2, 3, 4)
    save_model(run / "model.safetensors", net, {"recipe": {"depth": 3}, "finished": True})
    history = {"steps": [{"step": i, "loss": 1.0} for i in range(25)], "epochs": [{"epoch": 1}], "model": net}
    lines = list(reproduce.ship("main", "quick", tmp_path / "runs", {"main": history}))
    assert len(lines) == 2
    summary = json.loads((tmp_path / "results" / "main.json").read_text())
    assert summary["command"] == "python -m vdsr_lib reproduce main --budget quick --ship"
    assert len(summary["runs"]["main"]["steps"]) == 3 and "model" not in summary["runs"]["main"]
    target = tmp_path / "pretrained" / f"{pretrained.MAIN}.safetensors"
    meta = read_meta(target)
    assert meta["budget"] == "quick" and meta["recipe"] == {"depth": 3}
    psnr = meta["metrics"]["benchmark"]["Set5"]["3"]["psnr"]
    again = reproduce.evaluate(load_model(target), ("Set5",), (3,))["Set5"][3]["psnr"]
    fp32 = reproduce.evaluate(net, ("Set5",), (3,))["Set5"][3]["psnr"]
    assert abs(psnr - again) < 1e-9  # measured on the stored fp16 weights,
    assert abs(psnr - fp32) > 1e-6  # which score differently from the fp32 ones the run ended with
    assert not list(target.parent.glob(".*.tmp"))


def test_an_interrupted_ship_leaves_the_shipped_model_as_it_was(tmp_path, monkeypatch):
    """ship measures on a temporary copy: an interruption while it measures (hours for the whole table)
    leaves the previously shipped model and its metadata untouched, not new weights without a benchmark."""
    monkeypatch.setattr(reproduce, "PRETRAINED_DIR", tmp_path / "pretrained")
    target = tmp_path / "pretrained" / f"{pretrained.MAIN}.safetensors"
    old = VDSR(depth=3, width=8)
    save_model(target, old, {"metrics": {"benchmark": {"Set5": {"2": {"psnr": 30.0}}}}}, half=True)
    before = (target.read_bytes(), target.with_suffix(".json").read_bytes())
    run = tmp_path / "run"
    torch.manual_seed(1)
    save_model(run / "model.safetensors", VDSR(depth=3, width=8), {"recipe": {"depth": 3}})

    def interrupted(*_args, **_kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(reproduce, "measure_table", interrupted)
    with pytest.raises(KeyboardInterrupt):
        reproduce.ship_main_model(run, "quick", "python -m vdsr_lib reproduce main --budget quick --ship")
    assert (target.read_bytes(), target.with_suffix(".json").read_bytes()) == before
    assert sorted(p.name for p in target.parent.iterdir()) == sorted([target.name, target.with_suffix(".json").name])


def test_runs_trained_on_stand_ins_are_not_shipped(tmp_path, monkeypatch):
    monkeypatch.setattr(reproduce, "RESULTS_DIR", tmp_path / "results")
    history = {"steps": [], "epochs": [], "stand_ins": "offline stand-ins"}
    with pytest.raises(ValueError, match="stand-in photos"):
        list(reproduce.ship("depth", "quick", tmp_path / "runs", {"depth5": history}))
    assert not (tmp_path / "results").exists()
