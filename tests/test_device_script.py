"""scripts/device_reference.sh: its argument checks (the training itself runs only on a lent GPU)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "device_reference.sh"
pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_usage_without_arguments(tmp_path):
    r = _run(cwd=tmp_path)
    assert r.returncode == 2 and "usage:" in r.stderr


def test_training_without_packed_data_says_what_to_do(tmp_path):
    copy = tmp_path / "repo"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, copy / "scripts")
    r = subprocess.run(["bash", "scripts/device_reference.sh", "main"], cwd=copy, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "run 'scripts/device_reference.sh --pack' here first" in r.stderr


def test_unpack_without_files_says_so(tmp_path):
    r = _run("--unpack", str(tmp_path), cwd=tmp_path)
    assert r.returncode == 2 and f"no runs_<budget>.tgz.part-* in {tmp_path}" in r.stderr


def test_pack_copies_the_training_and_validation_images(tmp_path):
    data = tmp_path / "data"
    for name in ("T91", "BSD200", "Set5", "Set14"):
        (data / name).mkdir(parents=True)
        (data / name / "a.png").write_bytes(b"x")
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    (repo / ".git").mkdir()
    shutil.copy(SCRIPT, repo / "scripts")
    r = subprocess.run(["bash", "scripts/device_reference.sh", "--pack"], cwd=repo, capture_output=True, text=True,
                       timeout=60, env={"PATH": "/usr/bin:/bin", "VDSR_DATA": str(data)})
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (repo / ".data").iterdir()) == ["BSD200", "Set5", "T91"]  # no test sets
    assert "/.data/" in (repo / ".git" / "info" / "exclude").read_text().split()
    missing = subprocess.run(["bash", "scripts/device_reference.sh", "--pack"], cwd=repo, capture_output=True,
                             text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "VDSR_DATA": str(tmp_path / "none")})
    assert missing.returncode == 2 and "set VDSR_DATA to the data folder" in missing.stderr


def test_unpack_replaces_the_runs_it_brings(tmp_path):
    """A packed, finished run (no state.pt) replaces the folder here, stale optimizer state included."""
    there = tmp_path / "there"
    run = there / "runs" / "main" / "full" / "main"
    run.mkdir(parents=True)
    (run / "history.json").write_text('{"finished": true}')
    files = tmp_path / "files"
    files.mkdir()
    subprocess.run(f"tar czf - runs | split -b 15m -d - {files}/runs_full.tgz.part-", shell=True, cwd=there,
                   check=True)
    here = tmp_path / "here"  # a copy of the script: it unpacks into the repository it sits in
    (here / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, here / "scripts")
    old = here / "runs" / "main" / "full" / "main"
    old.mkdir(parents=True)
    (old / "state.pt").write_bytes(b"stale")
    other = here / "runs" / "depth" / "full" / "depth5"
    other.mkdir(parents=True)
    r = subprocess.run(["bash", "scripts/device_reference.sh", "--unpack", str(files)], cwd=here,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in old.iterdir()) == ["history.json"]
    assert other.is_dir()  # runs the archive does not bring are left alone


def _repo_with_package(tmp_path: Path) -> Path:
    """A copy of the script beside the package, with an (empty) packed data folder."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    (repo / ".data" / "T91").mkdir(parents=True)
    shutil.copy(SCRIPT, repo / "scripts")
    (repo / "vdsr_lib").symlink_to(SCRIPT.parents[1] / "vdsr_lib")
    return repo


@pytest.mark.parametrize("arg, message", [("main:nope", "budget must be one of"),
                                          ("depth:extended", "defined for the main model only"),
                                          ("nope", "unknown experiment 'nope'")])
def test_a_bad_experiment_or_budget_fails_before_training(tmp_path, arg, message):
    repo = _repo_with_package(tmp_path)
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "OUT": str(tmp_path / "out")}
    r = subprocess.run(["bash", "scripts/device_reference.sh", "residual", arg], cwd=repo, capture_output=True,
                       text=True, timeout=120, env=env)
    assert r.returncode == 2 and message in r.stderr
    assert not (repo / "runs").exists()  # nothing started


def test_unpack_takes_every_budget_it_finds(tmp_path):
    there = tmp_path / "there"
    files = tmp_path / "files"
    files.mkdir()
    for budget in ("full", "extended"):
        run = there / "runs" / "main" / budget / "main"
        run.mkdir(parents=True)
        (run / "history.json").write_text('{"finished": true}')
        subprocess.run(f"tar czf - runs/main/{budget} | split -b 15m -d - {files}/runs_{budget}.tgz.part-",
                       shell=True, cwd=there, check=True)
    here = tmp_path / "here"
    (here / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, here / "scripts")
    r = subprocess.run(["bash", "scripts/device_reference.sh", "--unpack", str(files)], cwd=here,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert (here / "runs/main/full/main/history.json").is_file()
    assert (here / "runs/main/extended/main/history.json").is_file()
    assert "budgets: extended full" in r.stdout
