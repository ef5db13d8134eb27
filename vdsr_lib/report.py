"""Notebook cell output that reads well in Jupyter and in the built book: small captioned HTML
tables, sentences wrapped to the width of a book page, and the wall time of a chapter's cells."""
from __future__ import annotations

import html
import textwrap
import time
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["PAGE_WIDTH", "PAPER_PATCHES", "table_html", "show_table", "say", "power10", "signed", "shown_diff", "span",
           "schedule_share", "seconds_text", "Stopwatch", "timing_note"]

PAGE_WIDTH = 88  # characters of a code cell's output that fit a book page without scrolling

#: The paper's training, 80 epochs of 9,960 iterations in all, in patches (64 each).
PAPER_PATCHES = 9960 * 64


def schedule_share(patches: int) -> str:
    """``"100.4% of the paper's schedule"``: how many patches a run saw, against the paper's."""
    return f"{patches / PAPER_PATCHES:.1%} of the paper's schedule"


def table_html(header: Sequence[Any], rows: Iterable[Sequence[Any]], caption: str = "") -> str:
    """An HTML table with one header row and, if given, a ``<caption>`` (the book numbers its
    tables in the text: ``"Table 4.1. ..."``); every cell is converted with ``str`` and escaped.
    The table sits in a ``<div class="vdsr-table">`` that scrolls sideways when the page is
    narrower than the table (a phone), so no column is cut off."""
    cell = lambda tag, c: f"<{tag}>{html.escape(str(c))}</{tag}>"  # noqa: E731
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    head = "".join(cell("th", c) for c in header)
    body = "".join("<tr>" + "".join(cell("td", c) for c in row) + "</tr>" for row in rows)
    return (f'<div class="vdsr-table" style="overflow-x: auto; max-width: 100%">'
            f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def show_table(header: Sequence[Any], rows: Iterable[Sequence[Any]], caption: str = "") -> None:
    """Display :func:`table_html` as the output of a notebook cell."""
    from IPython.display import HTML, display

    display(HTML(table_html(header, rows, caption)))


def say(text: str, width: int = PAGE_WIDTH, indent: str = "", hang: str | None = None) -> None:
    """Print ``text`` wrapped to ``width`` characters (each of its lines separately), each line
    starting with ``indent`` and its continuation lines with ``hang`` (default: ``indent``)."""
    hang = indent if hang is None else hang
    print("\n".join(textwrap.fill(line, width, initial_indent=indent, subsequent_indent=hang) if line.strip() else line
                    for line in text.split("\n")))


_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def power10(x: float) -> str:
    """``x`` in scientific notation for prose: ``1e-05`` -> ``10⁻⁵``, ``3e-4`` -> ``3×10⁻⁴``
    (one significant digit, as the paper writes its hyper-parameters)."""
    mantissa, exponent = f"{x:.0e}".split("e")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPT)
    return power if mantissa == "1" else f"{mantissa}\u00d7{power}"


def signed(x: float, digits: int = 2) -> str:
    """``x`` with its sign at ``digits`` decimals, for differences in prose: ``0.042`` -> ``+0.04``;
    a value that rounds to zero reads ``+0.00``, never ``-0.00``."""
    return f"{round(x, digits) + 0.0:+.{digits}f}"


def shown_diff(a: float, b: float, digits: int = 2) -> float:
    """``a - b`` as a reader works it out from the two values printed at ``digits`` decimals:
    36.714 and 36.607 print as 36.71 and 36.61, so the prose says 0.10, not 0.11. Use it for a
    difference that the page prints beside its two terms."""
    return round(float(f"{a:.{digits}f}") - float(f"{b:.{digits}f}"), digits)


def span(values: Iterable[float], digits: int = 2) -> str:
    """The range of some differences, for prose: ``"by up to +0.042 dB"`` when none is below zero
    at ``digits`` decimals, ``"by down to -0.31 dB"`` when none is above, else
    ``"by -0.10 to +0.20 dB"``; never a bare ``+0.000`` as one end."""
    values = list(values)
    lo, hi = signed(min(values), digits), signed(max(values), digits)
    zero = signed(0.0, digits)
    if lo == zero and hi == zero:
        return f"by less than {0.5 * 10 ** -digits:.{digits + 1}f} dB"
    if lo[0] == "+":  # zero reads "+0.00" too
        return f"by up to {hi} dB"
    if hi == zero or hi[0] == "-":
        return f"by down to {lo} dB"
    return f"by {lo} to {hi} dB"


def seconds_text(seconds: float) -> str:
    """A wall time for prose, to the precision that matters: ``"42 s"``, ``"3 min 20 s"``, ``"1 h 05 min"``."""
    s = round(seconds)
    if s < 90:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s" if s < 600 else f"{round(s / 60)} min"
    return f"{s // 3600} h {round(s % 3600 / 60):02d} min"


class Stopwatch:
    """Wall time since it was made: a chapter starts one in its first cell and reads it in its last.
    It keeps the process's CPU time too (all threads), which a busy machine does not inflate."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()

    def seconds(self) -> float:
        """Seconds since the stopwatch was made."""
        return time.perf_counter() - self.start

    def cpu_seconds(self) -> float:
        """CPU seconds this process has used since the stopwatch was made (summed over threads)."""
        return time.process_time() - self.cpu_start

    def __str__(self) -> str:
        return seconds_text(self.seconds())


def timing_note(watch: Stopwatch, budget: str, hardware: str, full: str | None = None) -> str:
    """The sentence that opens a chapter, for whoever runs it in class: how long its cells took
    (``watch``) at ``budget`` on ``hardware``, the machine that built the page, and what its
    shipped reference runs took to train (``full``, e.g. from
    :func:`vdsr_lib.experiments.reference_cost`; None for a chapter that loads none)."""
    text = (f"When this page was built, its cells ran in {watch} ({seconds_text(watch.cpu_seconds())} "
            f"of CPU time) at the {budget} budget on {hardware}.")
    if full:
        text += f" Its shipped reference runs are loaded, not trained here: {full}."
    return text
