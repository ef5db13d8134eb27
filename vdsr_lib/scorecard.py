"""The paper's five claims against this book's shipped results: one row per claim, with a verdict.

Every number comes from the shipped summaries (:func:`vdsr_lib.experiments.load_results`) and the
shipped main model's metadata; the paper's numbers from :mod:`vdsr_lib.benchmark`. A verdict is
``"holds"``, ``"partly"`` or ``"not reproduced"``, by the rule stated in each function and carried, in
words, in the row's ``rule``; differences under ``MARGIN`` are not told apart (one seed per run). A
new row is one more function that reads shipped results and returns a :class:`Claim`, added to
:func:`claims`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .benchmark import PAPER_TABLE2, PAPER_TABLE3

__all__ = ["MARGIN", "Claim", "claims", "residual_claim", "clipping_claim", "depth_claim", "scales_claim",
           "benchmark_claim", "official_claim", "OFFICIAL_TOL", "budget_text", "hardware_text", "runs_recipe",
           "recipe_text", "short_hardware"]

MARGIN = 0.1  # dB: what one training seed cannot tell apart
HOLDS, PARTLY, NOT = "holds", "partly", "not reproduced"
OFFICIAL_TOL = 0.02  # dB: the paper prints two decimals; the authors' own weights should land within this
# Fig. 4 of the paper (Set5 x2, depth 10, lr 0.1, after 10 epochs)
PAPER_FIG4 = {"residual": 36.90, "image": 27.42}


@dataclass
class Claim:
    """One row of the scorecard: each text field reads on its own, the number first."""

    key: str        # short name: residual, clipping, depth, scales, benchmark
    chapter: str    # the chapter's document name, e.g. "03_residual"
    claim: str      # the paper's claim, in a few words
    paper: str      # the paper's number(s)
    ours: str       # this book's headline number(s), short
    detail: str     # what else the rule reads, in a sentence
    budget: str     # how long the runs trained, saying "partial" for runs stopped early
    hardware: str   # where they trained
    recipe: str     # the optimiser and the training images
    verdict: str    # holds | partly | not reproduced
    rule: str       # the rule that gave the verdict, in words


def _val(history: Mapping[str, Any], scale: int | str, epoch: int | None = None) -> float:
    """Validation PSNR of a run at ``scale``: at ``epoch`` (its last one when None)."""
    vals = [e for e in history["epochs"] if str(scale) in e.get("val_psnr", {})
            and (epoch is None or e["epoch"] == epoch)]
    if not vals or history.get("diverged"):
        return float("nan")
    return float(vals[-1]["val_psnr"][str(scale)])


def short_hardware(text: str) -> str:
    """``"NVIDIA H100 80GB HBM3 (CUDA)"`` -> ``"NVIDIA H100"``; CPU strings keep their thread count."""
    return re.sub(r"\s+\d+GB.*$", "", text.split(" (")[0])


def recipe_text(cfg: Mapping[str, Any]) -> str:
    """``"SGD with adjustable clipping, 91 images"`` or ``"Adam with cosine decay, 291 images"``: the
    optimiser (chapter 5 says why the later chapters use Adam) and the training set of a run."""
    if cfg.get("optimizer") == "adam":
        recipe = "Adam with " + ("cosine decay" if cfg.get("schedule") == "cosine" else "step decay")
    else:
        recipe = "SGD" + (f" with {cfg['clip']} clipping" if cfg.get("clip", "none") != "none" else "")
    images = {"T91": "91", "291": "291"}.get(str(cfg.get("train_set")), str(cfg.get("train_set", "?")))
    return f"{recipe}, {images} images"


def budget_text(results: Mapping[str, Any]) -> str:
    """How long the runs of a shipped summary trained: ``"full budget: 10,000 iterations of 64"``, or
    for runs a time limit stopped ``"partial: stopped at 5,375-5,500 of the full budget's 10,000
    iterations of 64"``."""
    runs = list(results["runs"].values())
    cfg = runs[0]["config"]
    iters = cfg["epochs"] * cfg["iters_per_epoch"]
    if results.get("partial"):
        done = sorted({h["epochs"][-1]["step"] if h["epochs"] else 0 for h in runs})
        at = f"{done[0]:,}" + (f"-{done[-1]:,}" if len(done) > 1 else "")
        return f"partial: stopped at {at} of the {results['budget']} budget's {iters:,} iterations of {cfg['batch']}"
    return f"{results['budget']} budget: {iters:,} iterations of {cfg['batch']}"


