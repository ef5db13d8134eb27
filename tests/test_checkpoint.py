"""Tests for vdsr_lib.checkpoint: safetensors + JSON round trips and clear errors."""
from __future__ import annotations

import json

import pytest
import torch

from vdsr_lib.checkpoint import git_commit, hardware_string, load_model, read_meta, save_model
from vdsr_lib.model import VDSR


@pytest.fixture
def model() -> VDSR:
    torch.manual_seed(0)
    m = VDSR(depth=5, width=8, residual=True)
    m.scales = (4, 2)
    return m.eval()


def _out(m: VDSR, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return m.eval()(x)


def test_round_trip_fp32(model, tmp_path):
    path = save_model(tmp_path / "net.safetensors", model, {"budget": "quick", "metrics": {"x2": 33.1}})
    assert path == tmp_path / "net.safetensors" and path.is_file() and (tmp_path / "net.json").is_file()
    back = load_model(path)
    x = torch.rand(1, 1, 24, 20)
    assert torch.equal(_out(back, x), _out(model, x))
    assert not back.training and back.scales == (2, 4)
    assert back.meta["budget"] == "quick" and back.meta["metrics"] == {"x2": 33.1}
    for k, v in model.state_dict().items():
        assert torch.equal(back.state_dict()[k], v)


def test_round_trip_half(model, tmp_path):
    save_model(tmp_path / "h.safetensors", model, half=True)
    full = save_model(tmp_path / "f.safetensors", model)
    assert (tmp_path / "h.safetensors").stat().st_size < 0.6 * full.stat().st_size
    back = load_model(tmp_path / "h.safetensors")
    assert all(p.dtype == torch.float32 for p in back.parameters())  # weights come back fp32
    rounded = VDSR(depth=5, width=8)
    rounded.load_state_dict({k: v.half().float() for k, v in model.state_dict().items()})
    x = torch.rand(2, 1, 16, 16)
    assert torch.equal(_out(back, x), _out(rounded, x))  # exactly the fp16-rounded weights
    assert torch.allclose(_out(back, x), _out(model, x), atol=5e-3)  # and close to the original
    assert read_meta(tmp_path / "h.safetensors")["dtype"] == "float16"


def test_json_contents(model, tmp_path):
    save_model(tmp_path / "m.safetensors", model, {"recipe": {"lr": 0.1}, "hardware": "cpu"})
    meta = json.loads((tmp_path / "m.json").read_text())
    assert meta["model"] == {"depth": 5, "width": 8, "residual": True, "in_channels": 1}
    assert meta["scales"] == [2, 4] and meta["dtype"] == "float32"
    assert meta["recipe"] == {"lr": 0.1} and meta["hardware"] == "cpu"
    assert read_meta(tmp_path / "m.json") == meta == read_meta(tmp_path / "m.safetensors")
    # the given scales win over the model's attribute; no scales at all gives []
    save_model(tmp_path / "s.safetensors", model, {"scales": [3]})
    assert read_meta(tmp_path / "s")["scales"] == [3]
    bare = VDSR(depth=2, width=2)
    save_model(tmp_path / "bare.safetensors", bare)
    assert read_meta(tmp_path / "bare.safetensors")["scales"] == []
    assert load_model(tmp_path / "bare.safetensors").scales == ()


def test_path_forms(model, tmp_path):
    assert save_model(tmp_path / "sub" / "dir" / "net", model) == tmp_path / "sub" / "dir" / "net.safetensors"
    assert (tmp_path / "sub" / "dir" / "net.json").is_file()
    for form in ("net", "net.safetensors", "net.json"):
        assert load_model(tmp_path / "sub" / "dir" / form).depth == 5


def test_depth_mismatch_is_a_clear_error(model, tmp_path):
    save_model(tmp_path / "m.safetensors", model)
    meta = json.loads((tmp_path / "m.json").read_text())
    meta["model"]["depth"] = 10
    (tmp_path / "m.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=r"does not fit VDSR.*'depth': 10.*missing.*another model"):
        load_model(tmp_path / "m.safetensors")


def test_width_mismatch_is_a_clear_error(model, tmp_path):
    save_model(tmp_path / "m.safetensors", model)
    meta = json.loads((tmp_path / "m.json").read_text())
    meta["model"]["width"] = 16
    (tmp_path / "m.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="wrong shapes"):
        load_model(tmp_path / "m.safetensors")


def test_json_without_model_entry(model, tmp_path):
    save_model(tmp_path / "m.safetensors", model)
    (tmp_path / "m.json").write_text(json.dumps({"scales": [2]}))
    with pytest.raises(ValueError, match="no usable 'model' entry"):
        load_model(tmp_path / "m.safetensors")
    (tmp_path / "m.json").write_text(json.dumps({"model": {"depth": 5, "colour": True}}))
    with pytest.raises(ValueError, match="no usable 'model' entry"):
        load_model(tmp_path / "m.safetensors")


def test_missing_json(model, tmp_path):
    save_model(tmp_path / "m.safetensors", model)
    (tmp_path / "m.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"no metadata file .*m\.json.*save_model"):
        load_model(tmp_path / "m.safetensors")
    with pytest.raises(FileNotFoundError):
        read_meta(tmp_path / "m.safetensors")


def test_missing_weights(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model file"):
        load_model(tmp_path / "absent.safetensors")


@pytest.mark.parametrize("content", [b"", b"not a safetensors file at all", b"\xff" * 64])
def test_corrupt_safetensors(model, tmp_path, content):
    save_model(tmp_path / "m.safetensors", model)
    (tmp_path / "m.safetensors").write_bytes(content)
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        load_model(tmp_path / "m.safetensors")


def test_truncated_safetensors(model, tmp_path):
    path = save_model(tmp_path / "m.safetensors", model)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        load_model(path)


def test_provenance_helpers():
    """hardware_string names this CPU and PyTorch's thread count; git_commit is the checkout's HEAD."""
    import re
    import shutil
    import subprocess
    from pathlib import Path

    text = hardware_string("cpu")
    n = torch.get_num_threads()
    assert text.endswith(f", {n} thread{'' if n == 1 else 's'}")
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        if names:
            assert text.startswith(names[0].strip())
    root = Path(__file__).resolve().parents[1]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True) \
        if shutil.which("git") else None
    if head is not None and head.returncode == 0:
        assert git_commit() == head.stdout.strip()
    else:  # not a git checkout (an sdist, a copy): says so instead of failing
        assert git_commit() == "unknown"
