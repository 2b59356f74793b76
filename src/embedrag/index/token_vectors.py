"""The stored token vectors of chunks: int8 with one scale per vector, and their gather for a rerank.

Bytes: a chunk of ``t`` word pieces in a model of ``d`` dims takes ``t * d`` int8 values (row-major)
followed by ``t`` float32 scales, all little-endian: ``t * (d + 4)`` bytes, 388 per token for
all-MiniLM-L6-v2 (float32 would be 1,536; float16 768). A row is ``round(v / s)`` with
``s = max|v| / 127``, so every value is within ``s / 2`` of the unit vector it stands for; cosines
move by under 0.01 (tests/search/test_stored_late.py holds the bound).

The table (:data:`embedrag.index.schema.TOKEN_VECTORS_TABLE`) is written by
:meth:`embedrag.index.writer.Writer.put_document` in the transaction of the chunk, and emptied with it.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from embedrag.errors import InputError, StoreError

__all__ = ["KEPT", "Quantized", "decode", "encode", "gather", "quantize", "row"]

KEPT = ("none", "int8")
"""What a collection keeps of its chunks' token vectors (meta ``token_vectors``): nothing, or int8."""

_IN_BATCH = 500


Quantized = tuple[npt.NDArray[np.int8], npt.NDArray[np.float32]]
"""One chunk's token vectors as stored: int8 rows (tokens, dims) and a float32 scale per row."""


def quantize(vectors: npt.NDArray[Any]) -> Quantized:
    """Rows as int8 with one scale each, ``s = max|v| / 127`` (an all-zero row keeps scale 1)."""
    matrix = np.asarray(vectors, dtype=np.float32)
    peak = np.abs(matrix).max(axis=1) if matrix.size else np.zeros(len(matrix), np.float32)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    return np.rint(matrix / scales[:, None]).astype(np.int8), scales


def encode(vectors: npt.NDArray[Any], dims: int, where: str) -> bytes:
    """The stored bytes of one chunk's token vectors (``(tokens, dims)``, finite, at least one row).

    >>> len(encode(np.ones((3, 4), np.float32), 4, "a#0"))
    24
    """
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[1] != dims or matrix.shape[0] == 0:
        raise InputError(f"chunk {where}: token vectors have shape {matrix.shape}, expected (tokens >= 1, {dims})")
    if not np.isfinite(matrix).all():
        raise InputError(f"chunk {where}: token vectors contain NaN or infinity")
    values, scales = quantize(matrix)
    return bytes(values.tobytes() + scales.astype("<f4").tobytes())


def decode(data: bytes, tokens: int, dims: int) -> Quantized:
    """The int8 rows and scales of :func:`encode`'s bytes; a wrong length is a :class:`StoreError`."""
    if len(data) != tokens * (dims + 4):
        raise StoreError(f"{len(data)} bytes for {tokens} token vectors of {dims} dims, expected {tokens * (dims + 4)}")
    values = np.frombuffer(data, dtype=np.int8, count=tokens * dims).reshape(tokens, dims)
    scales = np.frombuffer(data, dtype="<f4", offset=tokens * dims).astype(np.float32)
    return values, scales


def row(chunk_id: int, vectors: npt.NDArray[Any], dims: int, where: str) -> tuple[int, int, bytes, int]:
    """The ``token_vectors`` row of one chunk: id, tokens, bytes, crc."""
    data = encode(vectors, dims, where)
    return chunk_id, len(vectors), data, zlib.crc32(data)


def gather(conn: sqlite3.Connection, chunks: Sequence[tuple[str, int]], dims: int) -> dict[tuple[str, int], Quantized]:
    """The stored token vectors of chunks named ``(doc_id, position)``.

    Chunks without stored vectors, or whose bytes do not match their checksum, are left out: a caller
    encodes those itself.
    """
    found: dict[tuple[str, int], Quantized] = {}
    # The wanted pairs as a table joined to the chunks' (doc_id, position) index: a search per chunk,
    # where ``(doc_id, position) IN (VALUES ...)`` scans the whole index.
    sql = (
        "WITH wanted (doc_id, position) AS (VALUES {}) SELECT c.doc_id, c.position, t.tokens, t.data, t.crc"
        " FROM wanted w JOIN chunks c ON c.doc_id = w.doc_id AND c.position = w.position"
        " JOIN token_vectors t ON t.chunk_id = c.id"
    )
    for i in range(0, len(chunks), _IN_BATCH):
        part = chunks[i : i + _IN_BATCH]
        params = [value for pair in part for value in pair]
        for doc_id, position, tokens, data, crc in conn.execute(sql.format(",".join(["(?, ?)"] * len(part))), params):
            if zlib.crc32(data) != crc or len(data) != tokens * (dims + 4):
                continue
            found[(doc_id, position)] = decode(data, tokens, dims)
    return found
