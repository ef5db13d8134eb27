"""Tests for vdsr_lib.report: the HTML tables the chapters print."""
from vdsr_lib.report import table_html


def test_table_html_escapes_and_orders_cells():
    out = table_html(["a", "b<"], [[1, "x&y"], [2.5, None]])
    assert "<table><thead><tr><th>a</th><th>b&lt;</th></tr></thead><tbody>" in out
    assert "<tr><td>1</td><td>x&amp;y</td></tr><tr><td>2.5</td><td>None</td></tr>" in out
    assert "<caption>" not in out


def test_table_html_captions_and_scrolls_in_its_own_box():
    out = table_html(["a"], [[1]], caption="Table 4.1. Runs & rates.")
    assert "<table><caption>Table 4.1. Runs &amp; rates.</caption><thead>" in out
    assert out.startswith('<div class="vdsr-table"') and "overflow-x: auto" in out.split(">")[0]
    assert out.endswith("</table></div>")


def test_seconds_text_keeps_the_precision_that_matters():
    from vdsr_lib.report import seconds_text
    assert seconds_text(41.6) == "42 s" and seconds_text(89.4) == "89 s"
    assert seconds_text(200) == "3 min 20 s" and seconds_text(605) == "10 min"
    assert seconds_text(3600 + 5 * 60 + 10) == "1 h 05 min"


def test_stopwatch_measures_and_the_note_names_machine_and_budget(monkeypatch):
    from vdsr_lib import report
    clock, cpu = iter([100.0, 142.4, 142.4]), iter([10.0, 80.2, 80.2])
    monkeypatch.setattr(report.time, "perf_counter", lambda: next(clock))
    monkeypatch.setattr(report.time, "process_time", lambda: next(cpu))
    watch = report.Stopwatch()
    note = report.timing_note(watch, "quick", "AMD EPYC, 2 threads", full="6 runs on an H100, 5 min each")
    assert note == ("When this page was built, its cells ran in 42 s (70 s of CPU time) at the quick "
                    "budget on AMD EPYC, 2 threads. Its shipped reference runs are loaded, not trained here: 6 runs on an H100, "
                    "5 min each.")
    assert "shipped" not in report.timing_note(watch, "quick", "a CPU")


def test_reference_cost_says_runs_hardware_and_time():
    from vdsr_lib.experiments import reference_cost
    run = lambda t: {"hardware": "NVIDIA H100 80GB HBM3 (CUDA)", "wall_time_s": t}  # noqa: E731
    assert reference_cost({"budget": "full", "runs": {"a": run(300), "b": run(300.2)}}) == \
        "2 runs at the 'full' budget on NVIDIA H100 80GB HBM3, 5 min 00 s each"
    assert reference_cost({"budget": "cpu", "runs": {"a": run(60), "b": run(600)}}).endswith(
        "the longest 10 min, 11 min in all")


def test_reference_cost_calls_runs_that_stopped_early_partial():
    from vdsr_lib.experiments import reference_cost
    cfg = {"epochs": 80, "iters_per_epoch": 125}

    def run(epochs_done, finished=False):
        return {"hardware": "GPU", "wall_time_s": 60, "finished": finished, "diverged": False,
                "config": cfg, "epochs": [{"step": 125 * e} for e in range(1, epochs_done + 1)]}
    text = reference_cost({"budget": "full", "runs": {"a": run(43), "b": run(44)}})
    assert text == ("2 runs of the 'full' budget, partial (stopped early after 5,375-5,500 of its "
                    "10,000 iterations) on GPU, 60 s each")
    assert "at the 'full' budget" not in text
    one = reference_cost({"budget": "full", "runs": {"a": run(43), "b": run(80, finished=True)}})
    assert "1 of them partial (stopped early after 5,375-10,000" not in one and "1 of them partial" in one


def test_say_wraps_each_line_to_the_page(capsys):
    from vdsr_lib.report import say

    say("word " * 40 + "\n\nshort line", width=30)
    out = capsys.readouterr().out.rstrip("\n").split("\n")
    assert max(map(len, out)) <= 30 and len(out) > 4
    assert out[-2:] == ["", "short line"]  # paragraph breaks kept


def test_say_indents_first_and_continuation_lines(capsys):
    from vdsr_lib.report import say

    say("word " * 20, width=30, indent="  ", hang="    ")
    out = capsys.readouterr().out.rstrip("\n").split("\n")
    assert out[0].startswith("  word") and not out[0].startswith("   ")
    assert all(line.startswith("    word") for line in out[1:]) and len(out) > 2


def test_power10_writes_superscripts():
    from vdsr_lib.report import power10
    assert power10(1e-5) == "10\u207b\u2075"
    assert power10(3e-4) == "3\u00d710\u207b\u2074"
    assert power10(0.1) == "10\u207b\u00b9"
    assert power10(100) == "10\u00b2"


def test_signed_never_writes_minus_zero():
    from vdsr_lib.report import signed
    assert signed(0.042, 3) == "+0.042" and signed(-0.5) == "-0.50"
    assert signed(-0.0004, 3) == "+0.000" and signed(-0.004) == "+0.00"


def test_span_names_one_end_when_the_other_rounds_to_zero():
    from vdsr_lib.report import span
    assert span([-0.0004, 0.042, 0.01], 3) == "by up to +0.042 dB"
    assert span([-0.31, -0.004]) == "by down to -0.31 dB"
    assert span([-0.1, 0.2]) == "by -0.10 to +0.20 dB"
    assert span([0.001, -0.001]) == "by less than 0.005 dB"
    assert span(iter([0.5, 0.7])) == "by up to +0.70 dB"  # any iterable, read once


def test_shown_diff_agrees_with_the_printed_values():
    from vdsr_lib.report import shown_diff, signed
    assert 36.714 - 36.607 > 0.105 and shown_diff(36.714, 36.607) == 0.10  # 36.71 - 36.61
    assert signed(33.196 - 32.224) == "+0.97" and signed(shown_diff(33.196, 32.224)) == "+0.98"
    assert shown_diff(30.96, 31.004) == -0.04 and shown_diff(1.24, 1.16, 1) == 0.0
