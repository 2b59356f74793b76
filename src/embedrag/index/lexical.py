"""BM25 search over a store: a derived in-memory copy of the postings, caught up incrementally.

The postings in SQLite are the truth (written in the chunk's own transaction). This module keeps
them in memory as *segments*, Lucene-style: each segment is a term-major CSR matrix of raw term
frequencies over a run of chunks, plus those chunks' ids and lengths and an alive mask. Nothing
global (idf, average length) is baked in, so a write costs only its own size: the next query loads
the newer postings as a new segment and marks deleted chunks dead. Segments merge (dropping the
dead) once the newer ones hold a quarter of the postings, which keeps the work per write amortised
O(its size). A query gathers its terms' rows from every segment, counts the live postings of each
term (its document frequency), and scores them exactly: ``idf * tf / (tf + k1 * (1 - b + b * len / avgdl))``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from embedrag._linalg import top_k
from embedrag.index.bm25 import Bm25Params, idf, length_norms
from embedrag.index.schema import deleted_since, read_generation
from embedrag.index.store import Store

__all__ = ["LexicalIndex"]

IntArray = NDArray[np.int64]
MERGE_FRACTION = 0.25
"""Merge the segments when the newer ones (or the dead postings) reach this share of all postings."""


@dataclass
class _Segment:
    """Postings of some chunks: ``matrix`` is terms x columns of term frequencies (CSR)."""

    ids: IntArray
    lengths: NDArray[np.float64]
    alive: NDArray[np.bool_]
    matrix: Any
    counts: IntArray
    """Postings per column (distinct terms of the chunk)."""
    dead: int = 0

    @classmethod
    def build(cls, ids: IntArray, lengths: IntArray, terms: IntArray, chunks: IntArray, tf: IntArray) -> _Segment:
        order = np.argsort(ids, kind="stable")
        ids, lengths = ids[order], lengths[order]
        cols = np.searchsorted(ids, chunks)
        rows = int(terms.max()) + 1 if len(terms) else 1
        matrix = sparse.csr_matrix((tf.astype(np.float64), (terms, cols)), shape=(rows, len(ids)))
        alive = np.ones(len(ids), np.bool_)
        return cls(ids, lengths.astype(np.float64), alive, matrix, np.bincount(cols, minlength=len(ids)))

    @property
    def postings(self) -> int:
        return int(self.matrix.nnz)

    def kill(self, ids: IntArray) -> int:
        """Mark the columns of ``ids`` (those present) dead; return how many postings died."""
        cols = np.searchsorted(self.ids, ids)
        inside = cols < len(self.ids)
        cols = cols[inside]
        cols = cols[(self.ids[cols] == ids[inside]) & self.alive[cols]]
        self.alive[cols] = False
        self.dead += len(cols)
        return int(self.counts[cols].sum())

    def coo(self) -> tuple[IntArray, IntArray, IntArray]:
        """(term, chunk id, tf) of the live postings."""
        m = self.matrix
        terms = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr))
        live = self.alive[m.indices]
        return terms[live], self.ids[m.indices[live]], m.data[live].astype(np.int64)

    def gather(self, rows: list[int]) -> tuple[NDArray[np.int32], NDArray[np.float64], IntArray]:
        """The live postings of the terms ``rows``: (columns, tf, position of the term in ``rows``)."""
        m = self.matrix
        parts = [slice(m.indptr[r], m.indptr[r + 1]) for r in rows if r < m.shape[0]]
        sizes = [p.stop - p.start for p in parts] + [0] * (len(rows) - len(parts))
        cols = np.concatenate([m.indices[p] for p in parts]) if parts else np.zeros(0, np.int32)
        tf = np.concatenate([m.data[p] for p in parts]) if parts else np.zeros(0)
        term = np.repeat(np.arange(len(rows)), sizes)
        if self.dead:
            live = self.alive[cols]
            cols, tf, term = cols[live], tf[live], term[live]
        return cols, tf, term


class LexicalIndex:
    """BM25 over a :class:`Store`; :meth:`search` always reflects the latest committed generation."""

    def __init__(self, store: Store, params: Bm25Params | None = None) -> None:
        self.store = store
        self.params = params or Bm25Params()
        self.generation = -1
        self._terms: dict[str, int] = {}
        self._max_term = 0
        self._segments: list[_Segment] = []
        self._dead_postings = 0
        self.chunk_ids: IntArray = np.zeros(0, np.int64)
        """Chunk id of each score column (segment after segment; dead columns score 0)."""
        self._lengths = np.zeros(0, np.float64)
        self._norms = np.zeros(0, np.float64)
        self._alive = 0

    def refresh(self) -> None:
        """Catch up with the store: load newer postings as a segment, mark deleted chunks dead."""
        with self.store.read() as conn:
            generation = read_generation(conn)
            if generation == self.generation:
                return
            self._load_changes(conn, self.generation)
        self.generation = generation
        self._maybe_merge()
        self._columns()

    def _load_changes(self, conn: sqlite3.Connection, since: int) -> None:
        new = np.array(
            conn.execute("SELECT id, lex_len FROM chunks WHERE generation > ?", (since,)).fetchall(),
            dtype=np.int64,
        ).reshape(-1, 2)
        # A replaced chunk is deleted and re-added under a new id; a repair may re-announce an old id.
        gone = np.union1d(np.array(deleted_since(conn, since), dtype=np.int64), new[:, 0])
        for segment in self._segments:
            self._dead_postings += segment.kill(gone)
        if len(new):
            posts = np.array(
                conn.execute(
                    "SELECT p.term_id, p.chunk_id, p.tf FROM postings p JOIN chunks c ON c.id = p.chunk_id"
                    " WHERE c.generation > ?",
                    (since,),
                ).fetchall(),
                dtype=np.int64,
            ).reshape(-1, 3)
            self._segments.append(_Segment.build(new[:, 0], new[:, 1], posts[:, 0], posts[:, 1], posts[:, 2]))
        terms = conn.execute("SELECT term, id FROM terms WHERE id > ?", (self._max_term,)).fetchall()
        self._terms.update(terms)
        self._max_term = max([self._max_term, *(i for _, i in terms)])

    def _maybe_merge(self) -> None:
        """Merge all segments into one without the dead when the newer or the dead postings grew."""
        if not self._segments:
            return
        total = sum(s.postings for s in self._segments)
        newer = total - self._segments[0].postings
        if len(self._segments) == 1 and self._dead_postings == 0:
            return
        if max(newer, self._dead_postings) < MERGE_FRACTION * total and len(self._segments) <= 16:
            return
        parts = [s.coo() for s in self._segments]
        ids = np.concatenate([s.ids[s.alive] for s in self._segments])
        lengths = np.concatenate([s.lengths[s.alive] for s in self._segments]).astype(np.int64)
        terms, chunks, tf = (np.concatenate(column) for column in zip(*parts, strict=True))
        self._segments = [_Segment.build(ids, lengths, terms, chunks, tf)] if len(ids) else []
        self._dead_postings = 0

    def _columns(self) -> None:
        segments = self._segments
        self.chunk_ids = np.concatenate([s.ids for s in segments]) if segments else np.zeros(0, np.int64)
        self._lengths = np.concatenate([s.lengths for s in segments]) if segments else np.zeros(0)
        alive = np.concatenate([s.alive for s in segments]) if segments else np.zeros(0, np.bool_)
        self._alive = int(alive.sum())
        avgdl = float(self._lengths[alive].mean()) if self._alive else 0.0
        # The length part of each column's BM25 denominator: per column, not per posting, so cheap to redo.
        self._norms = length_norms(self.params, self._lengths, avgdl)

    def scores(self, query: str) -> NDArray[np.float32]:
        """BM25 score of every column of :attr:`chunk_ids` for ``query``'s distinct terms."""
        self.refresh()
        rows = sorted({self._terms[t] for t in self.store.analyzer.terms(query) if t in self._terms})
        if not rows or not self._segments:
            return np.zeros(len(self.chunk_ids), np.float32)
        parts, offset = [], 0
        for segment in self._segments:
            cols, tf, term = segment.gather(rows)
            parts.append((cols + offset, tf, term))
            offset += len(segment.ids)
        cols, tf, term = (np.concatenate(column) for column in zip(*parts, strict=True))
        df = np.bincount(term, minlength=len(rows)).astype(np.float64)
        weights = idf(self.params, df, self._alive)[term] * (tf / (tf + self._norms[cols]))
        return np.bincount(cols, weights=weights, minlength=len(self.chunk_ids)).astype(np.float32)

    def search(self, query: str, k: int, candidates: IntArray | None = None) -> list[tuple[int, float]]:
        """The ``k`` best ``(chunk id, score)`` with a positive score, best first.

        ``candidates`` (sorted chunk ids, e.g. from a filter) restricts the search to those chunks.
        """
        scores = self.scores(query)
        cols = np.flatnonzero(scores > 0)
        if candidates is not None:
            cols = cols[np.isin(self.chunk_ids[cols], candidates)]
        best = top_k(scores[cols], k)
        return [(int(self.chunk_ids[cols[i]]), float(scores[cols[i]])) for i in best]
