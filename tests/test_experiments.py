"""Tests for vdsr_lib.experiments: the experiment registry, summaries and the runner (no training)."""
from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from vdsr_lib import experiments
from vdsr_lib.experiments import EXPERIMENTS, experiment_runs, load_results, run_experiment, summarize
from vdsr_lib.train import TrainConfig


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
@pytest.mark.parametrize("budget", ["quick", "cpu", "full"])
def test_every_experiment_gives_configs(name, budget):
    runs = experiment_runs(name, budget)
    assert runs and all(isinstance(k, str) and isinstance(v, TrainConfig) for k, v in runs.items())


def test_main_experiment():
    full = experiment_runs("main", "full")["main"]
    quick = experiment_runs("main", "quick")["main"]
    assert full == experiments.MAIN
    assert (full.depth, full.scales, full.train_set, full.batch, full.patch) == (20, (2, 3, 4), "291", 64, 41)
    assert full.total_iters == 80 * 125
    assert quick.depth < full.depth and quick.total_iters < full.total_iters and quick.max_images
    assert experiment_runs("main") == experiment_runs("main", "full")  # full is the default
    cpu = experiment_runs("main", "cpu")["main"]  # one CPU sitting: MAIN's Adam recipe at 3e-4, compressed
    assert cpu.depth == 20 and cpu.scales == full.scales and cpu.train_set == "291" and cpu.batch == 64
    assert (cpu.optimizer, cpu.lr, cpu.clip, cpu.loss, cpu.schedule) == ("adam", 3e-4, "none", "mean", "cosine")
    assert cpu.total_iters * 10 == full.total_iters and cpu.epochs % cpu.val_every == 0
    sgd = experiments.MAIN_CPU  # the earlier cpu main model's recipe: the paper's, compressed 20x
    assert (sgd.optimizer, sgd.lr, sgd.clip, sgd.loss, sgd.schedule) == ("sgd", 0.1, "adjustable", "sum", "step")
    assert sgd.epochs // sgd.lr_step == 4  # the paper's four lr phases (80 epochs, /10 every 20)
    assert quick.total_iters < cpu.total_iters < full.total_iters


def test_long_and_extended_budgets_are_main_only():
    cpu, long, full, ext = (experiment_runs("main", b)["main"] for b in ("cpu", "long", "full", "extended"))
    assert cpu.total_iters < long.total_iters < full.total_iters < ext.total_iters == 4 * full.total_iters
    for cfg in (long, ext):  # MAIN's recipe, only the schedule's length (and the validation spacing) differ
        assert replace(cfg, epochs=full.epochs, iters_per_epoch=full.iters_per_epoch, val_every=full.val_every) == full
        assert cfg.epochs % cfg.val_every == 0
    for name in set(EXPERIMENTS) - {"main"}:
        for budget in ("long", "extended"):
            with pytest.raises(ValueError, match=f"budget '{budget}' is defined for the main model only.*--budget cpu"):
                experiment_runs(name, budget)


def test_reproduce_checks_every_experiment_before_training(capsys):
    from vdsr_lib.cli import main

    assert main(["reproduce", "all", "--budget", "long", "--out", "/nonexistent/runs"]) == 2
    assert "budget 'long' is defined for the main model only" in capsys.readouterr().err


def test_reproduce_runs_are_checked_before_training(capsys):
    from vdsr_lib.cli import main

    assert main(["reproduce", "depth", "--budget", "quick", "--runs", "depth10", "depth7", "--out",
                 "/nonexistent/runs"]) == 2
    assert "depth at budget quick has no run depth7; its runs are depth3, depth5, depth10" in capsys.readouterr().err
    assert main(["reproduce", "depth", "--budget", "quick", "--runs", "depth10", "--ship", "--out",
                 "/nonexistent/runs"]) == 2
    assert "--ship writes a whole experiment" in capsys.readouterr().err


def test_cpu_budget_sits_between_quick_and_full():
    for name in ("residual", "clipping", "depth", "scales", "beyond"):
        quick, cpu, full = (experiment_runs(name, b) for b in ("quick", "cpu", "full"))
        assert set(cpu) <= set(full) and set(cpu) & set(quick)  # the chapters look runs up by name
        for run, cfg in cpu.items():
            assert cfg.batch == 64 and cfg.max_images is None  # the paper's batch, every image
            assert cfg.total_iters < full[run].total_iters and cfg.val_every <= cfg.epochs
            assert cfg.optimizer == full[run].optimizer or name in ("depth", "scales")
    assert set(experiment_runs("clipping", "cpu")) == {"none", "value", "norm", "adjustable", "adam"}
    assert {c.depth for c in experiment_runs("depth", "cpu").values()} == {5, 10, 15, 20}


