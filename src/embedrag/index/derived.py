"""Derived array files: named NumPy arrays in one file, memory-mapped, naming the database state they reflect.

A collection keeps structures it could rebuild from ``collection.db`` (the BM25 postings, the
vector matrix) in files beside it, so that a new process maps them instead of rebuilding them.
One layout serves them all, "say what the bytes are":

``MAGIC`` (16 bytes), the header's length (8 bytes, little-endian), the header (UTF-8 JSON), then
each array's raw bytes, from ``start`` on at 64-byte-aligned offsets. The header holds ``format``, ``kind`` (what
the file is), ``generation`` and ``token`` (which state of which database: see
:mod:`embedrag.index.schema`), the file's total ``size``, per array its dtype, shape, offset and
sha256, and whatever else the kind needs.

Checks are in two tiers, because a sha256 of a million chunks' files takes seconds (~0.3 GB/s
on this project's 2-core machine) while a sum of their 64-bit words takes ~50 ms per 300 MB:

- at every open (:func:`open_arrays`): the magic, the header, the kind and format, the exact file
  size, every array inside the file, and each array's ``sum64`` (the sum of its bytes read as
  little-endian 64-bit words, modulo 2**64: any flipped bit, zeroed page or torn write changes
  it); the caller adds the lineage (:func:`lineage_problem`) and its own structural checks. A file
  that fails any of them is rebuilt, never trusted.
- in ``embedrag check`` (:func:`verify_arrays`): every array's sha256 as well.

Files are published whole by an atomic rename (:func:`embedrag._atomic.publish`), so a crash
leaves the old file or the new one; only a damaged disk (or a hand) can change bytes under a
valid header, and the check finds that.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from embedrag._atomic import publish
from embedrag.errors import IndexRebuiltWarning
from embedrag.index.schema import token_at

__all__ = [
    "SAVED_BY",
    "ArrayFile",
    "UnreadableFile",
    "lineage_problem",
    "open_arrays",
    "read_header",
    "sum64",
    "verify_arrays",
    "warn_unusable",
    "write_arrays",
]

MAGIC = b"EMBEDRAG-ARRAYS\n"
FORMAT = 1
_ALIGN = 64


class UnreadableFile(Exception):
    """A derived file that cannot be used as it is (internal: the caller rebuilds or reports it)."""


@dataclass(frozen=True)
class ArrayFile:
    """A derived file, opened: its header and its arrays (read-only memory maps)."""

    path: Path
    meta: dict[str, Any]
    arrays: dict[str, NDArray[Any]]


def _digest(array: NDArray[Any]) -> str:
    return hashlib.sha256(_bytes(array)).hexdigest()


def _bytes(array: NDArray[Any]) -> memoryview:
    """The array's bytes, without a copy when it is contiguous (a memory map is)."""
    contiguous: Any = np.ascontiguousarray(array)
    return memoryview(contiguous).cast("B")


def sum64(array: NDArray[Any]) -> int:
    """The sum of ``array``'s bytes as little-endian 64-bit words (the last one zero-padded), mod 2**64.

    >>> sum64(np.array([1, 2], dtype="<u8")), sum64(np.array([1], dtype=np.uint8))
    (3, 1)
    """
    raw = _bytes(array)
    whole = len(raw) // 8 * 8
    total = int(np.add.reduce(np.frombuffer(raw[:whole], dtype="<u8"), dtype=np.uint64)) if whole else 0
    return (total + int.from_bytes(raw[whole:], "little")) % 2**64


