"""vdsr_lib.scorecard: each verdict rule on made-up histories, and the shipped scorecard's rows."""
from __future__ import annotations

import copy

import pytest

from vdsr_lib import scorecard as S


def _run(vals: dict, epoch: int = 10, diverged: bool = False, depth: int = 10, bicubic: float = 30.0) -> dict:
    return {"config": {"depth": depth, "epochs": 80, "iters_per_epoch": 125, "batch": 64},
            "epochs": [] if diverged else [{"epoch": epoch, "step": 125 * epoch, "val_psnr": {str(k): v for k, v in vals.items()}}],
            "diverged": diverged, "hardware": "CPU (test)",
            "bicubic_psnr": {str(k): bicubic for k in (2, 3, 4)}}


def _summary(runs: dict, budget: str = "full", partial: bool = False) -> dict:
    return {"budget": budget, "runs": runs, **({"partial": True} if partial else {})}


def test_residual_verdicts():
    runs = {f"{kind}_lr{lr}": _run({2: v}) for lr in ("0.1", "0.01")
            for kind, v in (("residual", 36.0), ("image", 30.0))}
    assert S.residual_claim(_summary(runs)).verdict == "holds"
    runs["image_lr0.01"] = _run({2: 35.5})
    assert S.residual_claim(_summary(runs)).verdict == "partly"
    runs["image_lr0.1"] = _run({2: 36.5})
    claim = S.residual_claim(_summary(runs, partial=True))
    assert claim.verdict == "not reproduced"
    assert "(10,000 iterations of 64; stopped early at 1,250)" in claim.budget


def test_clipping_verdicts():
    runs = {"none": _run({}, diverged=True), "adjustable": _run({2: 31.0})}
    assert S.clipping_claim(_summary(runs, "full")).verdict == "holds"
    assert S.clipping_claim(_summary(runs, "cpu")).verdict == "partly"
    runs["adjustable"] = _run({2: 30.05})  # within the margin of bicubic
    assert S.clipping_claim(_summary(runs, "full")).verdict == "not reproduced"


def test_depth_verdicts():
    def runs(x2: list[float]) -> dict:
        return {f"depth{d}": _run({2: v, 3: v - 3, 4: v - 5}, depth=d) for d, v in zip((5, 10, 20), x2)}
    assert S.depth_claim(_summary(runs([35.0, 36.0, 36.05]))).verdict == "holds"
    assert S.depth_claim(_summary(runs([35.0, 36.5, 36.0]))).verdict == "partly"  # 20 < 10 by 0.5
    assert S.depth_claim(_summary(runs([35.0, 35.0, 35.05]))).verdict == "not reproduced"


def test_scales_verdicts():
    single = {f"x{s}": _run({s: 33.0}) for s in (2, 3, 4)}
    assert S.scales_claim(_summary({**single, "x234": _run({2: 32.95, 3: 33.0, 4: 33.2})})).verdict == "holds"
    assert S.scales_claim(_summary({**single, "x234": _run({2: 32.5, 3: 33.0, 4: 33.0})})).verdict == "partly"
    assert S.scales_claim(_summary({**single, "x234": _run({2: 30.0, 3: 33.0, 4: 33.0})})).verdict == \
        "not reproduced"


def test_benchmark_verdicts():
    paper = S.PAPER_TABLE3
    cell = lambda ds, s, d: {"psnr": paper[d][ds][s][0], "protocol": "paper"}  # noqa: E731
    meta = {"metrics": {"benchmark": {"Set5": {str(s): cell("Set5", s, "VDSR") for s in (2, 3, 4)}}},
            "recipe": {"epochs": 80, "iters_per_epoch": 125, "batch": 64}, "budget": "full", "hardware": "X"}
    assert S.benchmark_claim(meta).verdict == "holds"
    low = copy.deepcopy(meta)
    for s in (2, 3, 4):
        low["metrics"]["benchmark"]["Set5"][str(s)]["psnr"] = paper["SRCNN"]["Set5"][s][0] + 0.2
    claim = S.benchmark_claim(low)
    assert claim.verdict == "partly" and "(paper protocol)" in claim.ours
    low["metrics"]["benchmark"]["Set5"]["2"]["psnr"] = paper["SRCNN"]["Set5"][2][0] + 0.01
    claim = S.benchmark_claim(low)  # a tie with SRCNN is not counted as above it
    assert "above its SRCNN in 2 and level with it (within 0.1 dB) in 1" in claim.ours
    for s in (2, 3, 4):
        low["metrics"]["benchmark"]["Set5"][str(s)]["psnr"] = 30.0
    assert S.benchmark_claim(low).verdict == "not reproduced"


def test_official_verdicts():
    paper = S.PAPER_TABLE3["VDSR"]
    cell = lambda ds, s, d=0.0: {"psnr": paper[ds][s][0] + d}  # noqa: E731
    table = {"Set5": {str(s): cell("Set5", s, 0.01) for s in (2, 3, 4)},
             "Urban100-half": {"2": cell("Urban100", 2, -0.015)}, "Urban100": {"3": {"psnr": 27.0}}}
    res = {"models": {"official": {"paper": table}}, "hardware": "one thread per cell of CPU X, 2 threads"}
    claim = S.official_claim(res)  # Urban100 x3 has no paper number: not counted
    assert claim.verdict == "holds" and "4 of 4 measured cells within 0.02 dB" in claim.ours
    assert "7 not measured yet" in claim.ours and claim.budget.endswith("; CPU X")
    table["Set5"]["2"] = cell("Set5", 2, 0.03)
    claim = S.official_claim(res)
    assert claim.verdict == "partly" and "the farthest Set5 x2 (+0.030 dB)" in claim.ours
    for s in (3, 4):
        table["Set5"][str(s)] = cell("Set5", s, -0.05)
    assert S.official_claim(res).verdict == "not reproduced"  # 1 of 4