def test_describe_reference():
    cfg = {"depth": 10, "epochs": 6, "iters_per_epoch": 20, "batch": 64, "train_set": "T91", "max_images": None}
    res = {"budget": "cpu", "command": "python -m vdsr_lib reproduce residual --budget cpu --ship",
           "runs": {"a": {"config": cfg, "hardware": "CPU X, 1 thread", "wall_time_s": 600.0},
                    "b": {"config": {**cfg, "depth": 20}, "hardware": "CPU X, 1 thread", "wall_time_s": 1200.0}}}
    text = experiments.describe_reference(res)
    for part in ("budget 'cpu'", "2 runs of VDSR-10/20", "120 iterations of 64 patches (1.2% of the paper's",
                 "training set T91", "CPU X, 1 thread", "30 min in all", "`python -m vdsr_lib reproduce residual"):
        assert part in text, part


def test_unknown_experiment_or_budget():
    with pytest.raises(ValueError, match="unknown experiment 'nope'.*main"):
        experiment_runs("nope", "quick")
    with pytest.raises(ValueError, match="budget must be one of quick, cpu, quarter, long, full, extended, got 'medium'"):
        experiment_runs("main", "medium")


def test_summarize_keeps_every_10th_step():
    steps = [{"step": i, "loss": 1.0 / (i + 1)} for i in range(95)]
    history = {"steps": steps, "epochs": [{"epoch": 1}, {"epoch": 2}], "model": object(), "diverged": False}
    small = summarize(history)
    assert [s["step"] for s in small["steps"]] == list(range(0, 95, 10))
    assert "model" not in small and small["epochs"] == history["epochs"] and small["diverged"] is False
    json.dumps(small)  # JSON-ready
    assert len(history["steps"]) == 95 and "model" in history  # the input is left alone
    assert [s["step"] for s in summarize(history, every=50)["steps"]] == [0, 50]
    assert summarize({"epochs": []})["steps"] == []


def test_run_experiment_trains_each_run_into_its_folder(monkeypatch, tmp_path):
    calls = []

    def fake_train(cfg, out_dir, **kw):
        calls.append((cfg, Path(out_dir), kw))
        return {"finished": True}

    tiny = {"a": TrainConfig(depth=3, epochs=1), "b": TrainConfig(depth=4, epochs=1)}
    monkeypatch.setattr(experiments, "train", fake_train)
    monkeypatch.setitem(EXPERIMENTS, "toy", lambda budget: dict(tiny))
    out = run_experiment("toy", "quick", out_root=tmp_path, max_minutes=1.5, progress=False)
    assert out == {"a": {"finished": True}, "b": {"finished": True}}
    assert [(c[0].depth, c[1]) for c in calls] == [(3, tmp_path / "toy" / "quick" / "a"),
                                                  (4, tmp_path / "toy" / "quick" / "b")]
    assert calls[0][2]["resume"] is True and calls[0][2]["max_minutes"] == 1.5
    calls.clear()
    assert list(run_experiment("toy", "full", out_root=tmp_path, runs=["b"])) == ["b"]
    assert len(calls) == 1 and calls[0][1] == tmp_path / "toy" / "full" / "b"


def test_load_results(monkeypatch, tmp_path):
    monkeypatch.setattr(experiments, "RESULTS_DIR", tmp_path)
    assert load_results("nothing") is None
    (tmp_path / "x.json").write_text(json.dumps({"steps": [], "epochs": [{"epoch": 1}]}))
    assert load_results("x") == {"steps": [], "epochs": [{"epoch": 1}]}


def test_validation_trace():
    h = {"epochs": [{"step": 25, "val_psnr": {"2": 30.0, "3": 27.5}}, {"step": 50},
                    {"step": 75, "val_psnr": {"2": 31.25, "3": 28.125}}]}
    assert experiments.validation_trace(h) == "step 25 30.00; step 75 31.25"
    assert experiments.validation_trace(h, (2, 3)) == "step 25 30.00/27.50; step 75 31.25/28.12"
    many = {"epochs": [{"step": 10 * i, "val_psnr": {"2": float(i)}} for i in range(1, 81)]}
    assert experiments.validation_trace(many, points=3) == "step 10 1.00; step 410 41.00; step 800 80.00"
    assert len(experiments.validation_trace(many, points=9).split("; ")) == 9
    assert experiments.validation_trace(h, points=5) == experiments.validation_trace(h)
    assert experiments.validation_trace({"epochs": []}) == ""


