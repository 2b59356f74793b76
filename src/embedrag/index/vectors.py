"""Exact (brute-force) cosine search: a derived in-memory matrix of unit vectors, caught up by generation."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from embedrag._linalg import top_k, unit_rows
from embedrag.index.schema import deleted_since, read_generation
from embedrag.index.store import Store

__all__ = ["ExactVectors", "cosine_top_k", "fetch_vectors"]

FloatMatrix = NDArray[np.float32]
IntArray = NDArray[np.int64]


def cosine_top_k(query: Any, ids: IntArray, unit_matrix: FloatMatrix, k: int) -> list[tuple[int, float]]:
    """The ``k`` rows of ``unit_matrix`` most cosine-similar to ``query``, as ``(id, score)``.

    >>> cosine_top_k([1.0, 0.0], np.array([7, 8]), unit_rows([[0, 1], [1, 1]]), 1)
    [(8, 0.7071067690849304)]
    """
    scores = unit_matrix @ unit_rows(query)[0]
    return [(int(ids[i]), float(scores[i])) for i in top_k(scores, k)]


def fetch_vectors(conn: sqlite3.Connection, ids: Sequence[int], dims: int) -> tuple[IntArray, FloatMatrix]:
    """Full-precision vectors of the given chunk ids (those that exist), straight from the database."""
    found: list[tuple[int, bytes]] = []
    for i in range(0, len(ids), 500):
        part = [int(x) for x in ids[i : i + 500]]
        marks = ",".join("?" * len(part))
        found += conn.execute(f"SELECT id, vector FROM chunks WHERE id IN ({marks})", part).fetchall()
    return _to_arrays(found, dims)


def _to_arrays(rows: list[tuple[int, bytes]], dims: int) -> tuple[IntArray, FloatMatrix]:
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), dims)
    return ids, matrix.astype(np.float32)


class ExactVectors:
    """Every vector of a store in memory (unit rows), for exact search; :meth:`refresh` catches up."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.generation = -1
        self.ids: IntArray = np.zeros(0, np.int64)
        self.matrix: FloatMatrix = np.zeros((0, store.spec.dims), np.float32)

    def refresh(self) -> None:
        """Load vectors written since the last refresh and drop deleted ones."""
        with self.store.read() as conn:
            generation = read_generation(conn)
            if generation == self.generation:
                return
            gone = np.array(deleted_since(conn, self.generation), dtype=np.int64)
            rows = conn.execute(
                "SELECT id, vector FROM chunks WHERE generation > ? ORDER BY id", (self.generation,)
            ).fetchall()
        new_ids, new_matrix = _to_arrays(rows, self.store.spec.dims)
        keep = ~np.isin(self.ids, gone)
        ids = np.concatenate([self.ids[keep], new_ids])
        matrix = np.concatenate([self.matrix[keep], unit_rows(new_matrix)])
        order = np.argsort(ids, kind="stable")
        self.ids, self.matrix, self.generation = ids[order], matrix[order], generation

    def search(self, query: Any, k: int, candidates: IntArray | None = None) -> list[tuple[int, float]]:
        """The ``k`` nearest chunks by cosine similarity, optionally among sorted ``candidates`` ids."""
        self.refresh()
        if candidates is None:
            return cosine_top_k(query, self.ids, self.matrix, k)
        rows = np.searchsorted(self.ids, candidates)
        rows = rows[(rows < len(self.ids)) & (self.ids[np.minimum(rows, len(self.ids) - 1)] == candidates)]
        return cosine_top_k(query, self.ids[rows], self.matrix[rows], k)
