"""Tests for vdsr_lib.budget: the VDSR_BUDGET switch and its hardware default."""
from __future__ import annotations

import pytest

from vdsr_lib import budget


@pytest.fixture
def no_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "_cuda_available", lambda: False)


@pytest.fixture
def gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "_cuda_available", lambda: True)


@pytest.mark.parametrize("value, expected", [("quick", "quick"), ("full", "full"),
                                             ("FULL", "full"), (" Quick ", "quick")])
def test_env_var_wins(monkeypatch, gpu, value, expected):
    monkeypatch.setenv("VDSR_BUDGET", value)
    assert budget.budget_name() == expected


def test_env_var_overrides_missing_gpu(monkeypatch, no_gpu):
    monkeypatch.setenv("VDSR_BUDGET", "full")
    assert budget.budget_name() == "full"
    assert budget.pick(quick=1, full=2) == 2


@pytest.mark.parametrize("fixture, expected", [("gpu", "full"), ("no_gpu", "quick")])
def test_unset_follows_hardware(monkeypatch, request, fixture, expected):
    request.getfixturevalue(fixture)
    monkeypatch.delenv("VDSR_BUDGET", raising=False)
    assert budget.budget_name() == expected
    monkeypatch.setenv("VDSR_BUDGET", "")  # empty counts as unset
    assert budget.budget_name() == expected


def test_bad_value_names_allowed_values(monkeypatch, no_gpu):
    monkeypatch.setenv("VDSR_BUDGET", "medium")
    with pytest.raises(ValueError, match="medium") as info:
        budget.budget_name()
    assert "'quick'" in str(info.value) and "'full'" in str(info.value)
    with pytest.raises(ValueError):
        budget.pick(quick=1, full=2)
    with pytest.raises(ValueError):
        budget.describe()


def test_pick(monkeypatch, no_gpu):
    monkeypatch.setenv("VDSR_BUDGET", "quick")
    assert budget.pick(quick="a", full="b") == "a"
    monkeypatch.setenv("VDSR_BUDGET", "full")
    assert budget.pick(quick="a", full="b") == "b"


def test_pick_reads_env_each_call(monkeypatch, no_gpu):
    monkeypatch.delenv("VDSR_BUDGET", raising=False)
    assert budget.pick(quick=0, full=1) == 0
    monkeypatch.setenv("VDSR_BUDGET", "full")
    assert budget.pick(quick=0, full=1) == 1


def test_describe_is_one_line_and_says_why_and_how(monkeypatch, no_gpu):
    monkeypatch.delenv("VDSR_BUDGET", raising=False)
    text = budget.describe()
    assert "\n" not in text
    assert "quick" in text and "no CUDA GPU" in text and "VDSR_BUDGET=full" in text
    monkeypatch.setenv("VDSR_BUDGET", "full")
    text = budget.describe()
    assert "full" in text and "set by VDSR_BUDGET" in text and "VDSR_BUDGET=quick" in text


def test_describe_with_gpu(monkeypatch, gpu):
    monkeypatch.delenv("VDSR_BUDGET", raising=False)
    assert "a CUDA GPU is available" in budget.describe()
    assert budget.describe().startswith("Budget: full")


def test_real_hardware_check_runs(monkeypatch):
    """Unmocked: the budget follows this machine's CUDA, as PyTorch reports it."""
    import torch

    monkeypatch.delenv("VDSR_BUDGET", raising=False)
    assert budget.budget_name() == ("full" if torch.cuda.is_available() else "quick")
    assert budget.describe().startswith(f"Budget: {budget.budget_name()}")
