"""The chapters as committed: listed in the table of contents, valid, and without outputs."""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))


def test_every_chapter_is_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    listed = set(re.findall(r"file:\s*(book/\S+)", toc))
    assert CHAPTERS and {f"book/{p.stem}" for p in CHAPTERS} <= listed


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_is_valid_and_committed_without_outputs(path):
    raw = json.loads(path.read_text())  # as stored: nbformat fills in missing cell ids when it reads
    ids = [c.get("id") for c in raw["cells"]]
    assert all(ids) and len(set(ids)) == len(ids), "every cell needs its own id (nbformat 4.5)"
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"cell {i} was committed with outputs"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_code_lines_fit_the_page(path):
    """No code line is over the book's width (``report.PAGE_WIDTH``), hidden cells included: a reader
    who opens a hide-input toggle, or an instructor in JupyterLab, should not scroll sideways."""
    from vdsr_lib.report import PAGE_WIDTH

    nb = json.loads(path.read_text())
    wide = [(i, line) for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
            for line in "".join(cell["source"]).splitlines() if len(line) > PAGE_WIDTH]
    assert not wide, f"{len(wide)} code line(s) over {PAGE_WIDTH} characters (cell, line): {wide[:3]}"


def _open_inline_math(line: str, is_open: bool) -> bool:
    """Whether an inline ``$...$`` is still open after ``line`` (``$$`` and ``\\$`` do not count)."""
    for dollar in re.findall(r"(?<!\\)(?<!\$)\$(?!\$)", line):
        is_open = not is_open
    return is_open


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_inline_math_is_not_cut_by_a_list_marker(path):
    """A line that goes on with an inline formula must not start with ``+``, ``-`` or ``*`` and a
    space: Markdown reads that as a new list item, and the formula renders as raw TeX."""
    nb = json.loads(path.read_text())
    broken = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        is_open = False
        for line in "".join(cell["source"]).splitlines():
            if is_open and re.match(r"\s*[-+*]\s", line):
                broken.append((i, line.strip()))
            is_open = _open_inline_math(line, is_open) if line.strip() else False
    assert not broken, f"a formula continues on a list-marker line (cell, line): {broken[:3]}"


@pytest.mark.parametrize("path", [p for p in CHAPTERS if p.stem[:2].isdigit()], ids=lambda p: p.name)
def test_every_table_has_a_numbered_caption_in_order(path):
    """Each table of chapter N, a ``show_table`` call (``caption="Table N.k. ..."``) or a Markdown
    ``{table}`` directive (``:::{table} Table N.k. ...``, the scorecard's), is numbered Table N.k.,
    k = 1, 2, ... in the order of the page, so no table of the book reads like one of the paper's
    (the built book checks that the caption reaches the HTML)."""
    nb = json.loads(path.read_text())
    n_calls, numbers = 0, []
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code":
            n_calls += len(re.findall(r"\bshow_table\(", text))
            numbers += re.findall(r'caption=f?"Table (\d+)\.(\d+)\. ', text)
        else:
            n_calls += len(re.findall(r"^:::\{table\}", text, re.M))
            numbers += re.findall(r"^:::\{table\} Table (\d+)\.(\d+)\. ", text, re.M)
    chapter = int(path.stem[:2])
    assert len(numbers) == n_calls, f"{n_calls} tables, {len(numbers)} numbered captions"
    assert numbers == [(str(chapter), str(k)) for k in range(1, n_calls + 1)], numbers
