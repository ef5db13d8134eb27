"""Small HTML tables as notebook cell output (rendered the same in Jupyter and in the built book)."""
from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["table_html", "show_table"]


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
