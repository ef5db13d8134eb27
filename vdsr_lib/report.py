"""Notebook cell output that reads well in Jupyter and in the built book: small HTML tables, and
sentences wrapped to the width of a book page."""
from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["PAGE_WIDTH", "PAPER_PATCHES", "table_html", "show_table", "say", "power10", "signed", "span",
           "duration", "schedule_share"]

PAGE_WIDTH = 88  # characters of a code cell's output that fit a book page without scrolling

#: The paper's training: 80 epochs, 9,960 iterations of 64 patches.
PAPER_PATCHES = 9960 * 64


def schedule_share(patches: int) -> str:
    """``"100.4% of the paper's schedule"``: how many patches a run saw, against the paper's."""
    return f"{patches / PAPER_PATCHES:.1%} of the paper's schedule"


def duration(seconds: float) -> str:
    """A wall time as the metadata lines print it: "1.1 h" from an hour up, else "25 min"."""
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def table_html(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """An HTML table with one header row; every cell is converted with ``str`` and escaped."""
    cell = lambda tag, c: f"<{tag}>{html.escape(str(c))}</{tag}>"  # noqa: E731
    head = "".join(cell("th", c) for c in header)
    body = "".join("<tr>" + "".join(cell("td", c) for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def show_table(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """Display :func:`table_html` as the output of a notebook cell."""
    from IPython.display import HTML, display

    display(HTML(table_html(header, rows)))


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