def write_arrays(path: Path, kind: str, meta: dict[str, Any], arrays: dict[str, NDArray[Any]]) -> None:
    """Publish ``arrays`` under ``meta`` (which names ``generation`` and ``token``) as a ``kind`` file, atomically."""
    described: dict[str, Any] = {}
    offset = 0
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        described[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
        described[name].update(sha256=_digest(array), sum64=sum64(array))
        offset += _aligned(array.nbytes)
    header = {**meta, "format": FORMAT, "kind": kind, "arrays": described}
    # Room for the header with its two numbers filled in (each at most 20 digits).
    start = _aligned(len(MAGIC) + 8 + len(json.dumps({**header, "size": 0, "start": 0}).encode()) + 40)
    header.update(size=start + offset, start=start)
    raw = json.dumps(header).encode("utf-8")
    assert len(MAGIC) + 8 + len(raw) <= start

    def write(temp: Path) -> None:
        with temp.open("wb") as f:
            f.write(MAGIC + len(raw).to_bytes(8, "little") + raw)
            for name, array in arrays.items():
                f.seek(start + described[name]["offset"])
                f.write(_bytes(array))
            f.truncate(header["size"])

    publish(path, write)


def _aligned(n: int) -> int:
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN


def read_header(path: Path) -> tuple[dict[str, Any], int]:
    """The header of the derived file at ``path`` and where its arrays start; :class:`UnreadableFile` if damaged."""
    try:
        with path.open("rb") as f:
            lead = f.read(len(MAGIC) + 8)
            if len(lead) < len(MAGIC) + 8 or lead[: len(MAGIC)] != MAGIC:
                raise UnreadableFile(f"{path.name} is damaged: it does not start as a derived file")
            length = int.from_bytes(lead[len(MAGIC) :], "little")
            if length > os.fstat(f.fileno()).st_size:
                raise UnreadableFile(f"{path.name} is damaged: its header runs past its end")
            header = json.loads(f.read(length))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UnreadableFile(f"{path.name} is damaged: its header cannot be read ({type(e).__name__})") from e
    if not isinstance(header, dict) or not isinstance(header.get("arrays"), dict):
        raise UnreadableFile(f"{path.name} is damaged: its header is not a description of arrays")
    start = header.get("start")
    if not isinstance(start, int) or start < len(MAGIC) + 8 + length:
        raise UnreadableFile(f"{path.name} is damaged: its header says its arrays start at {start}")
    return header, start


def open_arrays(path: Path, kind: str) -> ArrayFile:
    """Map the ``kind`` file at ``path`` after the checks at open (see the module), or say why not."""
    if not path.exists():
        raise UnreadableFile(f"no {path.name} yet")
    header, start = read_header(path)
    if header.get("kind") != kind or header.get("format") != FORMAT:
        raise UnreadableFile(
            f"{path.name} is kind={header.get('kind')} format={header.get('format')}, expected {kind} format {FORMAT}"
        )
    size = path.stat().st_size
    if header.get("size") != size:
        raise UnreadableFile(f"{path.name} is damaged: {size} bytes, its header says {header.get('size')}")
    arrays: dict[str, NDArray[Any]] = {}
    whole = np.memmap(path, dtype=np.uint8, mode="r")  # one map (one descriptor) for all the arrays
    try:
        for name, spec in header["arrays"].items():
            dtype, shape = np.dtype(spec["dtype"]), tuple(int(n) for n in spec["shape"])
            offset, nbytes = start + int(spec["offset"]), dtype.itemsize * int(np.prod(shape))
            if offset + nbytes > size:
                raise UnreadableFile(f"{path.name} is damaged: array {name} runs past the end of the file")
            arrays[name] = whole[offset : offset + nbytes].view(dtype).reshape(shape)
            if sum64(arrays[name]) != spec["sum64"]:
                raise UnreadableFile(f"{path.name} is damaged: array {name} does not match its checksum")
    except (KeyError, TypeError, ValueError) as e:
        raise UnreadableFile(f"{path.name} is damaged: an array is described wrongly ({type(e).__name__})") from e
    return ArrayFile(path, header, arrays)


def verify_arrays(opened: ArrayFile) -> str | None:
    """Why the arrays of ``opened`` do not match their sha256 (None if they all do): reads every byte."""
    for name, array in opened.arrays.items():
        if _digest(array) != opened.meta["arrays"][name].get("sha256"):
            return f"{opened.path.name} is damaged: array {name} does not match its checksum"
    return None


SAVED_BY = "`embedrag check --repair` (or the next ingest)"
"""Who publishes a new derived file in place of an unusable one: a writer, never a reader."""


def warn_unusable(problem: str, instead: str, *, stacklevel: int, saved_by: str = SAVED_BY) -> None:
    """Tell a reader that a saved file could not be used and what it searches with ``instead``;
    only a writer (``saved_by``) publishes a new one."""
    warnings.warn(
        f"{problem}; searching with {instead}. {saved_by} saves it",
        IndexRebuiltWarning,
        stacklevel=stacklevel + 1,
    )


def lineage_problem(conn: sqlite3.Connection, meta: dict[str, Any], name: str) -> str | None:
    """Why the derived file ``name`` described by ``meta`` was not built from this database (None if it was).

    A restored backup repeats generation numbers and chunk ids with other passages; only the
    token recorded by each commit tells the two databases apart.
    """
    generation, token = meta.get("generation"), meta.get("token")
    if not isinstance(generation, int):
        return f"{name} names no generation"
    current = token_at(conn, generation)
    if token is None or current is None or token != current:
        return (
            f"{name} was built from another copy of the database (generation {generation}, "
            f"token {token}; this database recorded {current}): a restored backup, or a file from elsewhere"
        )
    return None
