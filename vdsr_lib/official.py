"""The authors' own trained VDSR-20, loaded into this package's :class:`~vdsr_lib.model.VDSR`.

The weights are ``VDSR_Official.mat`` (MatConvNet, from the MIT-licensed ``huangzehao/caffe-vdsr``
repository): a struct ``model`` with cell arrays ``weight`` (20 filters banks, each
``[3, 3, in, out]`` in MATLAB's order: row, column, input channel, output channel) and ``bias``.
MatConvNet, like PyTorch, computes a correlation (no kernel flip), so a PyTorch ``Conv2d`` weight
``[out, in, row, column]`` is the plain transpose ``(3, 2, 0, 1)``.

The file is found like the images (:mod:`vdsr_lib.datasets`): ``$VDSR_DATA/official/`` (or a
``root`` argument), else the download cache, else a checksummed download (pooch) from the
repository; if all fail, :func:`load_official` returns ``None`` and :func:`official_status` says why.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from .model import VDSR

__all__ = ["OFFICIAL_FILE", "OFFICIAL_URL", "OFFICIAL_SHA256", "official_path", "official_status",
           "read_official", "load_official"]

OFFICIAL_FILE = "official/VDSR_Official.mat"
OFFICIAL_URL = "https://github.com/huangzehao/caffe-vdsr/raw/master/Test/VDSR_Official.mat"
OFFICIAL_SHA256 = "f613166660840af1a2ca47e31b0337b951e7c4e094364f6135a16d81a55c323c"

_last_error: str = ""


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def official_path(root: str | os.PathLike | None = None, download: bool | None = None) -> Path | None:
    """Where ``VDSR_Official.mat`` is: the data folder, the cache, or a fresh verified download.

    Returns ``None`` (and records why, see :func:`official_status`) if none has it. ``download``
    defaults to true unless ``VDSR_DOWNLOAD=0``.
    """
    global _last_error
    from .datasets import _cache_dir, data_root

    if download is None:
        download = os.environ.get("VDSR_DOWNLOAD", "1") != "0"
    tried = []
    try:
        base = data_root(root)
    except FileNotFoundError as err:
        _last_error = str(err)
        return None
    for folder in ([base] if base is not None else []) + [_cache_dir()]:
        path = folder / OFFICIAL_FILE
        if path.is_file():
            if _sha256(path) == OFFICIAL_SHA256:
                return path
            tried.append(f"{path} has other bytes than the authors' file (SHA-256 {OFFICIAL_SHA256[:12]}...)")
        else:
            tried.append(f"no {path}")
    if not download:
        _last_error = "; ".join(tried) + "; downloads are off (VDSR_DOWNLOAD=0)"
        return None
    try:
        import pooch

        cache = _cache_dir()
        fetched = Path(pooch.retrieve(OFFICIAL_URL, known_hash=f"sha256:{OFFICIAL_SHA256}",
                                      path=cache / ".downloads", progressbar=False,
                                      downloader=pooch.HTTPDownloader(timeout=60)))
        target = cache / OFFICIAL_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(fetched.read_bytes())
        return target
    except Exception as err:  # offline, the source moved, or its bytes changed
        _last_error = "; ".join(tried) + f"; the download from {OFFICIAL_URL} failed ({type(err).__name__}: {err})"
        return None


def official_status() -> str:
    """Why the last :func:`official_path` / :func:`load_official` found no file ('' if it did)."""
    return _last_error


def read_official(path: str | os.PathLike) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The 20 filter banks ``[3, 3, in, out]`` (MATLAB order, singletons restored) and 20 bias vectors."""
    import scipy.io

    model = scipy.io.loadmat(str(path))["model"]
    weights, biases = model["weight"][0, 0][0], model["bias"][0, 0][0]
    n = len(weights)
    ws, bs = [], []
    for i, (w, b) in enumerate(zip(weights, biases)):
        w = np.asarray(w, dtype=np.float32)
        c_in = 1 if i == 0 else w.shape[2]
        c_out = 1 if i == n - 1 else w.shape[-1]
        ws.append(w.reshape(w.shape[0], w.shape[1], c_in, c_out))  # inserting a singleton keeps the order
        bs.append(np.asarray(b, dtype=np.float32).reshape(-1))
    return ws, bs


