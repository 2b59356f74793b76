"""Postings segments: BM25's term frequencies over a run of chunks, as flat arrays a file can hold.

A segment is a term-major CSR matrix (``indptr`` per term id, then each posting's column and tf)
over some chunks (``ids``, sorted, with their BM25 ``lengths``), plus an ``alive`` mask for chunks
deleted since it was built. Nothing global (idf, average length) is baked in, so a segment never
changes when others are added; that is what lets a file hold segments as they are
(:func:`to_arrays` / :func:`from_arrays`) and a reader add newer ones from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Segment", "from_arrays", "to_arrays"]

IntArray = NDArray[np.int64]


@dataclass
class Segment:
    """Postings of some chunks; column ``c`` is chunk ``ids[c]``. The arrays may be read-only memory maps."""

    ids: IntArray
    lengths: NDArray[Any]
    alive: NDArray[np.bool_]
    """A private, writable copy: deletions mark it."""
    indptr: NDArray[np.int64]
    cols: NDArray[np.int32]
    tf: NDArray[np.float32]
    counts: NDArray[np.int32]
    """Postings per column (distinct terms of the chunk)."""
    dead: int = 0

    @classmethod
    def build(cls, ids: IntArray, lengths: IntArray, terms: IntArray, chunks: IntArray, tf: IntArray) -> Segment:
        """A segment of chunks ``ids`` (with ``lengths``) from postings (term id, chunk id, tf)."""
        from scipy import sparse  # a writer's import: readers map segments and never build one

        order = np.argsort(ids, kind="stable")
        ids, lengths = ids[order], lengths[order]
        cols = np.searchsorted(ids, chunks)
        rows = int(terms.max()) + 1 if len(terms) else 1
        m = sparse.csr_matrix((tf.astype(np.float32), (terms, cols)), shape=(rows, len(ids)))
        m.sort_indices()
        counts = np.bincount(cols, minlength=len(ids)).astype(np.int32)
        alive = np.ones(len(ids), np.bool_)
        return cls(
            ids, lengths.astype(np.int32), alive, m.indptr.astype(np.int64), m.indices.astype(np.int32),
            m.data.astype(np.float32), counts,
        )  # fmt: skip

    @property
    def postings(self) -> int:
        return len(self.cols)

    @property
    def terms(self) -> int:
        """Rows of the matrix: one more than the largest term id it holds."""
        return len(self.indptr) - 1

    def kill(self, ids: IntArray) -> int:
        """Mark the columns of ``ids`` (those present and alive) dead; return how many postings died."""
        cols = np.searchsorted(self.ids, ids)
        inside = cols < len(self.ids)
        cols = cols[inside]
        cols = cols[(self.ids[cols] == ids[inside]) & self.alive[cols]]
        self.alive[cols] = False
        self.dead += len(cols)
        return int(self.counts[cols].sum())

    def coo(self) -> tuple[IntArray, IntArray, IntArray]:
        """(term, chunk id, tf) of the live postings."""
        terms = np.repeat(np.arange(self.terms, dtype=np.int64), np.diff(self.indptr))
        live = self.alive[self.cols]
        return terms[live], self.ids[self.cols[live]], self.tf[live].astype(np.int64)

    def gather(self, rows: list[int]) -> tuple[NDArray[np.int32], NDArray[np.float32], IntArray]:
        """The live postings of the terms ``rows``: (columns, tf, position of the term in ``rows``)."""
        parts = [slice(int(self.indptr[r]), int(self.indptr[r + 1])) for r in rows if r < self.terms]
        sizes = [p.stop - p.start for p in parts] + [0] * (len(rows) - len(parts))
        cols = np.concatenate([self.cols[p] for p in parts]) if parts else np.zeros(0, np.int32)
        tf = np.concatenate([self.tf[p] for p in parts]) if parts else np.zeros(0, np.float32)
        term = np.repeat(np.arange(len(rows)), sizes)
        if self.dead:
            live = self.alive[cols]
            cols, tf, term = cols[live], tf[live], term[live]
        return cols, tf, term


_FIELDS = ("ids", "lengths", "alive", "indptr", "cols", "tf", "counts")


def to_arrays(segments: list[Segment]) -> dict[str, NDArray[Any]]:
    """The segments as named arrays (``s0.ids``, ``s0.cols``, ...), for a derived file."""
    return {f"s{i}.{name}": getattr(s, name) for i, s in enumerate(segments) for name in _FIELDS}


def from_arrays(arrays: dict[str, NDArray[Any]], count: int) -> list[Segment]:
    """The ``count`` segments of :func:`to_arrays`, checked to be whole; ``ValueError`` says what is wrong.

    The checks read the columns once (a max, ~20 ms for 40M postings) so that no posting points
    outside its segment; the term frequencies' bytes are covered by the file's checksum, verified
    when it is built and by ``embedrag check``.
    """
    segments = []
    for i in range(count):
        part = {name: arrays[f"s{i}.{name}"] for name in _FIELDS}
        n, nnz = len(part["ids"]), len(part["cols"])
        if not (len(part["lengths"]) == len(part["alive"]) == len(part["counts"]) == n and len(part["tf"]) == nnz):
            raise ValueError(f"segment {i}: its arrays disagree in length")
        indptr = part["indptr"]
        if len(indptr) < 2 or indptr[0] != 0 or indptr[-1] != nnz or int(part["counts"].sum()) != nnz:
            raise ValueError(f"segment {i}: its term pointers do not span its {nnz} postings")
        if (np.diff(indptr) < 0).any() or (nnz and not 0 <= int(part["cols"].min()) <= int(part["cols"].max()) < n):
            raise ValueError(f"segment {i}: a posting points outside its {n} chunks")
        alive = np.array(part["alive"], dtype=np.bool_)  # a writable copy: deletions mark it
        dead = int(len(alive) - alive.sum())
        segments.append(
            Segment(part["ids"], part["lengths"], alive, indptr, part["cols"], part["tf"], part["counts"], dead)
        )
    return segments
