"""The command line under bad input and damaged run folders, through ``vdsr_lib.cli.main`` (issue 27).

Every case ends in one of two ways: a one-line error that names what is wrong and what to do (exit
status 2, no traceback, nothing half-written), or a recovery with nothing lost (exit 0, the damaged
file whole again). ``test_sigkill.py`` kills real training processes.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vdsr_lib import cli
from vdsr_lib.checkpoint import load_model, read_meta

TINY = ["--depth", "3", "--width", "8", "--batch", "4", "--patch", "21", "--epochs", "2", "--iters-per-epoch", "5",
        "--max-images", "3", "--val-scales", "2", "--scales", "2", "--quiet", "--seed", "1"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    """``main(args)``: (exit status, stdout, stderr); argparse's exits are caught too."""
    try:
        code = cli.main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str, *words: str) -> None:
    """A clean failure: status 2, one line on stderr naming ``words``, no traceback."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    for w in words:
        assert w in lines[0], (w, lines[0])


@pytest.fixture
def image(tmp_path) -> Path:
    path = tmp_path / "x.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (40, 48, 3), dtype=np.uint8)).save(path)
    return path


@pytest.fixture
def no_data(tmp_path, monkeypatch) -> Path:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("VDSR_DATA", str(empty))
    monkeypatch.setenv("VDSR_DOWNLOAD", "0")
    return empty


def no_temporaries(folder: Path) -> None:
    assert not list(folder.glob(".*.tmp")), "an atomic write left its temporary file"


# ---------------------------------------------------------------- upscale

def test_upscale_writes_the_image(capsys, image, tmp_path):
    out = tmp_path / "big.png"
    code, stdout, _ = run(capsys, "upscale", str(image), str(out), "--scale", "2", "--model", "bicubic", "--quiet")
    assert code == 0 and "wrote" in stdout
    assert Image.open(out).size == (96, 80)
    no_temporaries(tmp_path)


@pytest.mark.parametrize("tile", ["-5", "-1", "abc"])
def test_upscale_refuses_a_bad_tile_and_writes_nothing(capsys, image, tmp_path, tile):
    out = tmp_path / "out.png"
    code, _, err = run(capsys, "upscale", str(image), str(out), "--scale", "2", "--tile", tile)
    one_line_error(code, err, "--tile", "--help")
    assert not out.exists()


def test_upscale_checks_the_output_before_reading_the_input(capsys, tmp_path):
    # the input does not exist: the output's problem is found first, before any work
    code, _, err = run(capsys, "upscale", str(tmp_path / "absent.png"), str(tmp_path / "out.xyz"), "--scale", "2")
    one_line_error(code, err, "out.xyz", ".png")
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    code, _, err = run(capsys, "upscale", str(tmp_path / "absent.png"), str(blocker / "out.png"), "--scale", "2")
    one_line_error(code, err, "cannot write to the folder", str(blocker))


def test_upscale_unreadable_and_oversized_input(capsys, tmp_path, monkeypatch):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    code, _, err = run(capsys, "upscale", str(bad), str(tmp_path / "o.png"), "--scale", "2", "--model", "bicubic")
    one_line_error(code, err, "cannot read", "bad.png")
    big = tmp_path / "big.png"
    Image.new("RGB", (64, 64)).save(big)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 4096 pixels is over twice that: a "bomb"
    code, _, err = run(capsys, "upscale", str(big), str(tmp_path / "o.png"), "--scale", "2", "--model", "bicubic")
    one_line_error(code, err, "big.png", "MAX_IMAGE_PIXELS")
    assert not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("scale", ["1", "9", "x"])
def test_upscale_refuses_a_bad_scale(capsys, image, tmp_path, scale):
    code, _, err = run(capsys, "upscale", str(image), str(tmp_path / "o.png"), "--scale", scale)
    one_line_error(code, err, "--scale")


# ---------------------------------------------------------------- evaluate

def test_evaluate_refuses_missing_data_and_says_where_it_looked(capsys, no_data):
    code, out, err = run(capsys, "evaluate", "--model", "bicubic", "--datasets", "Set5", "--scales", "2", "--quiet")
    one_line_error(code, err, "Set5", str(no_data), "VDSR_DATA")
    assert out == ""  # no table of stand-in numbers


def test_evaluate_with_stand_ins_says_so_everywhere(capsys, no_data, tmp_path):
    js = tmp_path / "t.json"
    code, out, err = run(capsys, "evaluate", "--model", "bicubic", "--datasets", "Set5", "--scales", "2", "--limit", "1",
                         "--quiet", "--stand-ins", "--json", str(js))
    assert code == 0, err
    assert "STAND-INS" in out and "stand-in" in out.splitlines()[-1]
    table = json.loads(js.read_text())
    assert "scikit-image" in table["stand_ins"] and all("stand-in" in k for k in table if k != "stand_ins")


def test_evaluate_checks_the_json_path_first(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, out, err = run(capsys, "evaluate", "--model", "bicubic", "--datasets", "Set5", "--json",
                         str(blocker / "t.json"))
    one_line_error(code, err, "cannot write to the folder")
    assert out == ""


@pytest.mark.parametrize("bad", [["--datasets", "Set6"], ["--scales", "0"], ["--limit", "-1"],
                                 ["--protocol", "matlab"]])
def test_evaluate_refuses_bad_options(capsys, bad):
    code, _, err = run(capsys, "evaluate", *bad)
    one_line_error(code, err, bad[0])


def test_evaluate_missing_model(capsys, tmp_path):
    code, _, err = run(capsys, "evaluate", "--model", str(tmp_path / "nope.safetensors"), "--datasets", "Set5")
    one_line_error(code, err, "nope.safetensors")


# ---------------------------------------------------------------- train: arguments and data

@pytest.mark.parametrize("bad", [["--val-every", "0"], ["--batch", "0"], ["--lr", "-1"], ["--lr", "0"],
                                 ["--theta", "0"], ["--epochs", "0"], ["--iters-per-epoch", "-2"],
                                 ["--patch", "0"], ["--clip", "bogus"], ["--max-minutes", "-1"],
                                 ["--optimizer", "rmsprop"], ["--scales", "0"], ["--device", "gpu0"]])
def test_train_refuses_bad_arguments_before_any_work(capsys, tmp_path, bad):
    code, _, err = run(capsys, "train", "--out", str(tmp_path / "run"), *TINY, *bad)
    one_line_error(code, err, bad[0])
    assert not (tmp_path / "run").exists()


def test_train_refuses_values_argparse_cannot_see(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--out", str(tmp_path / "run"), *TINY, "--depth", "1")
    one_line_error(code, err, "depth must be at least 2")
    code, _, err = run(capsys, "train", "--out", str(tmp_path / "run"), *TINY, "--scales", "5")
    one_line_error(code, err, "scales")


def test_train_refuses_an_unwritable_output(capsys, tmp_path, data_dir):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "train", "--out", str(blocker / "run"), *TINY)
    one_line_error(code, err, "cannot write to the folder")


def test_train_refuses_missing_data_and_says_where_it_looked(capsys, tmp_path, no_data):
    out = tmp_path / "run"
    code, stdout, err = run(capsys, "train", "--out", str(out), *TINY)
    one_line_error(code, err, "T91", str(no_data), "VDSR_DATA")
    assert stdout == "" and not (out / "state.pt").exists() and not (out / "model.safetensors").exists()
    code, _, err = run(capsys, "train", "--out", str(out), *TINY, "--data", str(tmp_path / "absent"))
    one_line_error(code, err, str(tmp_path / "absent"), "not a folder")


def test_train_with_stand_ins_says_so_in_every_output(capsys, tmp_path, no_data):
    out = tmp_path / "run"
    code, stdout, err = run(capsys, "train", "--out", str(out), *TINY, "--stand-ins")
    assert code == 0, err
    assert "scikit-image" in json.loads(stdout)["stand_ins"] and "stand-ins" in err
    assert "scikit-image" in json.loads((out / "history.json").read_text())["stand_ins"]
    assert "scikit-image" in read_meta(out / "model.safetensors")["stand_ins"]
    assert "stand-in" in json.loads((out / "history.json").read_text())["val_set"]


def test_every_option_has_a_help_line():
    parser = cli.build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subs.choices) >= {"train", "evaluate", "upscale", "bench", "reproduce"}
    for name, sub in subs.choices.items():
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help and action.help.strip(), f"{name} {action.option_strings or action.dest} has no help"
        text = sub.format_help()
        if name == "train":  # known choices are listed
            assert "{none,value,norm,adjustable}" in text and "{sgd,adam}" in text and "{paper,selfexsr}" in text


def test_an_unexpected_error_is_one_line_and_a_traceback_on_request(capsys, monkeypatch):
    def boom(_args):
        raise RuntimeError("something internal\nsecond line")

    monkeypatch.setattr(cli, "_cmd_bench", boom)
    code, _, err = run(capsys, "bench")
    assert code == 1 and err.count("\n") == 1 and "RuntimeError: something internal" in err and "VDSR_DEBUG" in err
    monkeypatch.setenv("VDSR_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli.main(["bench"])


# ---------------------------------------------------------------- train: damaged run folders

@pytest.fixture
def unfinished(tmp_path, capsys, data_dir) -> Path:
    """A run stopped by its time budget after its first epoch of two (state.pt, config/history JSON)."""
    out = tmp_path / "unfinished"
    code, _, err = run(capsys, "train", "--out", str(out), *TINY, "--max-minutes", "1e-6")
    assert code == 0, err
    assert json.loads((out / "history.json").read_text())["finished"] is False
    return out


@pytest.fixture
def finished(tmp_path, capsys, data_dir) -> Path:
    out = tmp_path / "finished"
    code, _, err = run(capsys, "train", "--out", str(out), *TINY)
    assert code == 0, err
    return out


def test_truncated_state_is_named_with_what_to_do(capsys, unfinished):
    state = unfinished / "state.pt"
    state.write_bytes(state.read_bytes()[:100])
    code, _, err = run(capsys, "train", "--out", str(unfinished), *TINY)
    one_line_error(code, err, str(state), "--no-resume", "delete it")
    code, _, err = run(capsys, "train", "--out", str(unfinished), *TINY, "--no-resume")  # what it says works
    assert code == 0, err


def test_garbage_and_foreign_state(capsys, unfinished):
    import torch

    state = unfinished / "state.pt"
    torch.save({"weights": torch.zeros(3)}, state)  # a torch file, not a training state
    code, _, err = run(capsys, "train", "--out", str(unfinished), *TINY)
    one_line_error(code, err, str(state), "not a training state")


def test_state_of_another_configuration_is_refused_without_config_json(capsys, unfinished):
    (unfinished / "config.json").unlink()  # the state's own copy of its configuration is checked
    code, _, err = run(capsys, "train", "--out", str(unfinished), *[a if a != "8" else "16" for a in TINY])
    one_line_error(code, err, "state.pt", "another configuration", "width")


@pytest.mark.parametrize("name, garbage", [("config.json", "{not json"), ("history.json", "\x00\x01")])
def test_unreadable_json_is_recovered_from_the_state(capsys, unfinished, name, garbage):
    (unfinished / name).write_text(garbage)
    code, out, err = run(capsys, "train", "--out", str(unfinished), *TINY)
    assert code == 0 and "Traceback" not in err, err
    assert json.loads(out)["finished"] is True
    json.loads((unfinished / name).read_text())  # whole again
    if name == "config.json":
        assert "config.json is unreadable" in err


@pytest.mark.parametrize("damage", ["delete", "truncate", "json"])
def test_a_finished_run_writes_its_lost_model_again(capsys, finished, damage):
    weights = finished / "model.safetensors"
    before = load_model(weights).state_dict()
    history_before = json.loads((finished / "history.json").read_text())
    if damage == "delete":
        weights.unlink()
    elif damage == "truncate":
        weights.write_bytes(weights.read_bytes()[:50])
    else:
        (finished / "model.json").write_text("{")
    code, _, err = run(capsys, "train", "--out", str(finished), *TINY)
    assert code == 0, err
    after = load_model(weights).state_dict()
    assert all(np.array_equal(before[k].numpy(), after[k].numpy()) for k in before)  # nothing trained again
    assert json.loads((finished / "history.json").read_text())["steps"] == history_before["steps"]
    no_temporaries(finished)


def test_a_finished_run_with_unreadable_history_and_no_state(capsys, finished):
    (finished / "state.pt").unlink()  # a finished run may drop its optimizer state
    (finished / "history.json").write_text("[")
    code, _, err = run(capsys, "train", "--out", str(finished), *TINY)
    one_line_error(code, err, "history.json", "no state.pt", "--no-resume")


def test_stray_temporaries_of_a_killed_write_are_cleared(capsys, unfinished):
    (unfinished / ".state.pt.abc123.tmp").write_bytes(b"half a checkpoint")
    code, _, err = run(capsys, "train", "--out", str(unfinished), *TINY)
    assert code == 0, err
    no_temporaries(unfinished)


# ---------------------------------------------------------------- bench and reproduce

@pytest.mark.parametrize("bad", [["--seconds", "0"], ["--batch", "0"], ["--depth", "-3"]])
def test_bench_refuses_bad_arguments(capsys, bad):
    code, _, err = run(capsys, "bench", *bad)
    one_line_error(code, err, bad[0])


def test_bench_prints_its_json(capsys, data_dir):
    code, out, err = run(capsys, "bench", "--seconds", "0.05", "--batch", "2", "--depth", "3")
    assert code == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["depth"] == 3 and result["batch"] == 2
    assert result["bare_fp32"] > 0 and result["trainer_fp32"] > 0 and result["infer_512_s"] > 0
    assert result["best_bare"] == max(result[k] for k in result if k.startswith("bare_"))
    assert result["trainer_over_best_bare"] > 0 and result["eval_psnr_max_diff_db"] < 1e-3
    assert "collapse" not in err  # one or two steps cannot lift PSNR: no warning about it


@pytest.mark.parametrize("bad", [["nonsense"], ["main", "--budget", "huge"], ["main", "--jobs", "0"],
                                 ["main", "--max-minutes", "0"]])
def test_reproduce_refuses_bad_arguments(capsys, bad):
    code, _, err = run(capsys, "reproduce", *bad)
    one_line_error(code, err)


def test_reproduce_without_data_trains_nothing(capsys, tmp_path, no_data):
    code, _, err = run(capsys, "reproduce", "residual", "--budget", "quick", "--out", str(tmp_path / "runs"), "--quiet")
    one_line_error(code, err, "looked in", str(no_data))
    assert not list((tmp_path / "runs").rglob("state.pt"))


def test_a_kill_between_the_last_state_and_the_other_files_loses_nothing(capsys, finished, unfinished):
    """The finished run's state.pt in a folder whose history.json and model are an epoch behind (what a
    kill after the last state.pt was written leaves): the rerun brings both up to date."""
    import shutil

    shutil.copy(finished / "state.pt", unfinished / "state.pt")
    code, _, err = run(capsys, "train", "--out", str(unfinished), *TINY)
    assert code == 0, err
    assert json.loads((unfinished / "history.json").read_text())["finished"] is True
    meta = read_meta(unfinished / "model.safetensors")
    assert meta["finished"] is True and meta["epochs_done"] == 2
    a, b = load_model(finished / "model.safetensors").state_dict(), load_model(unfinished / "model.safetensors").state_dict()
    assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)