def load_official(root: str | os.PathLike | None = None, path: str | os.PathLike | None = None,
                  download: bool | None = None, device: str | torch.device = "cpu") -> VDSR | None:
    """The authors' VDSR-20 as a ``VDSR`` (residual, x2/x3/x4) in eval mode, or ``None`` if the
    weights cannot be found (:func:`official_status` says why). ``path``: a given ``.mat`` file."""
    if path is None:
        path = official_path(root, download)
        if path is None:
            return None
    ws, bs = read_official(path)
    net = VDSR(depth=len(ws), width=ws[0].shape[-1], residual=True, in_channels=ws[0].shape[2])
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        for conv, w, b in zip(convs, ws, bs):
            conv.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.transpose(3, 2, 0, 1))))
            conv.bias.copy_(torch.from_numpy(b))
    net.scales = (2, 3, 4)
    net.meta = {"source": "the authors' VDSR_Official.mat (huangzehao/caffe-vdsr, MIT licence)",
                "path": str(path)}
    return net.to(device).eval()


# --- scoring the authors' network beside ours: the shipped vdsr_lib/results/official.json ----------

#: The 12 cells of the paper's Table 3 as :data:`vdsr_lib.reproduce.BENCH_CELLS` has them.
MODELS = ("official", "ours")
#: What ``--models`` accepts: the two networks, and ``"bicubic"`` (the baseline, per image, to compare
#: cells across sets whose bicubic scores differ).
CHOICES = MODELS + ("bicubic",)


def _network(which: str) -> torch.nn.Module | str:
    """The network to score, in channels-last layout (faster on a CPU; the same sums up to rounding),
    or ``"bicubic"``."""
    if which == "bicubic":
        return "bicubic"
    if which == "official":
        net = load_official()
        if net is None:
            raise FileNotFoundError(f"the authors' weights are unavailable: {official_status()}")
    elif which == "ours":
        from .pretrained import load_pretrained

        net = load_pretrained()
    else:
        raise ValueError(f"unknown model {which!r}; choose from {', '.join(CHOICES)}")
    return net.to(memory_format=torch.channels_last)


#: Degradations tried beside the two protocols of :mod:`vdsr_lib.degrade`, to find which one made a
#: cell of the paper's table: ``"paper-u8"`` is the paper's protocol with the LR luminance rounded to
#: 8 bits (as if it had been saved as an 8-bit image before being upscaled).
VARIANTS = ("paper-u8",)


def _score_cell(job: tuple[str, str, str, int]) -> tuple[str, str, str, int, dict]:
    """One cell (model, protocol, set, scale), on one thread, per image; run in a worker process."""
    from .benchmark import evaluate, evaluate_pairs

    which, protocol, name, scale = job
    torch.set_num_threads(1)
    if protocol not in VARIANTS:
        ((key, cells),) = evaluate(_network(which), (name,), (scale,), protocol=protocol, per_image=True).items()
        return which, protocol, key, scale, cells[scale]
    from .color import rgb2y
    from .datasets import load_dataset
    from .degrade import make_pair, quantize
    from .imresize import imresize, modcrop

    if name == "Urban100-half":
        raise ValueError("the paper-u8 variant is defined for Set5, Set14, B100 and Urban100")
    ds = load_dataset(name)
    pairs = [make_pair(hr, scale, lr=(quantize(imresize(quantize(rgb2y(modcrop(hr, scale))), 1.0 / scale))
                                      * 255).round().astype(np.uint8)) for hr in ds.images]
    res = evaluate_pairs(_network(which), pairs, scale, ds.names)
    cell = {"psnr": float(np.mean([r.psnr for r in res])), "ssim": float(np.mean([r.ssim for r in res])),
            "seconds": float(np.mean([r.seconds for r in res])), "images": [vars(r) for r in res]}
    return which, protocol, ds.name, scale, cell


def _compact(cell: dict, digits: int) -> dict:
    """A cell as stored: the means (of the unrounded scores) and ``{image: [psnr, ssim]}``."""
    return {"psnr": round(cell["psnr"], digits), "ssim": round(cell["ssim"], digits),
            "seconds": round(cell["seconds"], 3),
            "images": {r["name"]: [round(r["psnr"], digits), round(r["ssim"], digits)] for r in cell["images"]}}


