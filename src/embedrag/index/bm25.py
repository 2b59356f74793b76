"""BM25 as pure functions over arrays; variants (idf formulas) are a table, parameters are data.

The score of a chunk ``d`` for query terms ``q`` is ``sum(idf(t) * tf / (tf + k1 * (1 - b + b * |d| / avgdl)))``
over the distinct terms ``t`` of ``q`` present in ``d`` (bm25s' form: the constant ``k1 + 1`` factor
is dropped, which changes no ranking).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["IDF", "Bm25Params", "CorpusStats", "idf", "length_norms", "term_weights"]

FloatArray = NDArray[np.float64]

IDF: dict[str, Callable[[FloatArray, int], FloatArray]] = {
    # Lucene's idf is always positive, so a term in most chunks still counts a little.
    "lucene": lambda df, n: np.log1p((n - df + 0.5) / (df + 0.5)),
    "robertson": lambda df, n: np.log((n - df + 0.5) / (df + 0.5)),
    "atire": lambda df, n: np.log(n / np.maximum(df, 1.0)),
}
"""idf(df, n_chunks) by variant name."""


@dataclass(frozen=True)
class Bm25Params:
    """BM25 parameters; the defaults are Lucene's and bm25s'.

    >>> Bm25Params().method, Bm25Params().k1, Bm25Params().b
    ('lucene', 1.5, 0.75)
    """

    k1: float = 1.5
    b: float = 0.75
    method: str = "lucene"


@dataclass(frozen=True)
class CorpusStats:
    """What BM25 knows of the corpus: live chunks, their total length, and query terms' document frequencies.

    A value, so that an index scores with statistics computed elsewhere: a sharded collection adds
    its shards' statistics (:meth:`merged`) and every shard ranks as one collection would.

    >>> a, b = CorpusStats(2, 10.0, {"cat": 1}), CorpusStats(3, 20.0, {"cat": 2, "dog": 1})
    >>> CorpusStats.merged([a, b])
    CorpusStats(chunks=5, total_length=30.0, document_frequencies={'cat': 3, 'dog': 1})
    >>> CorpusStats.merged([a, b]).average_length
    6.0
    """

    chunks: int
    total_length: float
    document_frequencies: Mapping[str, int]

    @property
    def average_length(self) -> float:
        return self.total_length / max(self.chunks, 1)

    @classmethod
    def merged(cls, parts: Iterable[CorpusStats]) -> CorpusStats:
        """The statistics of the union of disjoint corpora."""
        chunks, total, df = 0, 0.0, dict[str, int]()
        for part in parts:
            chunks, total = chunks + part.chunks, total + part.total_length
            for term, n in part.document_frequencies.items():
                df[term] = df.get(term, 0) + n
        return cls(chunks, total, df)


def idf(params: Bm25Params, df: FloatArray, n_chunks: int) -> FloatArray:
    """Inverse document frequency of terms with document frequencies ``df`` among ``n_chunks``.

    >>> round(float(idf(Bm25Params(), np.array([1.0]), 10)[0]), 4)
    1.9924
    """
    return IDF[params.method](df, n_chunks)


def term_weights(params: Bm25Params, tf: FloatArray, chunk_len: FloatArray, avgdl: float) -> FloatArray:
    """The saturated, length-normalised term frequency of each posting (BM25 without idf).

    >>> term_weights(Bm25Params(), np.array([1.0, 2.0]), np.array([4.0, 4.0]), 4.0).round(3).tolist()
    [0.4, 0.571]
    """
    return tf / (tf + length_norms(params, chunk_len, avgdl))


def length_norms(params: Bm25Params, chunk_len: FloatArray, avgdl: float) -> FloatArray:
    """``k1 * (1 - b + b * |d| / avgdl)``: the part of the BM25 denominator that depends on the chunk.

    >>> length_norms(Bm25Params(), np.array([2.0, 4.0]), 4.0).tolist()
    [0.9375, 1.5]
    """
    return params.k1 * (1.0 - params.b + params.b * chunk_len / max(avgdl, 1e-9))
