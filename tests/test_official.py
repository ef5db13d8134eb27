"""Tests for vdsr_lib.official: the authors' weights in our VDSR, the missing-file path, the shipped table."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import torch
from conftest import need_data
from test_datasets import _Server  # the local HTTP server the dataset downloader is tested against

from vdsr_lib import official
from vdsr_lib.benchmark import evaluate
from vdsr_lib.cli import main
from vdsr_lib.experiments import RESULTS_DIR
from vdsr_lib.official import OFFICIAL_FILE, load_official, official_path, official_status


def _mat_forward(mat_path, x: np.ndarray) -> np.ndarray:
    """The authors' network written out by hand: 20 layers of 'same' 2-D correlations with zero padding
    (MatConvNet's vl_nnconv correlates, no kernel flip), ReLU between them, plus the input."""
    import scipy.io
    from scipy.signal import correlate2d

    model = scipy.io.loadmat(str(mat_path))["model"]
    weights, biases = model["weight"][0, 0][0], model["bias"][0, 0][0]
    feats = [x.astype(np.float64)]
    for i, (w, b) in enumerate(zip(weights, biases)):
        w = w.astype(np.float64)
        if w.ndim == 3:  # MATLAB drops a trailing singleton: [3, 3, out] for layer 1, [3, 3, in] for layer 20
            w = w[:, :, None, :] if i == 0 else w[:, :, :, None]
        b = b.astype(np.float64).ravel()
        assert w.shape[2] == len(feats) and w.shape[3] == len(b)
        out = [sum(correlate2d(f, w[:, :, c, o], mode="same") for c, f in enumerate(feats)) + b[o]
               for o in range(w.shape[3])]
        feats = out if i == len(weights) - 1 else [np.maximum(o, 0.0) for o in out]
    return x + feats[0]


def test_converted_network_matches_a_plain_correlation_of_the_mat_weights():
    root = need_data("official")
    rng = np.random.default_rng(0)
    x = rng.random((9, 11))  # not square, so a transposed kernel would show
    net = load_official(root=root, download=False)
    assert net is not None and net.depth == 20 and net.width == 64 and net.residual
    with torch.no_grad():
        got = net(torch.from_numpy(x.astype(np.float32))[None, None])[0, 0].double().numpy()
    want = _mat_forward(root / OFFICIAL_FILE, x)
    assert np.abs(want - x).max() > 1e-3  # the residual is not zero: the test can fail
    np.testing.assert_allclose(got, want, atol=2e-5)


def test_missing_weights_give_none_and_a_reason(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VDSR_DATA", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("VDSR_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("VDSR_DOWNLOAD", "0")
    assert load_official() is None
    assert "VDSR_Official.mat" in official_status() and "VDSR_DOWNLOAD=0" in official_status()
    # the command line says it in one line, no traceback
    assert main(["evaluate", "--model", "official", "--datasets", "Set5", "--scales", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the authors' weights are unavailable") and "Traceback" not in err


@pytest.fixture
def upstream(tmp_path, monkeypatch):
    """A local stand-in for the repository's raw URL; ``upstream.put(bytes)`` sets what it serves."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    folder = tmp_path / "upstream"
    folder.mkdir()
    srv = _Server(folder)
    monkeypatch.setattr(official, "OFFICIAL_URL", f"{srv.url}/Test/VDSR_Official.mat")
    (folder / "Test").mkdir()
    srv.put = lambda data: (folder / "Test" / "VDSR_Official.mat").write_bytes(data)
    monkeypatch.setenv("VDSR_DATA", str(tmp_path / "data"))
    (tmp_path / "data" / "official").mkdir(parents=True)
    monkeypatch.setenv("VDSR_CACHE", str(tmp_path / "cache"))
    yield srv
    srv.close()


def test_download_is_verified(upstream, tmp_path):
    """Other bytes than the authors' (in the data folder, or from a changed source) are refused."""
    (tmp_path / "data" / OFFICIAL_FILE).write_bytes(b"not the authors' weights")
    upstream.put(b"not the authors' weights either")
    assert official_path(download=True) is None
    reason = official_status()
    assert "other bytes" in reason and "download" in reason and "does not match" in reason
    assert upstream.hits == ["/Test/VDSR_Official.mat"]
    assert not (tmp_path / "cache" / OFFICIAL_FILE).exists()


@pytest.fixture
def real_data():
    return need_data("official")


def test_download_fetches_the_authors_file(real_data, upstream, tmp_path):
    root = real_data
    upstream.put((root / OFFICIAL_FILE).read_bytes())
    path = official_path(download=True)
    assert path == tmp_path / "cache" / OFFICIAL_FILE
    assert hashlib.sha256(path.read_bytes()).hexdigest() == official.OFFICIAL_SHA256
    assert official_path(download=False) == path and len(upstream.hits) == 1  # from the cache next time
    assert load_official(download=False) is not None


def test_shipped_table_is_what_its_command_measures():
    """Set5 x2 of the shipped vdsr_lib/results/official.json, measured again (both networks)."""
    need_data("Set5", "official")
    shipped = json.loads((RESULTS_DIR / "official.json").read_text())
    assert shipped["command"].startswith("python -m vdsr_lib official")
    for which in ("official", "ours"):
        cell = shipped["models"][which]["paper"]["Set5"]["2"]
        again = evaluate(official._network(which), ["Set5"], [2], per_image=True)["Set5"][2]
        assert abs(again["psnr"] - cell["psnr"]) < 1e-3
        for r in again["images"]:
            assert abs(r["psnr"] - cell["images"][r["name"]][0]) < 1e-3
            assert abs(r["ssim"] - cell["images"][r["name"]][1]) < 1e-4


def test_official_command_resumes_and_checks_cells(tmp_path, capsys):
    need_data("Set5", "official")
    out = tmp_path / "t.json"
    assert main(["official", "--models", "official", "--cells", "Set5", "--json", str(out)]) == 2
    assert "SET:SCALES" in capsys.readouterr().err
    table = official.score_table(("official",), cells=(("Set5", (4,)),), out=out, command="the first")
    cell = table["models"]["official"]["paper"]["Set5"]["4"]
    assert abs(cell["psnr"] - 31.35) < 0.02 and len(cell["images"]) == 5  # the paper's Set5 x4
    again = official.score_table(("official",), cells=(("Set5", (4,)),), out=out)  # kept, not re-measured
    assert again["models"] == table["models"] and again["wall_time_s"] == table["wall_time_s"]
    part = tmp_path / "part.json"  # a part measured elsewhere joins the table; nothing is measured
    part.write_text(json.dumps({"models": {"ours": {"paper": {"Set5": {"2": {"psnr": 1.0}}}}}}))
    assert main(["official", "--json", str(out), "--merge", str(part), "--merge-only"]) == 0
    merged = json.loads(out.read_text())
    assert merged["models"]["ours"]["paper"]["Set5"]["2"] == {"psnr": 1.0}
    assert merged["models"]["official"] == table["models"]["official"]
    assert merged["command"] == table["command"]  # the command that started the table


def test_bicubic_baseline_scores_per_image(tmp_path):
    """``--models bicubic`` stores the baseline like a network: the paper's Set5 x3 bicubic (30.39)."""
    need_data("Set5")
    table = official.score_table(("bicubic",), cells=(("Set5", (3,)),), out=tmp_path / "b.json")
    cell = table["models"]["bicubic"]["paper"]["Set5"]["3"]
    assert abs(cell["psnr"] - 30.39) < 0.01 and len(cell["images"]) == 5
    assert main(["official", "--models", "bicubic", "--cells", "Set5:9", "--json", str(tmp_path / "c.json")]) == 2
