"""A training process killed with SIGKILL at random moments and started again with the same command
ends with weights bit-identical to an uninterrupted run's (issue 27).

Each kill lands at a random moment after the run has finished one more epoch (so every restart
makes progress however loaded the machine is, and kills fall inside steps, validation and the
writes of state.pt and history.json alike); one more lands during start-up. A tiny network keeps a
kill-and-resume cycle to the few seconds a Python process with PyTorch takes to start.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

TINY = ["--depth", "3", "--width", "8", "--batch", "4", "--patch", "21", "--epochs", "16", "--iters-per-epoch", "30",
        "--max-images", "3", "--val-every", "3", "--val-scales", "2", "--scales", "2", "--quiet", "--seed", "3"]
KILLS = 4  # after progress; plus one during start-up


def _popen(out: Path) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1", VDSR_DOWNLOAD="0")
    return subprocess.Popen([sys.executable, "-m", "vdsr_lib", "train", "--out", str(out), *TINY], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _epochs(out: Path) -> int:
    try:
        return len(json.loads((out / "history.json").read_text())["epochs"])
    except (OSError, ValueError):  # not written yet (a partial file would fail the test below)
        if (out / "history.json").exists():
            raise
        return 0


def _weights(out: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    return load_file(str(out / "model.safetensors"))


def test_sigkill_at_random_moments_resumes_to_identical_weights(tmp_path, data_dir):
    seed = int(os.environ.get("VDSR_KILL_SEED", random.randrange(1000)))
    rng = random.Random(seed)
    ref = tmp_path / "uninterrupted"
    p = _popen(ref)
    assert p.wait(timeout=300) == 0, p.stdout.read()

    out, kills, starts, t_end = tmp_path / "killed", 0, 0, time.monotonic() + 400
    while time.monotonic() < t_end:
        proc, starts = _popen(out), starts + 1
        if starts == 1:  # during start-up: imports, data, the first steps
            time.sleep(rng.uniform(0.2, 2.0))
        elif kills < KILLS:  # two more epochs, then a moment within the next one (as long as the last took)
            seen, ticks = _epochs(out), []
            while proc.poll() is None and len(ticks) < 2 and time.monotonic() < t_end:
                if _epochs(out) > seen + len(ticks):
                    ticks.append(time.monotonic())
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, ticks[1] - ticks[0]) if len(ticks) == 2 else 0.0)
        if proc.poll() is None and (starts == 1 or kills < KILLS):
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += starts > 1
            for f in out.glob("*.json"):  # whatever a kill interrupted, the files it left are whole
                json.loads(f.read_text())
            continue
        text = proc.communicate(timeout=300)[0]
        assert proc.returncode == 0, f"seed {seed}: the resumed run failed: {text[-500:]}"
        break
    assert kills == KILLS, f"seed {seed}: {kills} kills landed after progress"
    a, b = _weights(ref), _weights(out)
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k], b[k]), f"seed {seed}: {k} differs after {kills} kills"
    ha, hb = (json.loads((d / "history.json").read_text()) for d in (ref, out))
    assert [s["loss"] for s in ha["steps"]] == [s["loss"] for s in hb["steps"]]  # no step lost or repeated
    assert [e.get("val_psnr") for e in ha["epochs"]] == [e.get("val_psnr") for e in hb["epochs"]]
    assert hb["finished"] and not list(out.glob(".*.tmp"))
