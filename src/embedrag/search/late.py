"""Late interaction (ColBERT-style MaxSim) scores over token vectors: pure numpy.

Each query token finds its most similar document token; the score is the mean of those
maxima, so it lies in [-1, 1] for unit token vectors and does not grow with query length.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["maxsim", "maxsim_many"]

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
