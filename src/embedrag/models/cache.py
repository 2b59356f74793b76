"""Where embedrag keeps derived files (converted ONNX graphs, downloads), and content hashes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["cache_dir", "hash_files"]


def cache_dir(*parts: str) -> Path:
    """The cache folder (created), from ``$EMBEDRAG_CACHE``, else ``$XDG_CACHE_HOME/embedrag``,
    else ``~/.cache/embedrag``; ``parts`` name a subfolder."""
    root = os.environ.get("EMBEDRAG_CACHE")
    if root:
        base = Path(root)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "embedrag"
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def hash_files(paths: Iterable[Path], *, extra: str = "") -> str:
    """A sha256 over the names and bytes of ``paths`` (sorted by name) plus ``extra``.

    Used to key cached conversions: change any source byte and the key changes.
    """
    digest = hashlib.sha256(extra.encode())
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()
