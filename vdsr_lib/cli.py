"""Command line: ``python -m vdsr_lib {train,evaluate,upscale,bench,reproduce,official} ...``.

Errors a user can fix (a missing file or data set, a bad option value, a corrupt or mismatched run
file) are printed as one line with what to do, and the command exits with status 2; nothing prints a
traceback (set ``VDSR_DEBUG=1`` to see one for an unexpected error). Options are checked before any
work: an output that cannot be written is refused before the input is read.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import fields
from pathlib import Path

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (the usage of ``train`` alone is 30 lines)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _DefaultsFormatter(argparse.HelpFormatter):
    """``--help`` lines end with the default where there is one (not for flags, not for None)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        shown = not (action.default is None or action.default is False or action.default == argparse.SUPPRESS)
        if shown and action.option_strings and "(default" not in text:
            default = action.default
            shown = " ".join(map(str, default)) if isinstance(default, (tuple, list)) else str(default).lower() \
                if isinstance(default, bool) else str(default)
            text += f" (default: {shown})"
        return text


def _memory_format_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--memory-format", default="auto", choices=["auto", "channels_last", "contiguous"],
                   help="tensor layout of the network: auto = the faster one here (measured once, cached)")


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true/false, got {text!r}")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {value}")
    return value


def _tile(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of pixels, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of pixels (or 0 for the whole image), "
                                         f"got {value}")
    return value


def _float_check(zero_ok: bool):
    """An argparse type: a finite number above zero (or at least zero, with ``zero_ok``)."""
    def check(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {'a' if zero_ok else 'a positive'} number, "
                                             f"got {text!r}") from None
        if not ((value >= 0 if zero_ok else value > 0) and value != float("inf")):
            raise argparse.ArgumentTypeError(f"must be {'zero or ' if zero_ok else ''}a positive number, "
                                             f"got {text}")
        return value
    return check


_positive_float = _float_check(zero_ok=False)
_nonnegative_float = _float_check(zero_ok=True)


def _device(text: str) -> str:
    import torch

    try:
        torch.device(text)
    except RuntimeError:
        raise argparse.ArgumentTypeError(f"expected a PyTorch device (cpu, cuda, cuda:1, mps), got {text!r}") from None
    return text


#: One line of ``train --help`` per TrainConfig field (a test checks none is missing).
TRAIN_HELP = {
    "depth": "weight layers of the network (the paper: 20)",
    "width": "filters per hidden layer (the paper: 64)",
    "residual": "learn the residual HR - ILR (true, the paper) or the image itself (false)",
    "scales": "training scales (task sr: 2 3 4), or the noise sigmas / JPEG qualities of task denoise / jpeg",
    "task": "what the network learns: sr (super-resolution), denoise or jpeg (chapter 10)",
    "protocol": "how LR images are made: paper (the authors' code: Y first) or selfexsr (RGB first)",
    "train_set": "training images: 291 (T91 + BSD200, the paper's) or one data set folder",
    "max_images": "use only the first N training images (default: all)",
    "patch": "side of the training patches in pixels (the paper: 41)",
    "batch": "patches per step (the paper: 64)",
    "epochs": "epochs to train (the paper: 80)",
    "iters_per_epoch": "steps per epoch (the paper: 125)",
    "optimizer": "sgd (the paper, with momentum) or adam",
    "lr": "(first) learning rate (the paper: 0.1 with SGD)",
    "momentum": "SGD momentum (the paper: 0.9)",
    "weight_decay": "L2 weight decay (the paper: 1e-4)",
    "schedule": "learning-rate schedule: step (times --lr-gamma every --lr-step epochs), cosine or constant",
    "lr_step": "epochs between learning-rate steps (schedule step; the paper: 20)",
    "lr_gamma": "factor of each learning-rate step (schedule step; the paper: 0.1)",
    "clip": "gradient clipping: none, value, norm or adjustable (the paper's: theta / learning rate)",
    "theta": "clipping threshold theta (the paper does not give it)",
    "loss": "sum (1/2 sum over pixels, the paper's) or mean (per-pixel MSE)",
    "zero_init_last": "start the last layer at zero (the network starts as bicubic)",
    "bf16": "bfloat16 autocast (default: whichever precision trains faster here, measured once and cached)",
    "channels_last": "channels-last memory format (default: whichever trains faster here; or --memory-format)",
    "compile": "torch.compile the network",
    "seed": "random seed (initialisation and patches)",
    "val_set": "validation set",
    "val_scales": "validation scales or levels (default: the training ones)",
    "val_every": "validate every N epochs (and after the last)",
    "device": "cpu, cuda, cuda:1 or mps (default: CUDA if there is one, else Apple's MPS, else the CPU)",
}