def _priority(job: tuple[str, str, str, int]) -> tuple:
    """The order of the work, most useful first on a slow machine: the authors' network on every cell
    but the full-size Urban100's (the most pixels), then ours at x2, then ours at x3 and x4, then the
    full-size Urban100 (the paper's x4 cell first)."""
    which, protocol, name, scale = job
    big = name == "Urban100"
    return big, which != "official", which == "ours" and scale != 2, big and scale == 3, protocol != "paper"


def score_table(models: tuple[str, ...] = MODELS, protocols: tuple[str, ...] = ("paper",),
                cells: tuple[tuple[str, tuple[int, ...]], ...] | None = None, jobs: int = 1, digits: int = 4,
                out: str | os.PathLike | None = None, command: str = "",
                merge: tuple[str | os.PathLike, ...] = (), measure: bool = True) -> dict:
    """Per-image PSNR/SSIM of ``models`` (``"official"``: the authors' network, ``"ours"``: the shipped
    main model) on ``cells`` (default: Table 3's 12) under each of ``protocols``, each cell on one
    thread, ``jobs`` cells at a time, cheap cells first.

    Returns ``{"models": {model: {protocol: {set: {scale: cell}}}}, "command", "hardware", "commit",
    "wall_time_s"}``. With ``out``, the table is written there after every cell, and cells already
    in ``out`` are kept, not measured again (an interrupted run resumes; the file keeps the command
    that started it); so are the cells of the tables in ``merge`` (parts measured by other runs of
    this command, e.g. on another machine). ``measure=False`` only merges and writes."""
    import json
    import multiprocessing
    import time
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from .checkpoint import git_commit, hardware_string
    from .reproduce import BENCH_CELLS

    cells = BENCH_CELLS if cells is None else cells
    table = {"command": command, "hardware": f"one thread per cell of {hardware_string()}, {max(jobs, 1)} "
                                              f"cell(s) at a time", "commit": git_commit(), "digits": digits,
             "wall_time_s": 0.0, "models": {}}
    if out is not None and Path(out).is_file():
        old = json.loads(Path(out).read_text())
        table["models"], table["wall_time_s"] = old.get("models", {}), old.get("wall_time_s", 0.0)
        table["command"] = old.get("command") or command  # the first command; the others resumed it
        table["hardware"] = old.get("hardware") or table["hardware"]

    for other in merge:
        for m, by_protocol in json.loads(Path(other).read_text()).get("models", {}).items():
            for p, by_set in by_protocol.items():
                for name, by_scale in by_set.items():
                    for s, cell in by_scale.items():
                        table["models"].setdefault(m, {}).setdefault(p, {}).setdefault(name, {}).setdefault(s, cell)

    def have(m: str, p: str, name: str, s: int) -> bool:
        return str(s) in table["models"].get(m, {}).get(p, {}).get(name, {})

    work = sorted(((m, p, name, s) for p in protocols for m in models for name, scales in cells for s in scales
                   if measure and not have(m, p, name, s)), key=_priority)
    if any(w[0] == "official" for w in work):
        _network("official")  # fail here, with the reason, rather than in every worker
    start, before = time.perf_counter(), table["wall_time_s"]

    def store(result: tuple[str, str, str, int, dict]) -> None:
        which, protocol, key, scale, cell = result
        table["models"].setdefault(which, {}).setdefault(protocol, {}).setdefault(key, {})[str(scale)] = \
            _compact(cell, digits)
        table["wall_time_s"] = round(before + time.perf_counter() - start, 1)
        print(f"{which} {protocol} {key} x{scale}: {cell['psnr']:.3f} dB / {cell['ssim']:.4f}", flush=True)
        if out is not None:
            Path(out).write_text(json.dumps(table, separators=(",", ":")) + "\n")

    if out is not None and not work:
        Path(out).write_text(json.dumps(table, separators=(",", ":")) + "\n")
    if jobs > 1:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            for done in as_completed([pool.submit(_score_cell, w) for w in work]):
                store(done.result())
    else:
        for w in work:
            store(_score_cell(w))
    return table
