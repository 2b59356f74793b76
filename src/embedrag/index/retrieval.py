"""Retrieval over one :class:`Store`: dense (exact below a size, HNSW above), lexical and filtered queries, hits loaded.

>>> import tempfile, numpy as np
>>> from embedrag.types import Chunk, Document, EmbeddingSpec
>>> spec = EmbeddingSpec("toy", "static", "fp32", 2, None, "mean", True, "abc")
>>> store = Store.open(tempfile.mkdtemp(), spec=spec, create=True)
>>> with store.write() as w:
...     w.put_document(Document("a", "red apples", "fruit/a.txt", {"year": 2004}),
...                    [Chunk("a", 0, "red apples", 0, 10, 2)], np.array([[1.0, 0.0]]))
...     w.put_document(Document("b", "green pears", "veg/b.txt", {"year": 2010}),
...                    [Chunk("b", 0, "green pears", 0, 11, 2)], np.array([[0.0, 1.0]]))
>>> index = Index(store)
>>> [(chunk_id, round(score, 3)) for chunk_id, score in index.dense([0.1, 1.0], k=1)]
[(2, 0.995)]
>>> [h.id for h in index.hits(index.lexical("apples", k=5, filters={"year": {"lt": 2005}}))]
['a#0']
>>> store.close()
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from embedrag._identity import chunk_id
from embedrag._linalg import unit_rows
from embedrag.errors import InputError
from embedrag.index.bm25 import Bm25Params, CorpusStats
from embedrag.index.filters import Filters, candidate_ids, metadata_keys
from embedrag.index.hnsw import HnswIndex
from embedrag.index.lexical import LexicalIndex
from embedrag.index.schema import read_generation
from embedrag.index.store import Store
from embedrag.index.vectors import ExactVectors
from embedrag.types import Hit

__all__ = ["EXACT_THRESHOLD", "Index", "check_k", "unit_query"]

EXACT_THRESHOLD = 20_000
"""Collections (or filtered subsets) with at most this many chunks are searched exactly: at 384
dims a matmul over 20k rows takes ~2 ms, and exact results need no derived file."""

Scored = list[tuple[int, float]]


class Index:
    """Dense and BM25 search over a store; derived structures are built lazily and kept fresh."""

    def __init__(
        self,
        store: Store,
        *,
        exact_threshold: int | None = None,
        hnsw_dtype: str = "f32",
        bm25: Bm25Params | None = None,
    ) -> None:
        self.store = store
        self.exact_threshold = EXACT_THRESHOLD if exact_threshold is None else exact_threshold
        self._lexical = LexicalIndex(store, bm25)
        self._exact = ExactVectors(store)
        self._hnsw = HnswIndex(store, dtype=hnsw_dtype)
        self._keys: tuple[int, set[str]] = (-1, set())
        self._size: tuple[int, int] = (-1, 0)
        self._wrote = False
        """True once :meth:`prepare` ran: this process writes, so it may publish the graph file."""

    def dense(self, query_vector: Any, k: int, filters: Filters | None = None, *, exact: bool = False) -> Scored:
        """The ``k`` chunks nearest to ``query_vector`` (cosine), as ``(chunk id, score)``, best first.

        Exact when ``exact``, when the collection (or the filtered subset) has at most
        ``exact_threshold`` chunks; otherwise HNSW (see :mod:`embedrag.index.hnsw`).
        """
        check_k(k)
        query = unit_query(query_vector, self.store.spec.dims)
        candidates = self._candidates(filters)
        generation, count = self._counted()
        size = count if candidates is None else len(candidates)
        if exact or size <= self.exact_threshold:
            return self._exact.search(query, min(k, max(size, 1)), candidates)
        # the generation just read tells the graph whether it is current: one read transaction per query
        return self._hnsw.search(query, k, candidates, generation=generation)

    def lexical(
        self, query_text: str, k: int, filters: Filters | None = None, *, stats: CorpusStats | None = None
    ) -> Scored:
        """The ``k`` best BM25 matches of ``query_text`` (chunks sharing at least one term), best first.

        ``stats``: the corpus statistics to score with (a sharded collection's, all shards summed).
        """
        check_k(k)
        return self._lexical.search(query_text, k, self._candidates(filters), stats=stats)

    def corpus_stats(self, query_text: str) -> CorpusStats:
        """BM25's statistics of this store for ``query_text``'s terms: one shard's share of a sharded collection's."""
        return self._lexical.corpus_stats(self.store.analyzer.terms(query_text))

    def hits(self, scored: Sequence[tuple[int, float]]) -> list[Hit]:
        """Load text, source and metadata (document's, overlaid by the chunk's) for scored chunk ids.

        Ids deleted since they were scored are skipped.
        """
        ids = [int(i) for i, _ in scored]
        rows: dict[int, tuple[Any, ...]] = {}
        sql = (
            "SELECT c.id, c.doc_id, c.position, c.text, c.metadata, d.source, d.metadata, c.start_char, c.end_char"
            " FROM chunks c"
            " JOIN documents d ON d.id = c.doc_id WHERE c.id IN ({})"
        )
        with self.store.read() as conn:
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                for row in conn.execute(sql.format(",".join("?" * len(part))), part):
                    rows[row[0]] = row
        hits = []
        for rowid, score in scored:
            if rowid in rows:
                _, doc_id, position, text, chunk_meta, source, doc_meta, start, end = rows[rowid]
                metadata = {**json.loads(doc_meta), **json.loads(chunk_meta)}
                hits.append(Hit(chunk_id(doc_id, position), float(score), text, source, metadata, doc_id, start, end))
        return hits

    def document_vectors(self, doc_ids: Sequence[str]) -> NDArray[np.float32]:
        """One unit vector per document: the mean of its chunks' vectors, in the order given.

        Unknown ids raise :class:`InputError` naming them.
        """
        ids = list(dict.fromkeys(doc_ids))
        sums = {doc_id: np.zeros(self.store.spec.dims, np.float64) for doc_id in ids}
        with self.store.read() as conn:
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                sql = f"SELECT doc_id, vector FROM chunks WHERE doc_id IN ({','.join('?' * len(part))})"
                for doc_id, blob in conn.execute(sql, part):
                    sums[doc_id] += np.frombuffer(blob, dtype=np.float32)
        missing = [doc_id for doc_id, total in sums.items() if not total.any()]
        if missing:
            raise InputError(f"no such document(s) in the collection: {', '.join(map(repr, missing[:10]))}")
        out = np.array([sums[doc_id] for doc_id in doc_ids], dtype=np.float32)
        return unit_rows(out)

    def prepare(self) -> None:
        """Catch up the BM25 postings (publishing their file when it lags) and build or catch up
        the HNSW graph if the collection is above ``exact_threshold``.

        Called after writes, so the first search after an ingest does not pay for them.
        """
        self._wrote = True
        self._lexical.publish()
        if self._counted()[1] > self.exact_threshold:
            self._hnsw.refresh()

    def save(self) -> None:
        """Publish the derived files (BM25 postings, HNSW graph) if this process wrote to the
        collection and they lag behind. A reader never writes: it catches stale ones up in memory.
        """
        if not self._wrote:
            return
        self._lexical.publish()  # a small lag is cheaper to catch up at open than to rewrite the file
        if len(self._hnsw):
            self._hnsw.save()

    def chunk_count(self) -> int:
        """The number of chunks in the store (counted again only after writes)."""
        return self._counted()[1]

    def _counted(self) -> tuple[int, int]:
        """The store's generation and its number of chunks (counted again only after writes)."""
        with self.store.read() as conn:
            generation = read_generation(conn)
            if self._size[0] != generation:
                self._size = (generation, int(conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]))
        return self._size

    def _candidates(self, filters: Filters | None) -> NDArray[np.int64] | None:
        if not filters:
            return None
        with self.store.read() as conn:
            generation = read_generation(conn)
            if self._keys[0] != generation:
                self._keys = (generation, metadata_keys(conn))
            return candidate_ids(conn, filters, self._keys[1])


