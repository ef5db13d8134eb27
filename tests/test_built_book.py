"""Checks of the built HTML book: printed output fits the page, every glued number was filled in,
every table has a caption, and (in Chromium, where there is one) tables are padded and no chapter
page scrolls sideways on a phone. `make test` builds the book from the notebooks it has just
executed and runs these on it (``$VDSR_BOOK_HTML``); without a built book they are skipped."""
from __future__ import annotations

import html
import os
import re
import sys
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


@NO_BOOK
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_command_options_keep_their_double_dash(path):
    """A command glued as text (chapter 8's) must read ``--models``, not an en dash that no shell
    accepts (Sphinx's smart quotes turn ``--`` into one unless told not to)."""
    text = path.read_text(encoding="utf-8")
    dashed = re.findall(r"(?:\u2013|&#8211;)(?:models|cells|json|budget|jobs|protocols|ship)\b", text)
    assert not dashed, dashed[:3]


# -- tables: captioned, padded, and never wider than a phone's page --------------------------

def uncaptioned_tables(page: str) -> list[str]:
    """The start of every ``<table>`` of a page that has no ``<caption>`` of its own."""
    return [t[:80] for t in re.findall(r"<table\b.*?</table>", page, re.S)
            if not re.search(r"<table\b[^>]*>\s*<caption\b", t)]


def test_the_check_finds_an_uncaptioned_table():
    page = ("<table><caption>Table 1.1. A.</caption><tr><td>1</td></tr></table>"
            '<table class="x"><thead><tr><th>a</th></tr></thead></table>')
    assert uncaptioned_tables(page) == ['<table class="x"><thead><tr><th>a</th></tr></thead></table>']


@NO_BOOK
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_table_has_a_caption(path):
    bare = uncaptioned_tables(path.read_text(encoding="utf-8"))
    assert not bare, f"{len(bare)} table(s) without a <caption>, e.g. {bare[0]!r}"


LAYOUT_JS = r"""() => {
  const vw = window.innerWidth, out = {page: document.documentElement.scrollWidth - vw,
                                       cut: [], tight: []};
  for (const t of document.querySelectorAll('article table')) {
    let a = t.parentElement, scrolls = false;
    for (; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') { scrolls = true; break; }
    }
    const label = (t.querySelector('caption') || t).textContent.trim().slice(0, 50);
    if (!scrolls && t.getBoundingClientRect().right > vw + 1) out.cut.push(label);
    for (const c of t.querySelectorAll('td, th')) {
      const s = getComputedStyle(c);
      if (c.textContent.trim() && parseFloat(s.paddingLeft) + parseFloat(s.paddingRight) < 6) {
        out.tight.push(label); break;
      }
    }
  }
  return out;
}"""


@NO_BOOK
@pytest.mark.parametrize("width", [390, 1280])
def test_tables_padded_and_no_page_scrolls_sideways(width):
    """In a 390-px (phone) and a 1280-px window: no chapter page scrolls sideways, every table
    fits or scrolls in its own box (no column cut off), and every cell has 6 px or more of
    horizontal padding (cells do not run together)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from chromium import LAUNCH_ARGS, OfflinePage, require_chromium

    sync_api, chromium = require_chromium("layout checks of the built book")
    problems = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        try:
            for path in CHAPTERS:
                p = OfflinePage(browser, path.as_uri(), width=width)
                try:
                    p.page.wait_for_timeout(200)
                    r = p.page.evaluate(LAYOUT_JS)
                finally:
                    p.close()
                if r["page"] > 1:
                    problems.append(f"{path.stem}: the page scrolls sideways by {r['page']} px")
                problems += [f"{path.stem}: table cut off: {t!r}" for t in r["cut"]]
                problems += [f"{path.stem}: cells under 6 px padding: {t!r}" for t in r["tight"]]
        finally:
            browser.close()
    assert not problems, f"at {width} px: " + "; ".join(problems[:8])
