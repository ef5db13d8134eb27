"""The in-browser page's settings (chapter 11), read from its script, so that the book states
the limits the script enforces instead of typing them a second time.

``book/_extra/vdsr_web/vdsr_web.js`` declares them as plain constants::

    const LIMITS = { inputPixels: 1000000, outputPixels: 4194304, fileBytes: 50e6 };
    const TILE = 512;
    let msPerPixel = 0.08;

:func:`page_settings` returns them as numbers. The script is part of the book's repository, not of
the installed package: a copy installed without the repository gets a clear error.
"""
from __future__ import annotations

import re
from pathlib import Path

__all__ = ["SCRIPT", "page_settings"]

#: The page's script in a clone of the book's repository.
SCRIPT = Path(__file__).resolve().parents[1] / "book" / "_extra" / "vdsr_web" / "vdsr_web.js"

_NUMBER = r"[0-9][0-9_.eE+]*"


def _number(text: str) -> float:
    return float(text.replace("_", ""))


def page_settings(script: str | Path = SCRIPT) -> dict[str, float]:
    """The page's limits and tiling: ``inputPixels``, ``outputPixels``, ``fileBytes`` (the
    ``LIMITS`` it refuses beyond), ``tile`` (output pixels per tile side) and ``msPerPixel``
    (its guess of the speed, in ms per output pixel, until a first run has measured it)."""
    path = Path(script)
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: the page's script comes with a clone of the "
                                "book's repository, not with the installed package")
    text = path.read_text(encoding="utf-8")
    limits = re.search(r"const LIMITS\s*=\s*\{([^}]*)\}", text)
    tile = re.search(rf"const TILE\s*=\s*({_NUMBER})\s*;", text)
    guess = re.search(rf"let msPerPixel\s*=\s*({_NUMBER})\s*;", text)
    if not (limits and tile and guess):
        raise ValueError(f"{path} does not declare LIMITS, TILE and msPerPixel as constants: "
                         "update vdsr_lib.web.page_settings to the script's new form")
    settings = {key: _number(value) for key, value in
                re.findall(rf"(\w+)\s*:\s*({_NUMBER})", limits.group(1))}
    missing = {"inputPixels", "outputPixels", "fileBytes"} - settings.keys()
    if missing:
        raise ValueError(f"{path}: LIMITS lacks {', '.join(sorted(missing))}")
    return {**settings, "tile": _number(tile.group(1)), "msPerPixel": _number(guess.group(1))}
