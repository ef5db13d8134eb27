"""Tests for vdsr_lib.reproduce: shipping a finished run (model in fp16, metrics measured on it)."""
from __future__ import annotations

import json

import pytest
import torch

from vdsr_lib import pretrained, reproduce
from vdsr_lib.checkpoint import load_model, read_meta, save_model
from vdsr_lib.model import VDSR


@pytest.mark.parametrize("jobs", [1, 2])
def test_measure_table_in_worker_processes(tmp_path, monkeypatch, data_dir, jobs):
    monkeypatch.setattr(reproduce, "BENCH_CELLS", (("Set5", (2, 4)),))
    torch.manual_seed(0)
    net = VDSR(depth=3, width=8)
    save_model(tmp_path / "m.safetensors", net, {})
    table = reproduce.measure_table(tmp_path / "m.safetensors", jobs)
    assert list(table) == ["Set5"] and list(table["Set5"]) == [2, 4]
    ref = reproduce.evaluate(load_model(tmp_path / "m.safetensors"), ("Set5",), (2, 4))["Set5"]
    for s in (2, 4):  # the same numbers as an evaluation in this process
        assert table["Set5"][s]["psnr"] == pytest.approx(ref[s]["psnr"], abs=1e-9)


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
    assert abs(psnr - again) < 1e-9  # measured on the stored fp16 weights
