"""vdsr_lib.web.page_settings reads the in-browser page's limits from its script (the browser
test in tests/test_web.py checks them against what the page enforces)."""
from __future__ import annotations

import pytest

from vdsr_lib.web import SCRIPT, page_settings

SCRIPT_TEXT = """(function () {
  const LIMITS = { inputPixels: 2_000_000, outputPixels: 8e6, fileBytes: 10e6 };
  const SCALES = [2, 3, 4];
  const TILE = 384;
  let msPerPixel = 0.125;           // a guess
})();
"""


def test_reads_the_constants(tmp_path):
    js = tmp_path / "page.js"
    js.write_text(SCRIPT_TEXT)
    assert page_settings(js) == {"inputPixels": 2e6, "outputPixels": 8e6, "fileBytes": 1e7,
                                 "tile": 384.0, "msPerPixel": 0.125}


def test_the_shipped_script_parses():
    s = page_settings(SCRIPT)
    assert 0 < s["inputPixels"] < s["outputPixels"]
    assert s["tile"] == int(s["tile"]) > 0 and s["msPerPixel"] > 0


def test_a_missing_or_changed_script_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="clone of the book's repository"):
        page_settings(tmp_path / "nowhere.js")
    js = tmp_path / "page.js"
    js.write_text(SCRIPT_TEXT.replace("const TILE = 384;", "const TILE = size();"))
    with pytest.raises(ValueError, match="LIMITS, TILE and msPerPixel"):
        page_settings(js)
    js.write_text(SCRIPT_TEXT.replace("fileBytes", "bytes"))
    with pytest.raises(ValueError, match="lacks fileBytes"):
        page_settings(js)
