"""Atomic files: build once, publish by rename, never leave or reuse half a file.

Used by the ONNX cache, the HNSW index and ``embedrag embed --output``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

__all__ = ["publish"]


def publish(target: Path, write: Callable[[Path], None]) -> Path:
    """Create ``target`` by calling ``write(temp_path)`` then renaming; return ``target``.

    The temporary file sits next to ``target`` (same filesystem, so the rename is atomic) and
    is removed if ``write`` fails, so a crash or an error leaves either no file or the whole
    file. Concurrent builders each write their own temporary file; the last rename wins and
    both results are complete. A temporary file that a killed builder left (its process is gone)
    is removed by the next publish of the same target.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> publish(folder / "x.bin", lambda p: p.write_bytes(b"ok")).read_bytes()
    b'ok'
    >>> sorted(p.name for p in folder.iterdir())
    ['x.bin']
    """
    _remove_orphans(target)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        write(temp)
        _fsync(temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def _fsync(path: Path) -> None:
    # Flush the bytes before the rename makes them visible, so a power cut cannot publish a torn file.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_orphans(target: Path) -> None:
    """Delete the temporary files of ``target`` whose writer process no longer runs (a SIGKILL's litter)."""
    for temp in target.parent.glob(f".{target.name}.*.tmp"):
        pid = temp.name[len(target.name) + 2 :].split(".")[0]
        if pid.isdigit() and not _running(int(pid)):
            temp.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True