def _add_train(sub) -> None:
    from .clipping import CLIP_MODES
    from .datasets import BENCHMARKS, TRAIN_291
    from .degrade import PROTOCOLS, TASKS
    from .train import TrainConfig

    p = sub.add_parser("train", help="train a VDSR (writes checkpoints, history.json, model.safetensors)",
                       formatter_class=_DefaultsFormatter)
    p.add_argument("--out", required=True, help="output folder (resumed if it holds an unfinished run)")
    p.add_argument("--no-resume", action="store_true", help="start over even if --out holds a run")
    p.add_argument("--max-minutes", type=_positive_float, default=None, help="stop cleanly after this much time")
    p.add_argument("--data", default=None, help="data folder (default: $VDSR_DATA, else the download cache)")
    p.add_argument("--stand-ins", action="store_true", help=STAND_IN_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress output")
    _memory_format_option(p)
    choices = {"task": ("sr",) + TASKS, "protocol": PROTOCOLS, "optimizer": ("sgd", "adam"),
               "schedule": ("step", "cosine", "constant"), "clip": CLIP_MODES, "loss": ("sum", "mean"),
               "train_set": ("291",) + TRAIN_291 + BENCHMARKS, "val_set": BENCHMARKS + TRAIN_291}
    nonnegative = ("momentum", "weight_decay")
    for f in fields(TrainConfig):
        default = f.default if not callable(getattr(f, "default_factory", None)) else ()
        flag = "--" + f.name.replace("_", "-")
        kw = {"help": TRAIN_HELP.get(f.name, "")}
        if f.name in ("scales", "val_scales"):
            p.add_argument(flag, type=_positive_int, nargs="+", default=default or None, **kw)
        elif f.type in ("bool", bool):
            p.add_argument(flag, type=_bool, default=default, metavar="{true,false}", **kw)
        elif f.type in ("bool | None",):
            p.add_argument(flag, type=_bool, default=None, metavar="{true,false}", **kw)
        elif f.name == "seed":
            p.add_argument(flag, type=int, default=default, **kw)
        elif f.type in ("int", int):
            p.add_argument(flag, type=_positive_int, default=default, **kw)
        elif f.type in ("int | None",):
            p.add_argument(flag, type=_positive_int, default=None, **kw)
        elif f.type in ("float", float):
            p.add_argument(flag, type=_nonnegative_float if f.name in nonnegative else _positive_float,
                           default=default, **kw)
        elif f.name in choices:
            p.add_argument(flag, default=default, choices=choices[f.name], **kw)
        elif f.name == "device":
            p.add_argument(flag, type=_device, default=default, **kw)
        else:
            p.add_argument(flag, default=default, **kw)


STAND_IN_HELP = ("where a data set is neither found nor downloadable, use scikit-image's photos instead "
                 "(every output says so; its numbers are not benchmark numbers)")


def _cmd_train(a) -> int:
    from .train import TrainConfig, train

    kw = {f.name: getattr(a, f.name) for f in fields(TrainConfig) if getattr(a, f.name) is not None}
    cfg = TrainConfig(**kw)
    hist = train(cfg, a.out, resume=not a.no_resume, progress=not a.quiet, max_minutes=a.max_minutes,
                 data_root=a.data, stand_ins=a.stand_ins)
    if hist.get("stand_ins"):
        print(f"warning: this run used {hist['stand_ins']}", file=sys.stderr)
    if hist.get("diverged"):
        print(f"training diverged: {hist.get('divergence')}", file=sys.stderr)
        return 1
    last = hist["epochs"][-1] if hist["epochs"] else {}
    line = {"out": str(a.out), "epochs_done": last.get("epoch", 0), "finished": hist["finished"],
            "val_psnr": last.get("val_psnr"), "bicubic_psnr": hist["bicubic_psnr"], "collapsed": hist["collapsed"]}
    if hist.get("stand_ins"):
        line["stand_ins"] = hist["stand_ins"]
    print(json.dumps(line))
    return 0


def _load(model_arg: str):
    from .checkpoint import load_model
    from .inference import default_device
    from .pretrained import load_pretrained

    if model_arg == "bicubic":
        return "bicubic"
    if model_arg == "pretrained":
        return load_pretrained(device=default_device())
    if model_arg == "official":
        from .official import load_official, official_status

        net = load_official(device=default_device())
        if net is None:
            raise FileNotFoundError(f"the authors' weights are unavailable: {official_status()}")
        return net
    path = Path(model_arg)
    if path.is_dir():
        path = path / "model.safetensors"
    return load_model(path, device=default_device())


def _cmd_evaluate(a) -> int:
    from .atomic import ensure_writable, write_atomic
    from .benchmark import evaluate, format_table
    from .train import STAND_IN_NOTE

    if a.json:
        ensure_writable(Path(a.json).expanduser().parent)
    model = _load(a.model)
    table = evaluate(model, a.datasets, a.scales, root=a.data, per_image=a.per_image, limit=a.limit,
                     progress=None if a.quiet else (lambda t: print(t, file=sys.stderr, flush=True)),
                     protocol=a.protocol, stand_ins=a.stand_ins)
    stand_ins = any("stand-in" in ds for ds in table)
    print(format_table(table, title=f"{a.model}, {a.protocol} protocol: PSNR (dB) / SSIM on Y, border = scale, "
                                    f"seconds/image" + (f" -- {STAND_IN_NOTE.upper()}" if stand_ins else "")))
    if a.json:
        out = {ds: {str(s): cell for s, cell in cells.items()} for ds, cells in table.items()}
        if stand_ins:
            out = {"stand_ins": STAND_IN_NOTE, **out}
        write_atomic(Path(a.json).expanduser(), json.dumps(out, indent=2) + "\n")
    return 0


def _cmd_upscale(a) -> int:
    from PIL import Image

    from .atomic import atomic_path, ensure_writable
    from .datasets import load_image
    from .inference import upscale

    output = Path(a.output).expanduser()  # checked before any work: a known format, a writable folder
    fmt = Image.registered_extensions().get(output.suffix.lower())
    if fmt is None or fmt not in Image.SAVE:
        raise ValueError(f"cannot save {a.output}: unknown image format {output.suffix!r}; use a .png or .jpg "
                         f"file name")
    ensure_writable(output.parent)
    model = _load(a.model)
    image = load_image(a.input)
    bar = None
    if not a.quiet:
        from tqdm.auto import tqdm

        bar = tqdm(total=1, unit="tile", desc="upscaling")

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.n = done
            bar.refresh()

    net = None if model == "bicubic" else model
    choice = None
    if net is not None:
        from .speed import fastest

        choice = fastest("infer", next(net.parameters()).device, bf16={"auto": None, "fp32": False, "bf16": True}[a.precision])
    out = upscale(image, a.scale, net, tile=a.tile, progress=progress, bf16=bool(choice and choice.bf16),
                  channels_last=choice.channels_last if choice else None)
    if bar is not None:
        bar.close()
    try:
        with atomic_path(output) as tmp:  # whole or absent, never a half-written image
            Image.fromarray(out).save(tmp, format=fmt)
    except (ValueError, KeyError) as err:
        raise ValueError(f"cannot save {a.output} ({err}); use a .png or .jpg file name") from err
    print(f"wrote {a.output} ({out.shape[1]}x{out.shape[0]})" + (f"; network ran in {choice}" if choice else ""))
    return 0


def _cmd_bench(a) -> int:
    from .bench import run_bench

    result = run_bench(seconds=a.seconds, batch=a.batch, depth=a.depth)
    print(json.dumps(result))
    return 0


def _cmd_reproduce(a) -> int:
    from .experiments import EXPERIMENTS, experiment_runs, run_experiment
    from .reproduce import ship

    names = list(EXPERIMENTS) if a.experiment == "all" else [a.experiment]
    for name in names:  # a bad name or budget fails here, before hours of training
        runs = experiment_runs(name, a.budget)
        unknown = sorted(set(a.runs or ()) - set(runs))
        if unknown:
            print(f"error: {name} at budget {a.budget} has no run {', '.join(unknown)}; its runs are "
                  f"{', '.join(runs)}", file=sys.stderr)
            return 2
    if a.runs and (a.ship or a.ship_partial):
        print("error: --ship writes a whole experiment; train the runs with --runs, then ship with the same "
              "command without --runs (finished runs are not trained again)", file=sys.stderr)
        return 2
    if a.ship_partial:
        return _ship_partial(names, a)
    if a.remeasure:
        if names != ["main"] or a.ship or a.runs:
            print("error: --remeasure measures the shipped main model again (reproduce main --remeasure PROTOCOL); "
                  "it trains nothing and combines with no other option but --jobs", file=sys.stderr)
            return 2
        from .reproduce import remeasure_main_model

        print(f"wrote {remeasure_main_model(a.remeasure, a.jobs)}")
        return 0
    for name in names:
        hists = run_experiment(name, a.budget, a.out, max_minutes=a.max_minutes, data_root=a.data,
                               progress=not a.quiet, runs=a.runs, stand_ins=a.stand_ins)
        if all(h.get("finished") or h.get("diverged") for h in hists.values()):
            if a.ship:
                for line in ship(name, a.budget, a.out, hists, jobs=a.jobs):
                    print(line)
        else:
            print(f"{name}: not finished yet (time budget); run the same command again to resume")
    return 0


def _ship_partial(names: list[str], a) -> int:
    """``reproduce --ship-partial``: ship runs as they stand (stopped early), training nothing."""
    from .experiments import stored_histories
    from .reproduce import ship

    if a.ship or "main" in names:
        print("error: --ship-partial ships the ablations as they stand; it does not combine with --ship, and the "
              "main model is shipped only when finished (--ship)", file=sys.stderr)
        return 2
    for name in names:
        try:
            hists = stored_histories(name, a.budget, a.out)
        except (FileNotFoundError, ValueError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        for line in ship(name, a.budget, a.out, hists):
            print(line)
    return 0


def _cmd_official(a) -> int:
    from .datasets import BENCHMARKS
    from .official import score_table

    cells = None
    if a.cells:
        cells = []
        for text in a.cells:
            name, _, scales = text.partition(":")
            parts = scales.split(",") if scales else []
            if not parts or not all(s in ("2", "3", "4") for s in parts) or name not in BENCHMARKS:
                print(f"error: --cells takes SET:SCALES with SET one of {', '.join(BENCHMARKS)} and "
                      f"scales from 2, 3, 4, e.g. Set5:2,3,4 (got {text!r})", file=sys.stderr)
                return 2
            cells.append((name, tuple(int(s) for s in parts)))
    command = (f"python -m vdsr_lib official --models {' '.join(a.models)} --protocols {' '.join(a.protocols)}"
               + (f" --cells {' '.join(a.cells)}" if a.cells else "") + f" --jobs {a.jobs}"
               + (f" --json {a.json}" if a.json else ""))
    table = score_table(tuple(a.models), tuple(a.protocols), tuple(cells) if cells else None, jobs=a.jobs,
                        out=a.json, command=command, merge=tuple(a.merge or ()), measure=not a.merge_only)
    print(f"{len(table['models'])} model(s); {table['wall_time_s']} s" + (f"; wrote {a.json}" if a.json else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .datasets import BENCHMARKS
    from .experiments import BUDGETS, EXPERIMENTS

    parser = _Parser(prog="python -m vdsr_lib", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    _add_train(sub)

    p = sub.add_parser("evaluate", help="PSNR/SSIM table on the benchmark sets")
    p.add_argument("--model", default="bicubic",
                   help="bicubic | pretrained | official (the authors' weights) | CHECKPOINT (.safetensors or run folder)")
    p.add_argument("--datasets", nargs="+", default=["Set5", "Set14", "B100", "Urban100"], choices=BENCHMARKS,
                   metavar="DATASET", help=f"benchmark sets to score: {', '.join(BENCHMARKS)}")
    p.add_argument("--scales", nargs="+", type=_positive_int, default=[2, 3, 4], help="upscaling factors")
    p.add_argument("--protocol", default="paper", choices=["paper", "selfexsr"],
                   help="how LR images are made: paper = the authors' test code (the HR luminance is shrunk, "
                        "in floating point); selfexsr = the SelfExSR benchmark's (the 8-bit RGB image is)")
    p.add_argument("--json", default=None,
                   help="also write {dataset: {scale: {psnr, ssim, seconds, protocol}}} here")
    p.add_argument("--per-image", action="store_true", help="include every image's scores in the JSON")
    p.add_argument("--limit", type=_positive_int, default=None, help="only the first N images of each set")
    _memory_format_option(p)
    p.add_argument("--data", default=None, help="data folder (default: $VDSR_DATA, else the download cache)")
    p.add_argument("--stand-ins", action="store_true", help=STAND_IN_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress output")

    p = sub.add_parser("official", help="per-image Table 3 of the authors' network and the shipped main model "
                                        "(vdsr_lib/results/official.json)")
    p.add_argument("--models", nargs="+", default=["official", "ours"], choices=["official", "ours", "bicubic"],
                   help="official: the authors' network; ours: the shipped main model; bicubic: the baseline")
    p.add_argument("--protocols", nargs="+", default=["paper"], choices=["paper", "selfexsr", "paper-u8"],
                   help="paper | selfexsr (vdsr_lib.degrade) | paper-u8 (the paper's, LR luminance rounded to 8 bits)")
    p.add_argument("--cells", nargs="+", default=None, metavar="SET:SCALES",
                   help="e.g. Set5:2,3,4 Urban100-half:2 (default: the 12 cells of Table 3)")
    p.add_argument("--jobs", type=_positive_int, default=1, help="cells at a time (each on one thread)")
    p.add_argument("--json", default=None, help="write the per-image table here (after every cell); the cells "
                                                "it already holds are kept (an interrupted run resumes)")
    p.add_argument("--merge", nargs="+", default=None, metavar="JSON",
                   help="also keep the cells of these tables (parts measured by other runs of this command)")
    p.add_argument("--merge-only", action="store_true", help="write the merged table, measure nothing")

    p = sub.add_parser("upscale", help="upscale one image file")
    p.add_argument("input", help="image file to upscale (PNG, JPEG, BMP, TIFF, WebP)")
    p.add_argument("output", help="image file to write (its extension picks the format: .png, .jpg, ...)")
    p.add_argument("--scale", type=int, required=True, choices=range(2, 9), metavar="{2,...,8}",
                   help="upscaling factor, 2 to 8 (the shipped model is trained for 2, 3 and 4)")
    p.add_argument("--model", default="pretrained", help="pretrained | bicubic | official | CHECKPOINT")
    p.add_argument("--tile", type=_tile, default=512, help="tile size in pixels (bounded memory); 0 = whole image")
    p.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"],
                   help="the network's precision: auto = the faster one here (measured once, cached); bf16 is "
                        "within a grey level or two of fp32")
    _memory_format_option(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("bench", help="training and inference throughput; JSON on the last line")
    p.add_argument("--seconds", type=_positive_float, default=20.0, help="time per measurement")
    p.add_argument("--batch", type=_positive_int, default=64, help="patches per training step")
    p.add_argument("--depth", type=_positive_int, default=20, help="weight layers of the network measured")

    p = sub.add_parser("reproduce", help="re-run a reference experiment (resumable)")
    p.add_argument("experiment", choices=[*EXPERIMENTS, "all"], help="the experiment to run (all: every one)")
    p.add_argument("--budget", default="full", choices=list(BUDGETS),
                   help="quick: minutes (CI); cpu: one sitting on a 2-core CPU; quarter: clipping only, a quarter "
                        "of the paper's schedule on a CPU; long: main only, several "
                        "sittings on a 2-core CPU; full: the paper's schedule; extended: main only, four "
                        "times the paper's schedule (a GPU)")
    p.add_argument("--out", default="runs", help="runs folder (resumed)")
    p.add_argument("--max-minutes", type=_positive_float, default=None, help="stop after this long; rerun to resume")
    p.add_argument("--ship", action="store_true", help="when finished, write vdsr_lib/results and pretrained files")
    p.add_argument("--ship-partial", action="store_true",
                   help="train nothing; ship the runs in --out as they stand, labelled as stopped early where they "
                        "are (for runs cut off by a time limit; not for main)")
    p.add_argument("--runs", nargs="+", default=None, metavar="RUN",
                   help="train only these runs of the experiment (e.g. depth10; one process per run)")
    p.add_argument("--remeasure", default=None, choices=["paper", "selfexsr"],
                   help="main only: train nothing; measure the shipped model's Table 3 again under this "
                        "protocol and store it in its metadata")
    p.add_argument("--jobs", type=_positive_int, default=1, help="worker processes for the shipped model's benchmark")
    p.add_argument("--data", default=None, help="data folder (default: $VDSR_DATA, else the download cache)")
    p.add_argument("--stand-ins", action="store_true", help=STAND_IN_HELP + "; such runs are never shipped")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    for p in sub.choices.values():
        p.formatter_class = _DefaultsFormatter
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    fmt = getattr(args, "memory_format", "auto")
    if fmt != "auto":  # vdsr_lib.speed reads it wherever a memory format is picked; set back after the command
        saved = os.environ.get("VDSR_MEMORY_FORMAT")
        os.environ["VDSR_MEMORY_FORMAT"] = fmt
        try:
            return _run(args)
        finally:
            if saved is None:
                os.environ.pop("VDSR_MEMORY_FORMAT", None)
            else:
                os.environ["VDSR_MEMORY_FORMAT"] = saved
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    if getattr(args, "tile", None) == 0:
        args.tile = None
    command = {"train": _cmd_train, "evaluate": _cmd_evaluate, "upscale": _cmd_upscale,
               "bench": _cmd_bench, "reproduce": _cmd_reproduce, "official": _cmd_official}[args.command]
    try:
        return command(args)
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except MemoryError:  # also torch's "CUDA out of memory" (torch.OutOfMemoryError, below)
        print("error: out of memory; upscale with a smaller --tile, train with a smaller --batch or --patch",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: one line, the traceback on request
        if os.environ.get("VDSR_DEBUG"):
            raise
        if type(err).__name__ == "OutOfMemoryError":
            print(f"error: out of memory on the GPU; upscale with a smaller --tile, train with a smaller --batch "
                  f"or --patch", file=sys.stderr)
            return 2
        text = str(err).strip().splitlines()
        print(f"error: {type(err).__name__}: {text[0] if text else ''} (unexpected: please report it; "
              f"set VDSR_DEBUG=1 to see the traceback)", file=sys.stderr)
        return 1
