"""BM25 search over a store: a derived in-memory sparse matrix, caught up by generation.

The postings in SQLite are the truth (written in the chunk's own transaction). This module keeps
their copy as COO arrays plus a CSR matrix (terms x chunks) of BM25 weights ``idf * tf-part``,
so a query is: slice the query terms' rows, ``bincount`` them into per-chunk scores, ``argpartition``.
After a write, the next query loads only the postings of newer generations and the ids deleted
since, then recomputes the weights (one vectorised pass over the postings: idf and avgdl moved).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from embedrag.index.bm25 import Bm25Params, idf, term_weights
from embedrag.index.schema import deleted_since, read_generation
from embedrag.index.store import Store
from embedrag.index.topk import top_k

__all__ = ["LexicalIndex"]

IntArray = NDArray[np.int64]


class LexicalIndex:
    """BM25 over a :class:`Store`; :meth:`search` always reflects the latest committed generation."""

    def __init__(self, store: Store, params: Bm25Params | None = None) -> None:
        self.store = store
        self.params = params or Bm25Params()
        self.generation = -1
        self._terms: dict[str, int] = {}
        self._max_term = 0
        self._p_term: IntArray = np.zeros(0, np.int64)
        self._p_chunk: IntArray = np.zeros(0, np.int64)
        self._p_tf: IntArray = np.zeros(0, np.int64)
        self.chunk_ids: IntArray = np.zeros(0, np.int64)
        """Chunk ids in column order (ascending: ids only grow)."""
        self._lengths: IntArray = np.zeros(0, np.int64)
        self._matrix: Any = sparse.csr_matrix((1, 0))

    def refresh(self) -> None:
        """Catch up with the store: load newer postings, drop deleted chunks, recompute weights."""
        with self.store.read() as conn:
            generation = read_generation(conn)
            if generation == self.generation:
                return
            self._load_changes(conn, self.generation)
        self.generation = generation
        self._rebuild()

    def _load_changes(self, conn: sqlite3.Connection, since: int) -> None:
        gone = np.array(deleted_since(conn, since), dtype=np.int64)
        new = np.array(
            conn.execute("SELECT id, lex_len FROM chunks WHERE generation > ? ORDER BY id", (since,)).fetchall(),
            dtype=np.int64,
        ).reshape(-1, 2)
        posts = np.array(
            conn.execute(
                "SELECT p.term_id, p.chunk_id, p.tf FROM postings p JOIN chunks c ON c.id = p.chunk_id"
                " WHERE c.generation > ?",
                (since,),
            ).fetchall(),
            dtype=np.int64,
        ).reshape(-1, 3)
        terms = conn.execute("SELECT term, id FROM terms WHERE id > ?", (self._max_term,)).fetchall()
        self._terms.update(terms)
        self._max_term = max([self._max_term, *(i for _, i in terms)])
        # A replaced chunk is both deleted and (under a new id) added: drop first, then append.
        keep_post = ~np.isin(self._p_chunk, gone)
        keep_chunk = ~np.isin(self.chunk_ids, gone)
        self._p_term = np.concatenate([self._p_term[keep_post], posts[:, 0]])
        self._p_chunk = np.concatenate([self._p_chunk[keep_post], posts[:, 1]])
        self._p_tf = np.concatenate([self._p_tf[keep_post], posts[:, 2]])
        self.chunk_ids = np.concatenate([self.chunk_ids[keep_chunk], new[:, 0]])
        self._lengths = np.concatenate([self._lengths[keep_chunk], new[:, 1]])
        if (np.diff(self.chunk_ids) < 0).any():  # a repair re-announced an old id
            order = np.argsort(self.chunk_ids)
            self.chunk_ids, self._lengths = self.chunk_ids[order], self._lengths[order]

    def _rebuild(self) -> None:
        n = len(self.chunk_ids)
        cols = np.searchsorted(self.chunk_ids, self._p_chunk)
        df = np.bincount(self._p_term, minlength=self._max_term + 1).astype(np.float64)
        avgdl = float(self._lengths.mean()) if n else 0.0
        weights = idf(self.params, df, n)[self._p_term] * term_weights(
            self.params, self._p_tf.astype(np.float64), self._lengths[cols].astype(np.float64), avgdl
        )
        shape = (self._max_term + 1, n)
        self._matrix = sparse.csr_matrix((weights.astype(np.float32), (self._p_term, cols)), shape=shape)

    def scores(self, query: str) -> NDArray[np.float32]:
        """BM25 score of every chunk (column order of :attr:`chunk_ids`) for ``query``'s distinct terms."""
        self.refresh()
        rows = sorted({self._terms[t] for t in self.store.analyzer.terms(query) if t in self._terms})
        m = self._matrix
        parts = [slice(m.indptr[r], m.indptr[r + 1]) for r in rows]
        if not parts:
            return np.zeros(len(self.chunk_ids), np.float32)
        cols = np.concatenate([m.indices[p] for p in parts])
        vals = np.concatenate([m.data[p] for p in parts])
        return np.bincount(cols, weights=vals, minlength=len(self.chunk_ids)).astype(np.float32)

    def search(self, query: str, k: int, candidates: IntArray | None = None) -> list[tuple[int, float]]:
        """The ``k`` best ``(chunk id, score)`` with a positive score, best first.

        ``candidates`` (sorted chunk ids, e.g. from a filter) restricts the search to those chunks.
        """
        scores = self.scores(query)
        cols = np.flatnonzero(scores > 0)
        if candidates is not None:
            cols = cols[np.isin(self.chunk_ids[cols], candidates, assume_unique=True)]
        best = top_k(scores[cols], k)
        return [(int(self.chunk_ids[cols[i]]), float(scores[cols[i]])) for i in best]
