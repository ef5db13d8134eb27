"""One repository URL (``_config.yml``), the chapters' Colab cells agree with it, and a placeholder URL
shows no button that leads nowhere."""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


buttons = _load(ROOT / "book" / "_ext" / "repository_buttons.py", "repository_buttons")
setrepo = _load(ROOT / "scripts" / "set_repository.py", "set_repository")


def _colab_urls(book: Path) -> set[str]:
    urls = set()
    for nb in sorted(book.glob("*.ipynb")):
        src = "".join(json.loads(nb.read_text())["cells"][0]["source"])
        urls |= set(setrepo.COLAB_URL.findall(src))
    return urls


def test_chapters_install_from_the_configured_repository():
    url = setrepo.config_url((ROOT / "_config.yml").read_text())
    assert _colab_urls(ROOT / "book") == {url}


def test_placeholder_url_drops_every_repository_button():
    opts = {"repository_url": "https://github.com/OWNER/vdsr-book", "use_repository_button": True,
            "use_issues_button": True, "launch_buttons": {"colab_url": "https://colab.research.google.com"}}
    assert buttons.drop_dead_buttons(opts)
    assert not opts["use_repository_button"] and not opts["use_issues_button"]
    assert opts["launch_buttons"] == {} and "repository_url" not in opts
    real = {"repository_url": "https://github.com/someone/vdsr-book", "use_repository_button": True}
    assert not buttons.drop_dead_buttons(real) and real["use_repository_button"]


def test_the_extension_is_configured():
    cfg = (ROOT / "_config.yml").read_text()
    assert re.search(r"local_extensions:\s*\n\s*repository_buttons:\s*book/_ext", cfg)


def test_set_repository_writes_config_and_notebooks(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    shutil.copy(ROOT / "scripts" / "set_repository.py", tmp_path / "scripts")
    for nb in list((ROOT / "book").glob("*.ipynb"))[:2]:
        shutil.copy(nb, tmp_path / "book")
    run = lambda *a: subprocess.run([sys.executable, str(tmp_path / "scripts" / "set_repository.py"), *a],  # noqa: E731
                                    capture_output=True, text=True)
    bad = run("not a url")
    assert bad.returncode == 2 and "usage" in bad.stderr
    ok = run("https://github.com/someone/vdsr-book/")
    assert ok.returncode == 0, ok.stderr
    assert setrepo.config_url((tmp_path / "_config.yml").read_text()) == "https://github.com/someone/vdsr-book"
    assert _colab_urls(tmp_path / "book") == {"https://github.com/someone/vdsr-book"}
