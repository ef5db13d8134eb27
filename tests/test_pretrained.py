"""Tests for vdsr_lib.pretrained: shipped models and the error for a missing one."""
from __future__ import annotations

import pytest
import torch

from vdsr_lib import pretrained
from vdsr_lib.checkpoint import save_model
from vdsr_lib.model import VDSR
from vdsr_lib.pretrained import available, load_pretrained, pretrained_path


def test_missing_model_names_how_to_train_one():
    with pytest.raises(FileNotFoundError, match=r"no shipped model 'nope'.*python -m vdsr_lib reproduce main"):
        pretrained_path("nope")
    with pytest.raises(FileNotFoundError):
        load_pretrained("nope")


def test_available_lists_shipped_models():
    names = available()
    assert names == sorted(names)
    for name in names:
        assert pretrained_path(name).is_file()
        assert pretrained_path(name).with_suffix(".json").is_file(), f"{name} ships without its JSON"


def test_load_from_a_pretrained_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(pretrained, "PRETRAINED_DIR", tmp_path)
    assert available() == []
    with pytest.raises(FileNotFoundError, match="shipped: none yet"):
        pretrained_path()
    torch.manual_seed(0)
    net = VDSR(depth=3, width=4)
    net.scales = (2, 3, 4)
    save_model(tmp_path / f"{pretrained.MAIN}.safetensors", net, {"budget": "full"})
    assert available() == [pretrained.MAIN]
    model = load_pretrained()
    assert model.depth == 3 and model.scales == (2, 3, 4) and model.meta["budget"] == "full"
    x = torch.rand(1, 1, 9, 9)
    with torch.no_grad():
        assert torch.equal(model(x), net.eval()(x))


@pytest.mark.skipif(not (pretrained.PRETRAINED_DIR / f"{pretrained.MAIN}.safetensors").is_file(),
                    reason="the main model is not shipped yet (train it with `python -m vdsr_lib reproduce main`)")
def test_main_model_loads():
    model = load_pretrained()
    assert model.depth == 20 and set(model.scales) == {2, 3, 4}
    assert "recipe" in model.meta


@pytest.mark.skipif(not (pretrained.PRETRAINED_DIR / f"{pretrained.MAIN}.safetensors").is_file(),
                    reason="the main model is not shipped yet (train it with `python -m vdsr_lib reproduce main`)")
def test_shipped_set5_psnr_matches_its_metadata(data_dir):
    """The shipped metrics were measured on the shipped (fp16) weights: re-measure Set5."""
    from vdsr_lib.benchmark import evaluate

    model = load_pretrained()
    metrics = model.meta["metrics"]
    assert {c["protocol"] for c in metrics["benchmark_selfexsr"]["Set5"].values()} == {"selfexsr"}
    for key in ("benchmark", "benchmark_selfexsr"):
        stored = metrics[key]["Set5"]
        (protocol,) = {c["protocol"] for c in stored.values()}  # each table says what it measured
        table = evaluate(model, ("Set5",), (2, 3, 4), root=str(data_dir), protocol=protocol)["Set5"]
        for s in (2, 3, 4):
            assert abs(table[s]["psnr"] - stored[str(s)]["psnr"]) < 0.01, (s, table[s], stored[str(s)])
            assert abs(table[s]["ssim"] - stored[str(s)]["ssim"]) < 1e-4
    bicubic = evaluate("bicubic", ("Set5",), (2, 3, 4), root=str(data_dir))["Set5"]
    assert all(table[s]["psnr"] > bicubic[s]["psnr"] + 0.1 for s in (2, 3, 4))  # a trained network


def test_schedule_share_is_written_one_way_everywhere():
    from vdsr_lib.pretrained import schedule_share
    assert schedule_share(10_000 * 64) == "100.4% of the paper's schedule"
    assert schedule_share(100 * 64) == "1.0% of the paper's schedule"
