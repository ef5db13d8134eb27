"""Checks of the built HTML book that need no browser: printed output fits the page, and every glued
number was filled in. `make test` builds the book from the notebooks it has just executed and runs
these on it (``$VDSR_BOOK_HTML``); without a built book they are skipped."""
from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest

from vdsr_lib.report import PAGE_WIDTH

ROOT = Path(__file__).resolve().parents[1]
BOOK = Path(os.environ.get("VDSR_BOOK_HTML", ROOT / "_build" / "html"))
CHAPTERS = sorted((BOOK / "book").glob("[0-9][0-9]_*.html")) if (BOOK / "index.html").is_file() else []
OUTPUT = re.compile(r'<div class="cell_output[^"]*"[^>]*>(.*?)</div>\s*</div>\s*</div>', re.S)
pytestmark = pytest.mark.built_book
NO_BOOK = pytest.mark.skipif(not CHAPTERS, reason=f"no built book at {BOOK}: run `make book` first")


def wide_output_lines(page: str, width: int = PAGE_WIDTH) -> list[str]:
    """Lines of a page's printed cell output (``<pre>`` blocks) longer than ``width`` characters."""
    lines = []
    for pre in re.findall(r"<pre[^>]*>(.*?)</pre>", "".join(OUTPUT.findall(page)), re.S):
        lines += [l for l in html.unescape(re.sub(r"<[^>]+>", "", pre)).splitlines() if len(l) > width]
    return lines


def test_the_check_finds_a_wide_line():
    page = ('<div class="cell_output docutils container"><div class="output stream highlight-myst-ansi '
            'notranslate"><div class="highlight"><pre><span></span>' + "x" * 89 + "\nshort</pre></div>"
            "</div></div>")
    assert wide_output_lines(page) == ["x" * 89]


@NO_BOOK
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_printed_output_fits_the_page(path):
    wide = wide_output_lines(path.read_text(encoding="utf-8"))
    assert not wide, f"{len(wide)} printed line(s) over {PAGE_WIDTH} characters, e.g. {wide[0][:120]!r}"


@NO_BOOK
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_glued_value_is_filled_in(path):
    text = path.read_text(encoding="utf-8")
    assert "{glue" not in text and "glue:text" not in text