def test_final_psnr_and_patch_psnr():
    h = {"epochs": [{"val_psnr": {"2": 30.0}}, {}, {"val_psnr": {"2": 31.5, "3": 28.0}}], "diverged": False}
    assert experiments.final_psnr(h) == 31.5 and experiments.final_psnr(h, 3) == 28.0
    assert math.isnan(experiments.final_psnr({**h, "diverged": True}))
    assert math.isnan(experiments.final_psnr({"epochs": [{}], "diverged": False}))
    steps = [{"loss": 0.01}, {"loss": 0.5 * 41 * 41 * 0.01}]
    mean = experiments.patch_psnr(steps[:1], {"patch": 41, "loss": "mean"})
    summed = experiments.patch_psnr(steps[1:], {"patch": 41, "loss": "sum"})
    assert mean[0] == pytest.approx(20.0) and summed[0] == pytest.approx(20.0)  # MSE 0.01 -> 20 dB


def _fake_run(root: Path, name: str, budget: str, run: str, cfg: TrainConfig, epochs_done: int) -> None:
    """A run folder as train() leaves it after ``epochs_done`` epochs (only what shipping reads)."""
    from dataclasses import asdict

    folder = root / name / budget / run
    folder.mkdir(parents=True)
    epochs = [{"epoch": e + 1, "step": (e + 1) * cfg.iters_per_epoch, "val_psnr": {"2": 30.0 + e}}
              for e in range(epochs_done)]
    history = {"config": asdict(cfg), "steps": [{"step": i, "loss": 1.0} for i in range(epochs_done * cfg.iters_per_epoch)],
               "epochs": epochs, "diverged": False, "collapsed": False, "finished": epochs_done == cfg.epochs,
               "wall_time_s": 10.0 * epochs_done, "bicubic_psnr": {"2": 29.0}, "val_set": "Set5",
               "hardware": "GPU X (CUDA)"}
    (folder / "history.json").write_text(json.dumps(history))


def test_stored_histories_reads_runs_without_training(tmp_path, monkeypatch):
    monkeypatch.setattr(experiments, "train", lambda *a, **k: pytest.fail("stored_histories trained"))
    runs = experiment_runs("residual", "quick")
    with pytest.raises(FileNotFoundError, match="never trained.*reproduce residual --budget quick"):
        experiments.stored_histories("residual", "quick", tmp_path)
    for i, (run, cfg) in enumerate(runs.items()):
        _fake_run(tmp_path, "residual", "quick", run, cfg, epochs_done=cfg.epochs if i else 2)
    hists = experiments.stored_histories("residual", "quick", tmp_path)
    assert list(hists) == list(runs) and experiments.trained_iters(hists["residual_lr0.1"]) == 2 * 8
    first = next(iter(runs))
    res = {"runs": hists}
    assert experiments.stopped_early(res) == {first: (2, runs[first].epochs)}
    text = experiments.describe_reference({"budget": "quick", "command": "C", "runs": hists})
    assert "STOPPED EARLY, not finished: 1 of 6 runs at epoch 2 of 4" in text and "reproduce the whole schedule with `C`" in text
    assert "scheduled 32 iterations of 16 patches" in text  # the schedule is not what was trained
    assert text.endswith("trained: 16 to 32 iterations per run (50% of the schedule)")
    # a run folder that holds another configuration is refused
    other = tmp_path / "residual" / "quick" / first / "history.json"
    h = json.loads(other.read_text())
    h["config"]["lr"] = 0.5
    other.write_text(json.dumps(h))
    with pytest.raises(ValueError, match="another configuration"):
        experiments.stored_histories("residual", "quick", tmp_path)


