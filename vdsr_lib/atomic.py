"""Files that are whole or absent: every file a run or ``ship`` writes goes through :func:`atomic_path`.

The content is written to a hidden temporary file beside the target, flushed to disk, and renamed
over the target in one step (``os.replace``). An interruption at any moment (Ctrl-C, ``kill -9``, a
full disk) leaves the old file or the new one, never half of one; what is left is a stray
``.NAME.*.tmp`` file, which :func:`remove_stray_temporaries` clears.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "write_atomic", "remove_stray_temporaries", "ensure_writable"]


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write ``path``'s new content to; on success it replaces ``path``.

    If the body raises, the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as f:  # on disk before the rename, so a power cut cannot empty the file
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` atomically; returns the path."""
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
    return Path(path)


def remove_stray_temporaries(folder: str | os.PathLike) -> None:
    """Delete the temporary files that writes interrupted by a hard kill left in ``folder``."""
    for f in Path(folder).glob(".*.tmp"):
        f.unlink(missing_ok=True)


def ensure_writable(folder: str | os.PathLike) -> Path:
    """Create ``folder`` if needed and check a file can be written in it, before any long work;
    raises ``ValueError`` with what to do if not."""
    path = Path(folder).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        raise ValueError(f"cannot write to the folder {path} ({err.strerror or err}); choose another "
                         f"output location or fix its permissions") from err
    return path