def test_recipe_text_names_the_optimiser_and_the_images():
    assert S.recipe_text({"optimizer": "sgd", "clip": "adjustable", "train_set": "T91"}) == \
        "SGD with adjustable clipping, 91 images"
    assert S.recipe_text({"optimizer": "adam", "schedule": "cosine", "train_set": "291"}) == \
        "Adam with cosine decay, 291 images"
    runs = {"a": _run({2: 30.0}), "b": _run({2: 31.0})}
    runs["a"]["config"].update(optimizer="sgd", clip="none", train_set="291")
    runs["b"]["config"].update(optimizer="adam", schedule="cosine", train_set="291")
    text = S.budget_text(_summary(runs))  # a grid of recipes: the row compares them
    assert text.endswith("; 291 images") and "SGD" not in text and "Adam" not in text


def _last(history: dict, scale: int, epoch: int | None = None) -> float:
    """The test's own reading of a shipped run: its validation PSNR at ``scale`` (at ``epoch``)."""
    vals = [e["val_psnr"][str(scale)] for e in history["epochs"]
            if str(scale) in e.get("val_psnr", {}) and epoch in (None, e["epoch"])]
    return vals[-1] if vals and not history["diverged"] else float("nan")


def _expected_verdicts() -> dict[str, str]:
    """Each shipped claim's verdict, worked out here from the shipped numbers by the rules the
    scorecard states (margin 0.1 dB), so the test fails if a verdict disagrees with its data."""
    from vdsr_lib.benchmark import PAPER_TABLE3
    from vdsr_lib.experiments import load_results
    from vdsr_lib.pretrained import load_pretrained

    three = lambda good, some: "holds" if good else "partly" if some else "not reproduced"  # noqa: E731
    runs = {name: load_results(name)["runs"] for name in ("residual", "clipping", "depth", "scales")}
    gaps = [_last(runs["residual"][f"residual_lr{lr}"], 2, 10) - _last(runs["residual"][f"image_lr{lr}"], 2, 10)
            for lr in {k.split("_lr")[1] for k in runs["residual"]}]
    clip = runs["clipping"]
    shown = clip["none"]["diverged"] and _last(clip["adjustable"], 2) > clip["adjustable"]["bicubic_psnr"]["2"] + 0.1
    full = load_results("clipping")["budget"] == "full"
    by_depth = sorted(runs["depth"].values(), key=lambda h: h["config"]["depth"])
    deeper = all(_last(by_depth[-1], s) - _last(by_depth[0], s) > 0.1 for s in (2, 3, 4))
    monotone = all(_last(b, s) >= _last(a, s) - 0.1 for s in (2, 3, 4) for a, b in zip(by_depth, by_depth[1:]))
    sc = runs["scales"]
    within = all(_last(sc["x234"], s) >= _last(sc[f"x{s}"], s) - 0.1 for s in (2, 3, 4))
    above = all(_last(sc["x234"], s) > sc["x234"]["bicubic_psnr"][str(s)] + 0.1 for s in (2, 3, 4))
    cells = [(("Urban100" if ds == "Urban100-half" else ds), int(s), c["psnr"])
             for ds, row in load_pretrained().meta["metrics"]["benchmark"].items() for s, c in row.items()]
    cells = [(ds, s, p) for ds, s, p in cells if PAPER_TABLE3["VDSR"].get(ds, {}).get(s)]
    level = all(p >= PAPER_TABLE3["VDSR"][ds][s][0] - 0.1 for ds, s, p in cells)
    over = sum(p > PAPER_TABLE3["SRCNN"][ds][s][0] + 0.1 for ds, s, p in cells)
    theirs = load_results("official")["models"]["official"]["paper"]
    near = [abs(c["psnr"] - PAPER_TABLE3["VDSR"]["Urban100" if ds == "Urban100-half" else ds][int(s)][0]) <= 0.02
            for ds, row in theirs.items() for s, c in row.items()
            if PAPER_TABLE3["VDSR"].get("Urban100" if ds == "Urban100-half" else ds, {}).get(int(s))]
    return {"official": three(all(near), 2 * sum(near) >= len(near)),
            "residual": three(all(g > 1.0 for g in gaps), any(g > 1.0 for g in gaps)),
            "clipping": "not reproduced" if not shown else "holds" if full else "partly",
            "depth": three(deeper and monotone, deeper), "scales": three(within, above),
            "benchmark": three(level, 2 * over >= len(cells))}


def test_the_shipped_scorecard_has_five_claims_with_the_verdicts_their_numbers_give():
    rows = S.claims()  # and the check of the evaluation on the authors' weights
    assert [c.key for c in rows] == ["residual", "clipping", "depth", "scales", "benchmark", "official"]
    expected = _expected_verdicts()
    for c in rows:
        assert c.verdict == expected[c.key], (c.key, c.ours)
        assert c.paper and c.ours and c.budget and c.chapter[:2].isdigit()


@pytest.mark.parametrize("bad", [{}, {"budget": "full"}])
def test_budget_text_needs_runs(bad):
    with pytest.raises(KeyError):
        S.budget_text(bad)
