"""One switch for how much compute every chapter spends: the ``VDSR_BUDGET`` environment variable.

* ``quick``: for CI and laptops; every chapter runs in under about 3 minutes on a 2-core CPU
  (small models, few iterations, a crop of the test images).
* ``full``: for a GPU; the settings of the paper (or as close as one GPU allows).

When ``VDSR_BUDGET`` is unset (or empty) the budget follows the hardware: ``full`` if PyTorch sees
a CUDA GPU, ``quick`` otherwise. A chapter writes its settings as ``pick(quick=..., full=...)``::

    from vdsr_lib.budget import describe, pick
    print(describe())
    steps = pick(quick=300, full=80_000)

The variable is read on every call, so it can be changed while a kernel runs.
"""
from __future__ import annotations

import os
from typing import TypeVar

__all__ = ["ENV_VAR", "BUDGETS", "budget_name", "pick", "describe"]

ENV_VAR = "VDSR_BUDGET"
"""Name of the environment variable that selects the budget."""

BUDGETS = ("quick", "full")
"""The allowed budgets, cheapest first."""

T = TypeVar("T")


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a hard dependency of vdsr_lib
        return False
    return bool(torch.cuda.is_available())


def _from_env() -> str | None:
    """The budget named in the environment (validated, lower-cased), or None if it names none."""
    raw = os.environ.get(ENV_VAR, "").strip().lower()
    if not raw:
        return None
    if raw not in BUDGETS:
        allowed = ", ".join(repr(b) for b in BUDGETS)
        raise ValueError(f"{ENV_VAR}={os.environ[ENV_VAR]!r} is not a budget; "
                         f"allowed values: {allowed} (or leave it unset to choose by hardware)")
    return raw


def budget_name() -> str:
    """The current budget, ``"quick"`` or ``"full"``.

    Taken from ``VDSR_BUDGET`` (case-insensitive) if it is set and not empty; otherwise ``"full"``
    when a CUDA GPU is available and ``"quick"`` when not. Raises :class:`ValueError` if
    ``VDSR_BUDGET`` holds anything else.
    """
    name = _from_env()
    if name is not None:
        return name
    return "full" if _cuda_available() else "quick"


def pick(quick: T, full: T) -> T:
    """Return ``quick`` or ``full``, whichever matches the current :func:`budget_name`."""
    return full if budget_name() == "full" else quick


def describe() -> str:
    """One line for the reader: which budget runs, why, and how to change it."""
    name = _from_env()
    if name is not None:
        why = f"set by {ENV_VAR}={name}"
    else:
        name = "full" if _cuda_available() else "quick"
        why = (f"{ENV_VAR} is unset and "
               + ("a CUDA GPU is available" if name == "full" else "no CUDA GPU was found"))
    other = "quick" if name == "full" else "full"
    return (f"Budget: {name} ({why}). To change it, set {ENV_VAR}={other} in the environment "
            f"(or os.environ['{ENV_VAR}'] = '{other}' at the top of the notebook) and run again.")
