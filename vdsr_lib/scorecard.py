"""The paper's five claims against this book's shipped results: one row per claim, with a verdict.

Every number comes from the shipped summaries (:func:`vdsr_lib.experiments.load_results`) and the
shipped main model's metadata; the paper's numbers from :mod:`vdsr_lib.benchmark`. A verdict is
``"holds"``, ``"partly"`` or ``"not reproduced"``, by the rule stated in each function and carried, in
words, in the row's ``rule`` (the word *rule* means only that here: the ways of clipping a gradient
are *methods*); differences under ``MARGIN`` are not told apart (one seed per run). The
verdicts read the unrounded numbers; a difference printed in a row is the difference of the rounded
numbers it is made of (``PLACES`` decimals), so it agrees with them wherever they are shown. A
new row is one more function that reads shipped results and returns a :class:`Claim`, added to
:func:`claims`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .benchmark import PAPER_TABLE2, PAPER_TABLE3, cell_name, paper_cell
from .experiments import split_seed_repeats
from .report import seconds_text, signed

__all__ = ["MARGIN", "Claim", "claims", "residual_claim", "clipping_claim", "depth_claim", "scales_claim",
           "benchmark_claim", "official_claim", "OFFICIAL_TOL", "budget_text", "hardware_text", "runs_recipe",
           "recipe_text", "short_hardware", "test_set_text", "residual_evidence", "BUDGET_MEANING",
           "budget_legend", "PLACES", "time_text", "depth_evidence", "shared_run", "seed_evidence",
           "margin_evidence", "PROTOCOL_ORDER", "protocol_text", "official_misses"]

MARGIN = 0.1  # dB: what one training seed cannot tell apart
PLACES = 2  # decimals of a PSNR in a row; printed differences are taken between numbers rounded to these
HOLDS, PARTLY, NOT = "holds", "partly", "not reproduced"
OFFICIAL_TOL = 0.02  # dB: the paper prints two decimals; the authors' own weights should land within this
# Fig. 4 of the paper (Set5 x2, depth 10, lr 0.1, after 10 epochs)
PAPER_FIG4 = {"residual": 36.90, "image": 27.42}

#: Every budget name the book uses (``vdsr_lib.experiments.BUDGETS``, the chapters' ``VDSR_BUDGET``)
#: and the label ``partial``, each in the words of the glossary's *Budget* entry.
BUDGET_MEANING: dict[str, str] = {
    "quick": "a few minutes per chapter on a laptop CPU, the chapters' live cells",
    "cpu": "a reference run that fits one sitting on a 2-core CPU, 1% to 10% of the paper's schedule",
    "quarter": "a quarter of the paper's schedule (2,500 iterations of 64), on a CPU, for chapter 4's "
               "clipping runs only",
    "long": "for the main model only, 30% of the paper's schedule over several sittings on a 2-core CPU",
    "full": "the paper's schedule, 80 epochs of 125 iterations of 64 patches (10,000 iterations; the "
            "paper states 9,960), on a GPU",
    "extended": "for the main model only, four times the paper's schedule, on a GPU",
    "partial": "a label, not a budget, for runs that a time limit stopped before their schedule ended; "
               "they are read up to where they got",
}

#: The order a run's test pairs were made in (its configuration's ``protocol``), in the glossary's words.
PROTOCOL_ORDER = {"paper": "the paper's order", "selfexsr": "SelfExSR's order"}


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
    rule: str       # the rule that gave the verdict, in words: "holds if ...; partly if ...; else ..."
    test_set: str = ""  # what our number was measured on, e.g. "Set5 at x2"
    command: str = ""   # the command that reproduces our number
    took: str = ""      # how long the runs took, as recorded: "5 min 40 s of wall time ..."


def _val(history: Mapping[str, Any], scale: int | str, epoch: int | None = None) -> float:
    """Validation PSNR of a run at ``scale``: at ``epoch`` (its last one when None)."""
    vals = [e for e in history["epochs"] if str(scale) in e.get("val_psnr", {})
            and (epoch is None or e["epoch"] == epoch)]
    if not vals or history.get("diverged"):
        return float("nan")
    return float(vals[-1]["val_psnr"][str(scale)])


def _r(x: float) -> float:
    """``x`` rounded as a row prints it (``PLACES`` decimals): differences are taken between these."""
    return round(x, PLACES)


def short_hardware(text: str) -> str:
    """``"NVIDIA H100 80GB HBM3 (CUDA)"`` -> ``"NVIDIA H100"``; ``"Intel(R) Xeon(R) Processor, 2
    threads"`` -> ``"Intel Xeon Processor, 2 threads"`` (CPU strings keep their thread count)."""
    return re.sub(r"\s+\d+GB.*$", "", text.split(" (")[0]).replace("(R)", "").replace("(TM)", "")