def hardware_text(results: Mapping[str, Any]) -> str:
    """The machines the runs of a summary trained on, shortened (``"NVIDIA H100"``)."""
    return "/".join(sorted({short_hardware(h.get("hardware", "?")) for h in results["runs"].values()}))


def runs_recipe(results: Mapping[str, Any]) -> str:
    """The recipe of a summary's runs; for a grid of recipes (the clipping ablation) only the
    training images, since the recipe is what the row compares."""
    recipes = {recipe_text(h["config"]) for h in results["runs"].values()}
    if len(recipes) == 1:
        return recipes.pop()
    images = {r.rsplit(", ", 1)[1] for r in recipes}
    return f"a grid of recipes, {images.pop()}" if len(images) == 1 else "a grid of recipes"


def _row(key: str, chapter: str, claim: str, paper: str, ours: str, detail: str,
         results: Mapping[str, Any], verdict: str, rule: str) -> Claim:
    return Claim(key, chapter, claim, paper, ours, detail, budget_text(results), hardware_text(results),
                 runs_recipe(results), verdict, rule)


def residual_claim(results: Mapping[str, Any]) -> Claim:
    """Residual learning converges far faster. Holds if after the paper's 10 epochs the residual
    network beats the image network by more than 1 dB at every learning rate and still leads by more
    than ``MARGIN`` at every learning rate at the last epoch all runs reached; partly if it leads by
    more than 1 dB after 10 epochs at some learning rate; else not reproduced."""
    runs = results["runs"]
    lrs = sorted({k.split("_lr")[1] for k in runs}, key=float, reverse=True)
    common = min(h["epochs"][-1]["epoch"] if h["epochs"] else 0 for h in runs.values())
    gaps = {lr: _val(runs[f"residual_lr{lr}"], 2, 10) - _val(runs[f"image_lr{lr}"], 2, 10) for lr in lrs}
    late = {lr: _val(runs[f"residual_lr{lr}"], 2, common) - _val(runs[f"image_lr{lr}"], 2, common) for lr in lrs}
    wins = sum(g > 1.0 for g in gaps.values())
    lasting = all(g > MARGIN for g in late.values())
    verdict = HOLDS if wins == len(gaps) and lasting else PARTLY if wins else NOT
    res, img = _val(runs["residual_lr0.1"], 2, 10), _val(runs["image_lr0.1"], 2, 10)
    return _row("residual", "03_residual", "residual learning converges far faster",
                f"{PAPER_FIG4['residual']:.2f} vs {PAPER_FIG4['image']:.2f} dB (residual vs image, lr 0.1, "
                "10 epochs, Set5 x2)",
                f"{res:.2f} vs {img:.2f} dB",
                "residual ahead after 10 epochs by " + "/".join(f"{g:.1f}" for g in gaps.values())
                + f" dB at lr {'/'.join(lrs)}; at epoch {common} by "
                + "/".join(f"{g:.1f}" for g in late.values()) + " dB",
                results, verdict,
                "holds: ahead by more than 1 dB at every lr after 10 epochs, and still ahead at the last "
                "epoch all runs reached; partly: at some lr")


