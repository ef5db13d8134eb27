"""Tests for vdsr_lib.report: the HTML tables the chapters print."""
from vdsr_lib.report import table_html


def test_table_html_escapes_and_orders_cells():
    out = table_html(["a", "b<"], [[1, "x&y"], [2.5, None]])
    assert out.startswith("<table><thead><tr><th>a</th><th>b&lt;</th></tr></thead><tbody>")
    assert "<tr><td>1</td><td>x&amp;y</td></tr><tr><td>2.5</td><td>None</td></tr>" in out


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
