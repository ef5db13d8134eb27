#!/usr/bin/env python3
"""Set the book's repository URL: ``python scripts/set_repository.py https://github.com/NAME/REPO``.

The URL lives in ``_config.yml`` (``repository.url``, from which Jupyter Book derives the repository,
issues, Binder and Colab buttons); the chapters' hidden Colab cell installs ``vdsr_lib`` from the same
URL, so this script writes both (``tests/test_notebooks.py`` checks that they agree). Until it is run,
the placeholder URL hides every button (``book/_ext/repository_buttons.py``).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
URL_LINE = re.compile(r"^(\s*url:\s*)(\S+)\s*$", re.M)
COLAB_URL = re.compile(r"git\+(https://[^@\"\s]+)@")


def config_url(text: str) -> str:
    """The ``repository.url`` of a ``_config.yml`` text."""
    block = text.split("\nrepository:", 1)[1]
    return URL_LINE.search(block).group(2)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not re.fullmatch(r"https://\S+/\S+", argv[0]):
        print("usage: python scripts/set_repository.py https://github.com/NAME/REPO", file=sys.stderr)
        return 2
    url = argv[0].rstrip("/")
    cfg = ROOT / "_config.yml"
    head, block = cfg.read_text().split("\nrepository:", 1)
    cfg.write_text(head + "\nrepository:" + URL_LINE.sub(lambda m: m.group(1) + url, block, count=1))
    for nb_path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text())
        cell = nb["cells"][0]
        src = "".join(cell["source"])
        new = COLAB_URL.sub(f"git+{url}@", src)
        if new != src:
            cell["source"] = new.splitlines(keepends=True)
            nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    print(f"repository URL set to {url} in _config.yml and the chapters' Colab cells")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