def clipping_claim(results: Mapping[str, Any]) -> Claim:
    """lr 0.1 becomes usable with adjustable clipping. The evidence: SGD at lr 0.1 diverges without
    clipping, and with adjustable clipping ends above bicubic by more than ``MARGIN`` and below no
    other rule of the ablation by more than ``MARGIN``. Shown at the paper's budget it holds; shown
    only at a smaller budget (or on runs stopped early) it holds partly; else not reproduced."""
    runs = results["runs"]
    adj, bic = _val(runs["adjustable"], 2), float(runs["adjustable"]["bicubic_psnr"]["2"])
    none = runs["none"]
    others = [_val(h, 2) for name, h in runs.items() if name not in ("none", "adjustable")]
    best_other = max([v for v in others if v == v], default=float("-inf"))
    shown = bool(none["diverged"]) and adj > bic + MARGIN and adj >= best_other - MARGIN
    full = results["budget"] == "full" and not results.get("partial")
    verdict = (HOLDS if full else PARTLY) if shown else NOT
    step = none.get("divergence_step")
    diverged = "diverged" + (f" at step {step}" if step is not None else "") if none["diverged"] else \
        f"{_val(none, 2):.2f} dB"
    return _row("clipping", "04_clipping", "lr 0.1 is usable with adjustable gradient clipping",
                "trains at lr 0.1 (its threshold theta not given; no numeric ablation)",
                f"{adj:.2f} dB with adjustable clipping (bicubic {bic:.2f} dB)",
                f"no clipping {diverged}; the best other rule {best_other:.2f} dB",
                results, verdict,
                "holds: at the paper's budget lr 0.1 diverges unclipped, and adjustable clipping beats "
                f"bicubic and is within {MARGIN:.1f} dB of the best rule; partly: the same at a smaller budget")


def depth_claim(results: Mapping[str, Any]) -> Claim:
    """Deeper is better. Holds if at x2, x3 and x4 no depth scores below a shallower one by more than
    ``MARGIN`` and the deepest network beats the second-shallowest (depth 10) by more than ``MARGIN``;
    partly if only the deepest beats the shallowest by more than ``MARGIN`` at every scale; else not
    reproduced. Runs stopped early hold at most partly."""
    runs = results["runs"]
    depths = sorted(runs, key=lambda r: runs[r]["config"]["depth"])
    scales = (2, 3, 4)
    psnr = {s: [_val(runs[d], s) for d in depths] for s in scales}
    gain = {s: v[-1] - v[0] for s, v in psnr.items()}
    monotone = all(b >= a - MARGIN for v in psnr.values() for a, b in zip(v, v[1:]))
    second = min(1, len(depths) - 2)  # depth 10 of 5/10/15/20: "deeper" must hold beyond it
    beyond = {s: v[-1] - v[second] for s, v in psnr.items()}
    deeper = all(g > MARGIN for g in gain.values())
    verdict = HOLDS if deeper and monotone and all(g > MARGIN for g in beyond.values()) else \
        PARTLY if deeper else NOT
    if verdict == HOLDS and results.get("partial"):
        verdict = PARTLY
    names = [str(runs[d]["config"]["depth"]) for d in depths]
    per_scale = lambda d: "/".join(f"{d[s]:+.2f}" for s in scales)  # noqa: E731
    return _row("depth", "05_depth", "deeper is better (5 to 20 layers)",
                "PSNR rises with depth at x2, x3 and x4 (Fig. 3; no numbers in the text)",
                f"{'/'.join(f'{p:.2f}' for p in psnr[2])} dB at x2",
                f"depths {'/'.join(names)}; depth {names[-1]} over {names[0]}: {per_scale(gain)} dB at "
                f"x2/x3/x4, over {names[second]}: {per_scale(beyond)} dB",
                results, verdict,
                f"holds: at every scale no depth falls more than {MARGIN:.1f} dB below a shallower one, and "
                f"{names[-1]} beats {names[second]} by more than {MARGIN:.1f} dB; "
                f"partly: only {names[-1]} beats {names[0]}")