def test_reproduce_ship_partial(tmp_path, monkeypatch, capsys):
    from vdsr_lib import reproduce
    from vdsr_lib.cli import main

    monkeypatch.setattr(experiments, "train", lambda *a, **k: pytest.fail("--ship-partial trained"))
    monkeypatch.setattr(reproduce, "RESULTS_DIR", tmp_path / "results")
    runs = experiment_runs("residual", "quick")
    args = ["reproduce", "residual", "--budget", "quick", "--out", str(tmp_path / "runs"), "--ship-partial"]
    assert main(args) == 2
    assert "never trained" in capsys.readouterr().err and not (tmp_path / "results").exists()
    for run, cfg in runs.items():
        _fake_run(tmp_path / "runs", "residual", "quick", run, cfg, epochs_done=3)
    diverged = tmp_path / "runs" / "residual" / "quick" / "image_lr0.1" / "history.json"
    diverged.write_text(json.dumps({**json.loads(diverged.read_text()), "epochs": [], "diverged": True}))
    assert main(args) == 0
    shipped = json.loads((tmp_path / "results" / "residual.json").read_text())
    assert shipped["partial"] is True and shipped["command"] == "python -m vdsr_lib reproduce residual --budget quick --ship"
    assert shipped["runs"]["image_lr0.1"]["diverged"]  # shipped as diverged, not as stopped early
    assert experiments.stopped_early(shipped) == {r: (3, c.epochs) for r, c in runs.items() if r != "image_lr0.1"}
    for bad in (["main"], ["residual", "--ship"], ["residual", "--runs", "image_lr0.1"]):
        assert main(["reproduce", *bad, "--budget", "quick", "--out", str(tmp_path / "runs"), "--ship-partial"]) == 2
    err = capsys.readouterr().err
    assert "shipped only when finished" in err and "--ship writes a whole experiment" in err


def test_cli_offers_every_budget():
    from vdsr_lib.cli import build_parser

    for budget in experiments.BUDGETS:
        assert build_parser().parse_args(["reproduce", "main", "--budget", budget]).budget == budget
    with pytest.raises(SystemExit):
        build_parser().parse_args(["reproduce", "main", "--budget", "huge"])


def test_same_run_names_config_differences_and_compares_histories():
    import copy

    from vdsr_lib.experiments import load_results, same_run
    a = {"config": {"depth": 20, "seed": 0, "device": "cuda"},
         "epochs": [{"step": 125, "loss": 0.1, "val_psnr": {"2": 36.0}}], "steps": [{"step": 0, "loss": 1.0}]}
    b = copy.deepcopy(a)
    b["config"]["device"] = "cpu"
    assert same_run(a, b) == ({}, True)
    b["config"]["seed"] = 1
    b["epochs"][0]["val_psnr"]["2"] = 36.1
    assert same_run(a, b) == ({"seed": (0, 1)}, False)
    depth = load_results("depth")
    if depth:  # a shipped run is the same run as itself
        assert same_run(depth["runs"]["depth20"], depth["runs"]["depth20"]) == ({}, True)


def test_quarter_budget_is_the_clipping_ablation_of_issue_26():
    runs = experiment_runs("clipping", "quarter")
    rules = {(c.optimizer, c.clip, c.theta if c.clip != "none" else None) for c in runs.values()}
    assert rules == {("sgd", "none", None), ("sgd", "value", 1e-3), ("sgd", "norm", 0.4), ("adam", "none", None),
                     ("sgd", "adjustable", 1e-3), ("sgd", "adjustable", 1e-4), ("sgd", "adjustable", 1e-5)}
    for cfg in runs.values():  # VDSR-10 at x2 on the 291 images, the paper's protocol, 25% of its schedule
        assert (cfg.depth, cfg.scales, cfg.train_set, cfg.protocol, cfg.batch) == (10, (2,), "291", "paper", 64)
        assert cfg.total_iters == 2500 and cfg.lr_step * 4 == cfg.epochs  # lr / 10 every quarter
    for name in set(EXPERIMENTS) - {"clipping"}:
        with pytest.raises(ValueError, match="defined for the clipping experiment only"):
            experiment_runs(name, "quarter")


def test_split_seed_repeats_groups_a_run_with_its_repeats():
    from vdsr_lib.experiments import split_seed_repeats
    runs = {"adjustable": {"config": {"seed": 0}}, "adjustable_seed2": {"config": {"seed": 2}},
            "adjustable_seed1": {"config": {"seed": 1}}, "adam": {"config": {"seed": 0}},
            "orphan_seed1": {"config": {"seed": 1}}}  # repeats nothing shipped: kept as a run
    base, repeats = split_seed_repeats(runs)
    assert set(base) == {"adjustable", "adam", "orphan_seed1"}
    assert list(repeats) == ["adjustable"] and list(repeats["adjustable"]) == [0, 1, 2]
    assert repeats["adjustable"][2] is runs["adjustable_seed2"]


