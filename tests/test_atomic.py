"""vdsr_lib.atomic: a file is replaced whole or not at all; and the package has no import circles."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from vdsr_lib.atomic import atomic_path, ensure_writable, remove_stray_temporaries, write_atomic


def test_write_atomic_replaces_the_file(tmp_path):
    f = tmp_path / "sub" / "a.json"
    write_atomic(f, "one\n")
    write_atomic(f, b"two\n")
    assert f.read_text() == "two\n" and [p.name for p in f.parent.iterdir()] == ["a.json"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path):
    f = tmp_path / "state.pt"
    f.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(f) as tmp:
            tmp.write_bytes(b"half of the n")
            raise KeyboardInterrupt
    assert f.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["state.pt"]


def test_stray_temporaries_are_removed(tmp_path):
    (tmp_path / ".history.json.x1.tmp").write_text("{")
    (tmp_path / "history.json").write_text("{}")
    remove_stray_temporaries(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]


def test_ensure_writable(tmp_path):
    assert ensure_writable(tmp_path / "a" / "b").is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ValueError, match="cannot write to the folder"):
        ensure_writable(blocker / "out")


def _imports(path: Path, package: str) -> set[str]:
    """The vdsr_lib modules a module imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package + "."):
            found.add(node.module.split(".")[1])
    return found


def test_no_import_circles():
    """No module of vdsr_lib imports, directly or through others, a module that imports it (issue 27:
    degrade <-> restoration and experiments <-> pretrained were such circles)."""
    root = Path(__file__).resolve().parents[1] / "vdsr_lib"
    graph = {p.stem: _imports(p, "vdsr_lib") for p in root.glob("*.py") if p.stem not in ("__init__", "__main__")}
    graph = {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}
    assert graph["degrade"] and graph["pretrained"]  # the walk sees imports
    for start in graph:
        seen, todo = set(), list(graph[start])
        while todo:
            m = todo.pop()
            assert m != start, f"import circle through vdsr_lib.{start}"
            if m not in seen:
                seen.add(m)
                todo.extend(graph[m])