def scales_claim(results: Mapping[str, Any]) -> Claim:
    """One network serves x2, x3 and x4 at no cost. Holds if the {2,3,4} network is within ``MARGIN``
    of (or above) each single-scale network at its scale; partly if it beats bicubic by more than
    ``MARGIN`` at every scale and is within ``MARGIN`` of the specialist at one scale at least; else
    not reproduced. Runs stopped early hold at most partly."""
    runs = results["runs"]
    multi = runs["x234"]
    deficit = {s: _val(multi, s) - _val(runs[f"x{s}"], s) for s in (2, 3, 4)}
    paper = {s: PAPER_TABLE2["x234"][s] - PAPER_TABLE2[f"x{s}"][s] for s in (2, 3, 4)}
    above = all(_val(multi, s) > float(multi["bicubic_psnr"][str(s)]) + MARGIN for s in (2, 3, 4))
    level = [d >= -MARGIN for d in deficit.values()]
    verdict = HOLDS if all(level) else PARTLY if above and any(level) else NOT
    if verdict == HOLDS and results.get("partial"):
        verdict = PARTLY
    signed = lambda d: "/".join(f"{v:+.2f}" for v in d.values())  # noqa: E731
    return _row("scales", "06_multiscale", "one network trained on {2,3,4} serves all three scales",
                f"{signed(paper)} dB at x2/x3/x4 ({{2,3,4}} minus single-scale, Table 2)",
                f"{signed(deficit)} dB",
                "{2,3,4} minus the single-scale network at its own scale, x2/x3/x4", results, verdict,
                f"holds: within {MARGIN:.1f} dB of every specialist; partly: above bicubic everywhere and "
                f"within {MARGIN:.1f} dB of one specialist")


def benchmark_claim(meta: Mapping[str, Any]) -> Claim:
    """The benchmark table. Holds if every cell is within ``MARGIN`` of the paper's VDSR (or above);
    partly if every cell beats the paper's SRCNN by more than ``MARGIN`` (VDSR's claim to lead the
    earlier methods everywhere); else not reproduced."""
    table = meta["metrics"]["benchmark"]
    cells = [(ds, int(s), c["psnr"]) for ds, row in table.items() for s, c in row.items()]
    paper_name = lambda ds: "Urban100" if ds == "Urban100-half" else ds  # noqa: E731
    rows = [(ds, s, p, PAPER_TABLE3["VDSR"][paper_name(ds)][s], PAPER_TABLE3["SRCNN"][paper_name(ds)][s])
            for ds, s, p in cells if PAPER_TABLE3["VDSR"].get(paper_name(ds), {}).get(s)]
    within = all(p >= v[0] - MARGIN for _, _, p, v, _ in rows)
    over_srcnn = sum(p > c[0] + MARGIN for _, _, p, _, c in rows)
    level = sum(abs(p - c[0]) <= MARGIN for _, _, p, _, c in rows)
    verdict = HOLDS if within else PARTLY if over_srcnn == len(rows) else NOT
    set5 = {s: p for ds, s, p, _, _ in rows if ds == "Set5"}
    gaps = [p - v[0] for _, _, p, v, _ in rows]
    protocol = {c.get("protocol", "selfexsr") for row in table.values() for c in row.values()}
    recipe = meta.get("recipe", {})
    iters = recipe.get("epochs", 0) * recipe.get("iters_per_epoch", 0)
    return Claim("benchmark", "07_benchmarks", "the benchmark table (Set5, Set14, B100, Urban100)",
                 "Set5 " + "/".join(f"{PAPER_TABLE3['VDSR']['Set5'][s][0]:.2f}" for s in (2, 3, 4))
                 + " dB at x2/x3/x4",
                 "Set5 " + "/".join(f"{set5[s]:.2f}" for s in (2, 3, 4)) + " dB",
                 f"{len(rows)} cells, {min(gaps):+.2f} to {max(gaps):+.2f} dB from the paper's VDSR; above its "
                 f"SRCNN in {over_srcnn}" + (f", level with it (within {MARGIN:.1f} dB) in {level}" if level else "")
                 + f" ({'/'.join(sorted(protocol))} protocol)",
                 f"{meta.get('budget', '?')} budget: {iters:,} iterations of {recipe.get('batch', '?')}",
                 short_hardware(str(meta.get("hardware", "?"))), recipe_text(recipe), verdict,
                 f"holds: every cell within {MARGIN:.1f} dB of the paper's VDSR; partly: every cell above "
                 f"the paper's SRCNN by more than {MARGIN:.1f} dB")


