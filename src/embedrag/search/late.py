"""Late interaction (ColBERT-style MaxSim) scores over token vectors: pure numpy.

Each query token finds its most similar document token; the score is the mean of those
maxima, so it lies in [-1, 1] for unit token vectors and does not grow with query length.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["maxsim", "maxsim_many", "maxsim_stored"]

F32 = npt.NDArray[np.float32]


def maxsim(query: F32, document: F32) -> float:
    """MaxSim of unit token vectors ``query`` (q, d) against ``document`` (t, d).

    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    >>> maxsim(q, np.array([[1.0, 0.0]], np.float32))
    0.5
    """
    if query.shape[0] == 0 or document.shape[0] == 0:
        return 0.0
    return float((query @ document.T).max(axis=1).mean())


def maxsim_many(query: F32, documents: Sequence[F32]) -> F32:
    """MaxSim of ``query`` against each document, as a float32 array."""
    return np.array([maxsim(query, doc) for doc in documents], dtype=np.float32)


def maxsim_stored(query: F32, values: npt.NDArray[np.int8], scales: F32, starts: npt.NDArray[np.int64]) -> F32:
    """MaxSim of ``query`` (q, d) against documents stored as int8 rows end to end, in one pass.

    ``values`` (T, d) int8 and ``scales`` (T,) stand for the rows ``values[i] * scales[i]``
    (:mod:`embedrag.index.token_vectors`); document j is rows ``starts[j]`` up to ``starts[j + 1]``
    (the last up to T), each at least one row. One matrix product and a segmented max: no loop per
    document or token.

    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    >>> values = np.array([[127, 0], [0, 127], [127, 0]], np.int8)
    >>> scales = np.full(3, 1 / 127, np.float32)
    >>> [round(float(s), 3) for s in maxsim_stored(q, values, scales, np.array([0, 2]))]
    [1.0, 0.5]
    """
    if len(starts) == 0:
        return np.zeros(0, np.float32)
    if query.shape[0] == 0:
        return np.zeros(len(starts), np.float32)
    sims = (query @ values.T.astype(np.float32)) * scales  # (q, T): a cosine per query token and stored row
    scores: F32 = np.maximum.reduceat(sims, starts, axis=1).mean(axis=0).astype(np.float32)
    return scores