def unit_query(vector: Any, dims: int) -> NDArray[np.float32]:
    """``vector`` scaled to length 1, or an :class:`InputError`: not ``dims`` numbers, NaN or infinite, or zero.

    Scaled in float64 by its largest value first, so that neither a tiny vector (whose float32 squares
    underflow to a zero norm) nor a huge one (infinite in float32) loses its direction.

    >>> unit_query([0.0, 3e-30, 4e-30], 3).tolist()
    [0.0, 0.6000000238418579, 0.800000011920929]
    """
    try:
        query = np.asarray(vector, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as e:
        raise InputError(f"a query vector must be {dims} numbers: {e}") from None
    if query.shape[0] != dims:
        raise InputError(f"query vector has {query.shape[0]} dims, the collection has {dims}")
    if not np.isfinite(query).all():
        raise InputError("the query vector contains NaN or infinity")
    largest = float(np.abs(query).max())
    if largest == 0.0:
        raise InputError("the query vector is zero: it has no direction to rank chunks by")
    query = query / largest
    return (query / np.linalg.norm(query)).astype(np.float32)


def check_k(k: int) -> None:
    """Raise :class:`InputError` unless ``k`` is a positive integer (booleans are not)."""
    if not isinstance(k, int) or isinstance(k, bool) or k <= 0:
        raise InputError(f"k must be a positive integer, got {k!r}")