def test_set_text(results: Mapping[str, Any]) -> str:
    """What the runs of a summary were validated on: ``"Set5 at x2"``, ``"Set5 at x2, x3 and x4"``."""
    cfgs = [h["config"] for h in results["runs"].values()]
    sets = sorted({c.get("val_set", "Set5") for c in cfgs})
    scales = sorted({int(s) for c in cfgs for s in (c.get("val_scales") or c.get("scales") or ())})
    return "/".join(sets) + (f" at {_and([f'x{s}' for s in scales])}" if scales else "")


def _and(items: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def protocol_text(results: Mapping[str, Any]) -> str:
    """The order the test pairs of a summary's runs were made in, from their configurations'
    ``protocol``: ``"the paper's order"``, ``"SelfExSR's order"`` (bicubic differs by hundredths of a dB)."""
    protocols = sorted({h["config"].get("protocol", "selfexsr") for h in results["runs"].values()})
    return " and ".join(PROTOCOL_ORDER.get(p, p) for p in protocols)


def recipe_text(cfg: Mapping[str, Any]) -> str:
    """``"SGD with adjustable clipping, 91 images"`` or ``"Adam with cosine decay, 291 images"``: the
    optimiser (chapter 5 says why the book's own runs use Adam) and the training set of a run."""
    if cfg.get("optimizer") == "adam":
        recipe = "Adam with " + ("cosine decay" if cfg.get("schedule") == "cosine" else "step decay")
    else:
        recipe = "SGD" + (f" with {cfg['clip']} clipping" if cfg.get("clip", "none") != "none" else "")
    images = {"T91": "91", "291": "291"}.get(str(cfg.get("train_set")), str(cfg.get("train_set", "?")))
    return f"{recipe}, {images} images"


def budget_text(results: Mapping[str, Any]) -> str:
    """How long the runs of a shipped summary trained: ``"full budget: 10,000 iterations of 64"``, or
    for runs that stopped before their schedule ended ``"partial: stopped at 5,375-5,500 of the full
    budget's 10,000 iterations of 64; the schedule was not finished (the results do not record what
    stopped it)"``; a reason recorded in the summary (``"stopped_by"``) is said instead: ``"...
    iterations of 64, by the end of the lent GPU's device time"``."""
    runs = list(results["runs"].values())
    cfg = runs[0]["config"]
    iters = cfg["epochs"] * cfg["iters_per_epoch"]
    if results.get("partial"):
        done = sorted({h["epochs"][-1]["step"] if h["epochs"] else 0 for h in runs})
        at = f"{done[0]:,}" + (f"-{done[-1]:,}" if len(done) > 1 else "")
        done_text = (f"partial: stopped at {at} of the {results['budget']} budget's {iters:,} iterations of "
                     f"{cfg['batch']}")
        if results.get("stopped_by"):
            return f"{done_text}, by {results['stopped_by']}"
        return f"{done_text}; the schedule was not finished (the results do not record what stopped it)"
    return f"{results['budget']} budget: {iters:,} iterations of {cfg['batch']}"


def _time_range(times: list[float]) -> str:
    lo, hi = seconds_text(min(times)), seconds_text(max(times))
    return lo if lo == hi else f"{lo} to {hi}"


def time_text(results: Mapping[str, Any]) -> str:
    """How long the runs of a summary took, from the wall times their histories record
    (``wall_time_s``): ``"5 min 44 s of wall time"`` for one run, ``"4 min 03 s to 5 min 44 s of
    wall time per run, 19 min summed over the 4 runs"`` for several. A run that stopped before its
    first epoch ended has no time recorded, and the text says so; so does it for process (CPU) time,
    which is given where a history records it (``process_time_s``)."""
    runs = results["runs"]
    timed = {r: h["wall_time_s"] for r, h in runs.items() if h.get("epochs") and h.get("wall_time_s")}
    untimed = [r for r in runs if r not in timed]
    if not timed:
        return "wall time not recorded"
    times = list(timed.values())
    text = f"{_time_range(times)} of wall time" + (
        f" per run, {seconds_text(sum(times))} summed over the {len(times)} runs" if len(times) > 1 else "")
    if untimed:
        why = {r: "it diverged before its first epoch ended" if runs[r].get("diverged") else "no epoch ended"
               for r in untimed}
        text += "; not recorded for " + ", ".join(f'run "{r}" ({w})' for r, w in why.items())
    cpu = [h["process_time_s"] for h in runs.values() if h.get("process_time_s")]
    text += f"; {_time_range(cpu)} of process time" + (" per run" if len(cpu) > 1 else "") if cpu else \
        "; process time not recorded"
    return text


def hardware_text(results: Mapping[str, Any]) -> str:
    """The machines the runs of a summary trained on, shortened (``"NVIDIA H100"``); one CPU run with
    different thread counts reads ``"Intel Xeon Processor, 1 or 2 threads"``."""
    by_name: dict[str, set[int]] = {}
    for h in results["runs"].values():
        name = short_hardware(h.get("hardware", "?"))
        m = re.fullmatch(r"(.*), (\d+) threads?", name)
        by_name.setdefault(m.group(1) if m else name, set()).update({int(m.group(2))} if m else set())
    out = []
    for name, threads in sorted(by_name.items()):
        n = sorted(threads)
        if n:
            name += ", " + (" or ".join(map(str, n))) + (" thread" if n == [1] else " threads")
        out.append(name)
    return "/".join(out)


def runs_recipe(results: Mapping[str, Any]) -> str:
    """The recipe of a summary's runs; for a grid of recipes (the clipping ablation) only the
    training images, since the recipe is what the row compares."""
    recipes = {recipe_text(h["config"]) for h in results["runs"].values()}
    if len(recipes) == 1:
        return recipes.pop()
    images = {r.rsplit(", ", 1)[1] for r in recipes}
    return f"a grid of recipes, {images.pop()}" if len(images) == 1 else "a grid of recipes"


def budget_legend(rows: list[Claim]) -> str:
    """The budget names the rows use, each with its meaning (``BUDGET_MEANING``), as one Markdown
    sentence: ``"*full*: the paper's schedule ...; *partial*: not a budget but ..."``."""
    used = [b for b in BUDGET_MEANING if any(re.search(rf"\b{b}\b", c.budget) for c in rows)]
    return "; ".join(f"*{b}*: {BUDGET_MEANING[b]}" for b in used)


def _row(key: str, chapter: str, claim: str, paper: str, ours: str, detail: str,
         results: Mapping[str, Any], verdict: str, rule: str) -> Claim:
    return Claim(key, chapter, claim, paper, ours, detail, budget_text(results), hardware_text(results),
                 runs_recipe(results), verdict, rule, test_set_text(results), str(results.get("command", "")),
                 time_text(results))


def residual_evidence(results: Mapping[str, Any]) -> tuple[int, list[tuple[str, float, float, float, float]]]:
    """What the residual rule reads: the last epoch all runs reached, and per learning rate (highest
    first) the residual and the image network's Set5 x2 PSNR after 10 epochs and at that epoch,
    ``(lr, residual@10, image@10, residual@last, image@last)``, rounded as the rows print them."""
    runs = results["runs"]
    lrs = sorted({k.split("_lr")[1] for k in runs}, key=float, reverse=True)
    common = min(h["epochs"][-1]["epoch"] if h["epochs"] else 0 for h in runs.values())
    return common, [(lr, *(_r(_val(runs[f"{kind}_lr{lr}"], 2, ep)) for ep in (10, common)
                           for kind in ("residual", "image"))) for lr in lrs]


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
    _, rows = residual_evidence(results)
    shown = lambda i, j: "/".join(f"{r[i] - r[j]:.2f}" for r in rows)  # noqa: E731
    return _row("residual", "03_residual", "residual learning converges far faster",
                f"{PAPER_FIG4['residual']:.2f} vs {PAPER_FIG4['image']:.2f} dB (residual vs image, lr 0.1, "
                "10 epochs, Set5 x2)",
                f"{res:.2f} vs {img:.2f} dB",
                f"residual ahead after 10 epochs by {shown(1, 2)} dB at lr {'/'.join(lrs)}; at epoch {common}, "
                f"the last all runs reached, by {shown(3, 4)} dB",
                results, verdict,
                "holds if the residual network is ahead by more than 1 dB at every lr after 10 epochs and "
                f"still ahead (by more than {MARGIN:.1f} dB) at the last epoch all runs reached; partly if "
                "ahead by more than 1 dB after 10 epochs at some lr; else not reproduced")


def _method(run: str | None) -> str:
    """A clipping ablation's run name in words: ``"value"`` -> ``"value clipping"``,
    ``"adjustable_theta1e-05"`` -> ``"adjustable clipping at θ 1e-05"``, ``"adam"`` -> ``"Adam"``."""
    if run is None:
        return "none"
    if run == "adam":
        return "Adam"
    name, _, theta = run.partition("_theta")
    return f"{name.replace('_', ' ')} clipping" + (f" at θ {theta}" if theta else "")


def clipping_claim(results: Mapping[str, Any]) -> Claim:
    """lr 0.1 becomes usable with adjustable clipping. The evidence: SGD at lr 0.1 diverges without
    clipping, and with adjustable clipping ends above bicubic by more than ``MARGIN`` and below no
    other method of the ablation by more than ``MARGIN``. Shown at the paper's budget it holds; shown
    only at a smaller budget (or on runs stopped early) it holds partly; else not reproduced."""
    runs, _ = split_seed_repeats(results["runs"])  # a method's repeats with other seeds are not methods
    adj, bic = _val(runs["adjustable"], 2), float(runs["adjustable"]["bicubic_psnr"]["2"])
    none = runs["none"]
    others = {name: _val(h, 2) for name, h in runs.items() if name not in ("none", "adjustable")}
    best_name = max((n for n, v in others.items() if v == v), key=others.get, default=None)
    best_other = others[best_name] if best_name else float("-inf")
    shown = bool(none["diverged"]) and adj > bic + MARGIN and adj >= best_other - MARGIN
    full = results["budget"] == "full" and not results.get("partial")
    verdict = (HOLDS if full else PARTLY) if shown else NOT
    step = none.get("divergence_step")
    diverged = "diverged" + (f" at step {step}" if step is not None else "") if none["diverged"] else \
        f"{_val(none, 2):.2f} dB"
    theta = runs["adjustable"]["config"].get("theta")
    kind = (best_name or "").split("_")[0]
    with_what = f"clipping, adjustable or {kind}" if kind in ("value", "norm") else \
        f"adjustable clipping as with {_method(best_name)}"
    level = (f", level with adjustable clipping (within {MARGIN:.1f} dB): lr 0.1 trains with {with_what}"
             if best_name and abs(adj - best_other) <= MARGIN else "")
    return _row("clipping", "04_clipping", "lr 0.1 is usable with adjustable gradient clipping",
                "trains at lr 0.1 (its threshold θ not given; no numbers for the ablation)",
                f"{adj:.2f} dB with adjustable clipping" + (f" at θ {theta:g}" if theta is not None else "")
                + f" (bicubic {bic:.2f} dB, test pairs made in {protocol_text(results)})",
                f"no clipping {diverged}; the best other method, {_method(best_name)}, {best_other:.2f} dB" + level,
                results, verdict,
                "holds if at the paper's full budget lr 0.1 diverges without clipping while adjustable "
                f"clipping beats bicubic and is within {MARGIN:.1f} dB of the best method; partly if the same "
                "holds at a smaller budget; else not reproduced")


def depth_evidence(results: Mapping[str, Any]) -> tuple[list[int], dict[int, list[float]], dict[int, float]]:
    """What the depth rule reads: the depths (shallowest first), each depth's last Set5 PSNR at x2, x3
    and x4 (``{scale: [psnr per depth]}``) and bicubic's (``{scale: psnr}``), rounded as the rows
    print them."""
    runs = results["runs"]
    names = sorted(runs, key=lambda r: runs[r]["config"]["depth"])
    bicubic = runs[names[0]].get("bicubic_psnr", {})
    return ([runs[r]["config"]["depth"] for r in names],
            {s: [_r(_val(runs[r], s)) for r in names] for s in (2, 3, 4)},
            {s: _r(float(bicubic[str(s)])) for s in (2, 3, 4) if str(s) in bicubic})


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
    over = lambda i: "/".join(signed(_r(v[-1]) - _r(v[i])) for v in psnr.values())  # noqa: E731
    return _row("depth", "05_depth", "deeper is better (5 to 20 layers)",
                "PSNR rises with depth on Set5 at x2, x3 and x4 (Fig. 3; no numbers in the text)",
                f"{'/'.join(f'{p:.2f}' for p in psnr[2])} dB at x2",
                f"depths {'/'.join(names)}; depth {names[-1]} over {names[0]}: {over(0)} dB at "
                f"x2/x3/x4, over {names[second]}: {over(second)} dB",
                results, verdict,
                f"holds if at every scale no depth falls more than {MARGIN:.1f} dB below a shallower one and "
                f"depth {names[-1]} beats depth {names[second]} by more than {MARGIN:.1f} dB; partly if only "
                f"depth {names[-1]} beats depth {names[0]} (by more than {MARGIN:.1f} dB at every scale); "
                "else not reproduced")


def scales_claim(results: Mapping[str, Any]) -> Claim:
    """One network serves x2, x3 and x4 at no cost. Holds if the {2,3,4} network is within ``MARGIN``
    of (or above) each single-scale network at its scale; partly if it beats bicubic by more than
    ``MARGIN`` at every scale and is within ``MARGIN`` of the specialist at one scale at least; else
    not reproduced. Runs stopped early hold at most partly. Why: the paper's claim is that one network
    serves all three scales without loss, so *holds* asks for no loss at any scale; *partly* asks that
    it serve every scale (better than bicubic) and be without loss at one scale at least."""
    runs = results["runs"]
    multi = runs["x234"]
    deficit = {s: _val(multi, s) - _val(runs[f"x{s}"], s) for s in (2, 3, 4)}
    paper = {s: PAPER_TABLE2["x234"][s] - PAPER_TABLE2[f"x{s}"][s] for s in (2, 3, 4)}
    above = all(_val(multi, s) > float(multi["bicubic_psnr"][str(s)]) + MARGIN for s in (2, 3, 4))
    level = [d >= -MARGIN for d in deficit.values()]
    verdict = HOLDS if all(level) else PARTLY if above and any(level) else NOT
    if verdict == HOLDS and results.get("partial"):
        verdict = PARTLY
    signs = lambda d: "/".join(signed(v) for v in d.values())  # noqa: E731
    shown = {s: _r(_val(multi, s)) - _r(_val(runs[f"x{s}"], s)) for s in (2, 3, 4)}
    at = [f"x{s}" for s, ok in zip((2, 3, 4), level) if ok]
    level_text = (f"; level with its specialist (within {MARGIN:.1f} dB) at {_and(at)}"
                  + (" only" if len(at) < 3 else "")) if at else ""
    return _row("scales", "06_multiscale", "one network trained on {2,3,4} serves all three scales",
                f"{signs(paper)} dB at x2/x3/x4 ({{2,3,4}} minus single-scale, Set5, the paper's Table 2)",
                f"{signs(shown)} dB",
                "{2,3,4} network: " + "/".join(f"{_val(multi, s):.2f}" for s in (2, 3, 4))
                + " dB, each single-scale network at its own scale: "
                + "/".join(f"{_val(runs[f'x{s}'], s):.2f}" for s in (2, 3, 4)) + " dB (x2/x3/x4)" + level_text,
                results, verdict,
                f"holds if the {{2,3,4}} network is within {MARGIN:.1f} dB of every specialist at its scale (the "
                "paper's claim: one network for all three scales, without loss); partly if it beats bicubic by "
                f"more than {MARGIN:.1f} dB at every scale and is within {MARGIN:.1f} dB of one specialist (it "
                "serves all three, and without loss at one); else not reproduced")


def _paper_name(ds: str) -> str:
    return "Urban100" if ds == "Urban100-half" else ds


def _paper_cell(method: str, ds: str, s: int, full_x2: bool) -> tuple | None:
    """The paper's (PSNR, SSIM) of ``method`` for our cell (``ds``, ``s``), or None. With the full-size
    Urban100 x2 measured (``full_x2``), each method on its own set (:func:`benchmark.paper_cell`); without
    it the half-size cell stands for all of them."""
    if full_x2:
        return paper_cell(method, ds, s)
    return PAPER_TABLE3[method].get(_paper_name(ds), {}).get(s)


def _paper_cells() -> int:
    """How many cells of the paper's Table 3 have a VDSR number: 11 (no Urban100 x3)."""
    return sum(1 for row in PAPER_TABLE3["VDSR"].values() for v in row.values() if v)


def _missing_cells() -> str:
    """The cells of Table 3 without a VDSR number, for the rows' text: ``"Urban100 x3"``."""
    return ", ".join(f"{ds} x{s}" for ds, row in PAPER_TABLE3["VDSR"].items() for s, v in row.items() if not v)


def _meta_time(meta: Mapping[str, Any], what: str) -> str:
    """The wall time a file's metadata records (``wall_time_s``), ``what`` it was for, or "not recorded"."""
    took = meta.get("wall_time_s")
    cpu = meta.get("process_time_s")
    return ((f"{seconds_text(took)} of wall time {what}" if took else "wall time not recorded")
            + (f"; {seconds_text(cpu)} of process time" if cpu else "; process time not recorded"))


def _model_names(results: Mapping[str, Any]) -> list[str]:
    """The networks an ``official`` results file scored, in words."""
    words = {"official": "the authors' network", "ours": "this book's", "bicubic": "bicubic"}
    return [words.get(m, m) for m in results.get("models", {})]


def _command(meta: Mapping[str, Any]) -> str:
    return str(meta.get("command", ""))


def benchmark_claim(meta: Mapping[str, Any], per_image: Mapping[str, Any] | None = None) -> Claim:
    """The benchmark table. Holds if every cell is within ``MARGIN`` of the paper's VDSR (or above);
    partly if every cell beats the paper's SRCNN by more than ``MARGIN`` (VDSR's claim to lead the
    earlier methods everywhere); else not reproduced. ``per_image``: ours in
    ``results/official.json`` (``{set: {scale: cell}}``); where it has the full-size Urban100 x2, the
    paper's VDSR there is compared with it (the paper's number is the full-size set's, chapter 8) and
    its SRCNN with the half-size cell."""
    table = meta["metrics"]["benchmark"]
    full_x2 = (per_image or {}).get("Urban100", {}).get("2")
    cells = [(ds, int(s), c["psnr"]) for ds, row in table.items() for s, c in row.items()]
    cells += [("Urban100", 2, full_x2["psnr"])] if full_x2 else []

    ref = lambda m, ds, s: _paper_cell(m, ds, s, bool(full_x2))  # noqa: E731
    rows = [(ds, s, p, ref("VDSR", ds, s)) for ds, s, p in cells if ref("VDSR", ds, s)]
    srcnn = [(ds, s, p, ref("SRCNN", ds, s)) for ds, s, p in cells if ref("SRCNN", ds, s)]
    within = all(p >= v[0] - MARGIN for _, _, p, v in rows)
    over_srcnn = sum(p > c[0] + MARGIN for _, _, p, c in srcnn)
    level = [(ds, s) for ds, s, p, c in srcnn if abs(p - c[0]) <= MARGIN]
    verdict = HOLDS if within else PARTLY if over_srcnn == len(srcnn) else NOT
    set5 = {s: p for ds, s, p, _ in rows if ds == "Set5"}
    gaps = [_r(p) - v[0] for _, _, p, v in rows]
    protocol = {c.get("protocol", "selfexsr") for row in table.values() for c in row.values()}
    recipe = meta.get("recipe", {})
    iters = recipe.get("epochs", 0) * recipe.get("iters_per_epoch", 0)
    sets = sorted({_paper_name(ds) for ds, *_ in rows}, key=list(PAPER_TABLE3["VDSR"]).index)
    scales = sorted({s for _, s, *_ in rows})
    level_text = (f", level with it (within {MARGIN:.1f} dB) in {len(level)}: "
                  + ", ".join(cell_name(*c) for c in level)) if level else ""
    if level and not within and over_srcnn + len(level) == len(srcnn):  # the level cells alone decide it
        level_text += ("; the verdict turns on " + ("that cell" if len(level) == 1 else "those cells")
                       + f" alone: had {'it' if len(level) == 1 else 'they'} beaten SRCNN by more than "
                       f"{MARGIN:.1f} dB, as the other {over_srcnn} do, the verdict would be partly")
    return Claim("benchmark", "07_benchmarks", "the benchmark table (Set5, Set14, B100, Urban100)",
                 "Set5 " + "/".join(f"{PAPER_TABLE3['VDSR']['Set5'][s][0]:.2f}" for s in (2, 3, 4))
                 + " dB at x2/x3/x4",
                 "Set5 " + "/".join(f"{set5[s]:.2f}" for s in (2, 3, 4)) + " dB",
                 f"{len(rows)} cells, {signed(min(gaps))} to {signed(max(gaps))} dB from the paper's VDSR; above "
                 f"its SRCNN in {over_srcnn}" + level_text + f"; {'/'.join(sorted(protocol))} protocol",
                 f"{meta.get('budget', '?')} budget: {iters:,} iterations of {recipe.get('batch', '?')}",
                 short_hardware(str(meta.get("hardware", "?"))), recipe_text(recipe), verdict,
                 f"holds if every cell is within {MARGIN:.1f} dB of the paper's VDSR; partly if every cell "
                 f"beats the paper's SRCNN by more than {MARGIN:.1f} dB; else not reproduced",
                 f"{_and(sets)} at {_and([f'x{s}' for s in scales])}"
                 + f": the {len(rows)} cells of the paper's Table 3 (it has no {_missing_cells()}; its "
                 + ("Urban100 x2 VDSR is the full-size set's, its SRCNN the half-size set's)" if full_x2
                    else "Urban100 x2 is on the half-size set)"),
                 _command(meta), _meta_time(meta, "to train the network"))


def official_misses(results: Mapping[str, Any], selfexsr: Mapping[str, Any] | None
                    ) -> dict[tuple[str, int], tuple[str, float]]:
    """Chapter 8's finding on each cell where the authors' network misses the paper by more than
    ``OFFICIAL_TOL`` and ``selfexsr`` (``results/official_selfexsr.json``) has it in SelfExSR's order:
    the image that order moves most, and the cell's distance to the paper (dB) with that image alone
    taken in SelfExSR's order, ``{(set, scale): (image, gap)}``. Empty without ``selfexsr``."""
    theirs = results["models"]["official"]["paper"]
    other = ((selfexsr or {}).get("models", {}).get("official", {}).get("selfexsr", {}))
    out = {}
    for ds, row in other.items():
        for s, sx in row.items():
            ref, ours = paper_cell("VDSR", ds, int(s)), theirs.get(ds, {}).get(s)
            if not ref or not ours or abs(ours["psnr"] - ref[0]) <= OFFICIAL_TOL:
                continue
            imgs = ours["images"]
            moved = {n: imgs[n][0] - sx["images"][n][0] for n in imgs}
            top = max(moved, key=moved.get)
            mixed = sum(sx["images"][n][0] if n == top else imgs[n][0] for n in imgs) / len(imgs)
            out[(ds, int(s))] = (top, mixed - ref[0])
    return out


def official_claim(results: Mapping[str, Any], selfexsr: Mapping[str, Any] | None = None) -> Claim:
    """The authors' weights, scored by this book (``vdsr_lib/results/official.json``): a check of the
    evaluation, not a claim of the paper. Holds if every measured cell with a paper number is within
    ``OFFICIAL_TOL`` of the paper's VDSR, partly if at least half are, else not reproduced. With
    ``selfexsr`` (the same network in SelfExSR's order), the row says what :func:`official_misses`
    finds."""
    theirs = results["models"]["official"]["paper"]
    # The paper's Urban100 x2 number is the full-size set's (chapter 8 shows it): the half-size cell
    # stands in for it only while the full-size one is not measured.
    full_x2 = "2" in theirs.get("Urban100", {})
    paper = {(ds, int(s)): _paper_cell("VDSR", ds, int(s), full_x2)[0]
             for ds, row in theirs.items() for s in row if _paper_cell("VDSR", ds, int(s), full_x2)}
    psnr = {(ds, int(s)): c["psnr"] for ds, row in theirs.items() for s, c in row.items()}
    gaps = {c: psnr[c] - v for c, v in paper.items()}
    n_paper = _paper_cells()
    within = sum(abs(g) <= OFFICIAL_TOL for g in gaps.values())
    verdict = HOLDS if within == len(gaps) else PARTLY if 2 * within >= len(gaps) else NOT
    worst = max(gaps, key=lambda c: abs(gaps[c]))
    measured = {_paper_name(ds) + f" x{s}" for ds, s in gaps}
    missing = [f"{ds} x{s}" for ds, row in PAPER_TABLE3["VDSR"].items() for s, v in row.items()
               if v and f"{ds} x{s}" not in measured]
    return Claim("official", "08_authors", "the authors' weights, scored by this book",
                 "Set5 " + "/".join(f"{PAPER_TABLE3['VDSR']['Set5'][s][0]:.2f}" for s in (2, 3, 4))
                 + f" dB at x2/x3/x4; {n_paper} cells in all (the paper's Table 3 has no {_missing_cells()})",
                 f"{within} of {len(gaps)} measured cells within {OFFICIAL_TOL} dB",
                 "Set5 " + "/".join(f"{theirs['Set5'][str(s)]['psnr']:.2f}" for s in (2, 3, 4)) + " dB"
                 + (f"; the farthest cell: {cell_name(*worst)}, {psnr[worst]:.2f} against the paper's "
                    f"{paper[worst]:.2f} dB" if within < len(gaps) else "")
                 + (f"; not measured: {', '.join(missing)}" if missing else "")
                 + _misses_text(official_misses(results, selfexsr), len(gaps) - within),
                 "no training: the authors' released network (VDSR_Official.mat), scored in fp32 under "
                 "the paper's protocol",
                 short_hardware(str(results.get("hardware", "?")).split(" of ", 1)[-1].split(",")[0]),
                 "the authors' own (SGD with adjustable clipping, 291 images)", verdict,
                 f"holds if every measured cell is within {OFFICIAL_TOL} dB of the paper's; partly if at least "
                 "half are; else not reproduced",
                 f"{len(gaps)} of the {n_paper} cells of the paper's Table 3 (Urban100 x2 on the "
                 + ("full-size set, where the paper's number belongs)" if full_x2 else "half-size set)"),
                 _command(results), _meta_time(results, "for the whole command, which scored "
                                               + _and(_model_names(results))))


def _misses_text(misses: Mapping[tuple[str, int], tuple[str, float]], n_missed: int) -> str:
    """The official row's words for :func:`official_misses`, when one image explains every miss."""
    images = {img for img, _ in misses.values()}
    if not misses or len(misses) != n_missed or len(images) != 1:
        return ""
    both = "both misses" if n_missed == 2 else f"all {n_missed} misses" if n_missed > 2 else "the miss"
    fixed = all(abs(g) <= OFFICIAL_TOL for _, g in misses.values())
    return (f"; chapter 8 traces {both} ({_and([cell_name(*c) for c in misses])}) to one image, "
            f"{images.pop()}, degraded the other way (SelfExSR's order): with it alone degraded so, "
            + ("they land " if len(misses) > 1 else "it lands ")
            + "/".join(signed(g, 3) for _, g in misses.values()) + " dB from the paper"
            + (f", within {OFFICIAL_TOL} dB, so the evaluation is the paper's" if fixed else ""))


def shared_run(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first run of summary ``a`` and run of summary ``b`` that are one training, by
    :func:`vdsr_lib.experiments.same_run` (the same configuration, seed included, and the same history
    at every epoch and stored step), as ``(a's run, b's run)``; None if no run is shared."""
    from .experiments import same_run

    for ra, ha in a["runs"].items():
        for rb, hb in b["runs"].items():
            diff, same = same_run(dict(ha), dict(hb))
            if same and not diff:
                return ra, rb
    return None


def seed_evidence(summaries: Mapping[str, Mapping[str, Any]]) -> tuple[int, list[int], float | None]:
    """What the shipped summaries (``{experiment: summary}``) say about ``MARGIN``: how many runs they
    hold, the seeds those runs used, and the largest spread (max - min, dB) of the last validation
    PSNR at any scale between runs whose configurations differ in the seed only; None where no
    configuration was trained with two seeds (the margin is then not measured)."""
    runs = [h for res in summaries.values() for h in res["runs"].values()]
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for h in runs:
        key = repr(sorted((k, repr(v)) for k, v in h["config"].items() if k not in ("seed", "device")))
        groups.setdefault(key, []).append(h)
    spreads = []
    for group in groups.values():
        if len({h["config"].get("seed") for h in group}) < 2:
            continue
        for s in {k for h in group for e in h["epochs"] for k in e.get("val_psnr", {})}:
            vals = [v for h in group for v in [_val(h, s)] if v == v]
            if len(vals) > 1:
                spreads.append(max(vals) - min(vals))
    seeds = sorted({int(h["config"].get("seed", 0)) for h in runs})
    return len(runs), seeds, (max(spreads) if spreads else None)


def margin_evidence(summaries: Mapping[str, Mapping[str, Any]]) -> str:
    """The margin's evidence in a sentence (no final full stop), from :func:`seed_evidence`: the
    measured spread between seeds, or that the shipped runs cannot show one (every configuration
    trained with one seed)."""
    n, seeds, spread = seed_evidence(summaries)
    if spread is not None:
        verdict = "within" if spread <= MARGIN else "larger than"
        return (f"Runs of one configuration trained with different seeds ended up to {spread:.2f} dB apart, "
                f"{verdict} the {MARGIN:.1f} dB margin")
    used = f"seed {seeds[0]}" if len(seeds) == 1 else "seeds " + _and([str(x) for x in seeds])
    each = ", ".join(f"{name} {len(res['runs'])}" for name, res in summaries.items())
    return (f"The margin is not measured: all {n} shipped runs ({each}) used {used} and no configuration was "
            "trained with a second seed, so the book has no spread between seeds at its reference "
            "budgets to set it by")


def claims() -> list[Claim]:
    """The five claims, from what is shipped (an experiment not shipped is left out), and the check of
    the evaluation on the authors' weights. Where the depth and the scales rows read one training
    (:func:`shared_run`), both say so."""
    from .experiments import load_results
    from .pretrained import load_pretrained

    out = []
    shipped = {}
    for name, fn in (("residual", residual_claim), ("clipping", clipping_claim), ("depth", depth_claim),
                     ("scales", scales_claim)):
        results = load_results(name)
        if results is not None:
            shipped[name] = results
            out.append(fn(results))
    if "depth" in shipped and "scales" in shipped:
        _note_shared(out, shipped["depth"], shipped["scales"])
    try:
        official = load_results("official") or {}
        ours = official.get("models", {}).get("ours", {}).get("paper")
        meta = load_pretrained().meta
        out.append(benchmark_claim(meta, ours))
    except FileNotFoundError:
        pass
    official = load_results("official")
    if official is not None:
        out.append(official_claim(official, load_results("official_selfexsr")))
    return out


def _note_shared(rows: list[Claim], depth: Mapping[str, Any], scales: Mapping[str, Any]) -> None:
    """Adds to the depth and scales rows' details that they share a run, if they do."""
    pair = shared_run(depth, scales)
    if pair is None:
        return
    d = depth["runs"][pair[0]]["config"]["depth"]
    x2 = _val(depth["runs"][pair[0]], 2)
    by_key = {c.key: c for c in rows}
    by_key["depth"].detail += (f"; the depth-{d} run is the next row's {{2,3,4}} network (one network trained "
                               "on x2, x3 and x4 together), one training "
                               f"(same configuration, seed and history), hence {x2:.2f} dB at x2 in both rows")
    by_key["scales"].detail += (f"; the {{2,3,4}} network is the depth row's depth-{d} run, one training "
                                f"(same configuration, seed and history), hence {x2:.2f} dB at x2 in both rows")
