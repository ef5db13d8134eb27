"""Shared test setup: the ``slow`` marker, the benchmark data folder, no network.

* ``VDSR_DATA`` names the data folder (laid out like ``shared/data``: ``Set5/``, ``Set14/``, ...,
  ``matlab_lr/``). Tests that need it take the ``data_dir`` fixture (or call ``need_data``) and are
  skipped, with the reason, when it is not set.
* Tests marked ``@pytest.mark.slow`` (whole B100 / Urban100 benchmarks) run only with ``VDSR_SLOW=1``.
* ``VDSR_DOWNLOAD`` defaults to ``0`` while these tests run: they never download data sets from
  the internet (``tests/test_datasets.py`` exercises the downloader against a local HTTP server).
  It is set per test module and restored afterwards, so notebooks run in the same pytest session
  (``make test``) keep their normal behaviour.
* PyTorch runs on ``VDSR_TEST_THREADS`` CPU threads (default 1). The tests' tensors are small, and
  on a busy machine (a training run in the background) two OpenMP threads that wait for each
  other at every operation made small convolutions 40x slower than one thread (measured).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA_HELP = ("set VDSR_DATA to the benchmark data folder (Set5/, Set14/, ..., matlab_lr/; "
             "see shared/data/SOURCES.md) to run it")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: long-running test (whole B100/Urban100 benchmarks); "
                                       "skipped unless VDSR_SLOW=1")
    config.addinivalue_line("markers", "built_book: checks the built HTML book ($VDSR_BOOK_HTML, default "
                                       "_build/html); `make test` runs them after building the book")
    import torch

    torch.set_num_threads(int(os.environ.get("VDSR_TEST_THREADS", "1")))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("VDSR_SLOW", "") == "1":
        return
    skip = pytest.mark.skip(reason="slow test; set VDSR_SLOW=1 to run it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def need_data(*folders: str) -> Path:
    """The ``VDSR_DATA`` folder, or skip the calling test (with the reason) if it or a folder is absent."""
    root = os.environ.get("VDSR_DATA", "")
    if not root:
        pytest.skip(f"VDSR_DATA is not set; {DATA_HELP}")
    path = Path(root).expanduser()
    if not path.is_dir():
        pytest.skip(f"VDSR_DATA={root} is not a folder; {DATA_HELP}")
    for folder in folders:
        if not (path / folder).is_dir():
            pytest.skip(f"VDSR_DATA={root} has no {folder}/ folder; {DATA_HELP}")
    return path


@pytest.fixture
def data_dir() -> Path:
    """The benchmark data folder (``VDSR_DATA``); skips the test when it is not available."""
    return need_data()


@pytest.fixture(scope="module", autouse=True)
def _no_downloads():
    """``VDSR_DOWNLOAD=0`` unless the environment says otherwise (module scope: before any
    module-scoped fixture that loads data)."""
    with pytest.MonkeyPatch.context() as mp:
        if "VDSR_DOWNLOAD" not in os.environ:
            mp.setenv("VDSR_DOWNLOAD", "0")
        yield