def official_claim(results: Mapping[str, Any]) -> Claim:
    """The authors' weights, scored by this book (``vdsr_lib/results/official.json``): a check of the
    evaluation, not a claim of the paper. Holds if every measured cell with a paper number is within
    ``OFFICIAL_TOL`` of the paper's VDSR, partly if at least half are, else not reproduced."""
    theirs = results["models"]["official"]["paper"]
    paper_name = lambda ds: "Urban100" if ds == "Urban100-half" else ds  # noqa: E731
    # The paper's Urban100 x2 number is the full-size set's (chapter 8 shows it): the half-size cell
    # stands in for it only while the full-size one is not measured.
    full_x2 = "2" in theirs.get("Urban100", {})
    gaps = {(ds, int(s)): c["psnr"] - PAPER_TABLE3["VDSR"][paper_name(ds)][int(s)][0]
            for ds, row in theirs.items() for s, c in row.items()
            if PAPER_TABLE3["VDSR"].get(paper_name(ds), {}).get(int(s)) and not (ds == "Urban100-half" and full_x2)}
    n_paper = sum(1 for row in PAPER_TABLE3["VDSR"].values() for v in row.values() if v)
    within = sum(abs(g) <= OFFICIAL_TOL for g in gaps.values())
    verdict = HOLDS if within == len(gaps) else PARTLY if 2 * within >= len(gaps) else NOT
    worst = max(gaps, key=lambda c: abs(gaps[c]))
    label = lambda c: f"{c[0].replace('-half', ' (half-size)')} x{c[1]}"  # noqa: E731
    return Claim("official", "08_authors", "the authors' weights, scored by this book",
                 "Set5 " + "/".join(f"{PAPER_TABLE3['VDSR']['Set5'][s][0]:.2f}" for s in (2, 3, 4))
                 + f" dB at x2/x3/x4 ({n_paper} cells with a number)",
                 f"{within} of {len(gaps)} measured cells within {OFFICIAL_TOL} dB",
                 "Set5 " + "/".join(f"{theirs['Set5'][str(s)]['psnr']:.2f}" for s in (2, 3, 4)) + " dB"
                 + (f"; the farthest cell {label(worst)} ({gaps[worst]:+.3f} dB)" if within < len(gaps) else "")
                 + (f"; {n_paper - len(gaps)} cells not measured yet" if len(gaps) < n_paper else ""),
                 "no training: the authors' VDSR_Official.mat, scored in fp32 under the paper's protocol",
                 short_hardware(str(results.get("hardware", "?")).split(" of ", 1)[-1].split(",")[0]),
                 "the authors' own (SGD with adjustable clipping, 291 images)", verdict,
                 f"holds: every measured cell within {OFFICIAL_TOL} dB of the paper; partly: at least half")


def claims() -> list[Claim]:
    """The five claims, from what is shipped (an experiment not shipped is left out), and the check of
    the evaluation on the authors' weights."""
    from .experiments import load_results
    from .pretrained import load_pretrained

    out = []
    for name, fn in (("residual", residual_claim), ("clipping", clipping_claim), ("depth", depth_claim),
                     ("scales", scales_claim)):
        results = load_results(name)
        if results is not None:
            out.append(fn(results))
    try:
        out.append(benchmark_claim(load_pretrained().meta))
    except FileNotFoundError:
        pass
    official = load_results("official")
    if official is not None:
        out.append(official_claim(official))
    return out
