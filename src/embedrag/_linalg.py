"""The row math every package needs: unit-length rows and top-k selection, written once.

Embedders normalise their output with :func:`unit_rows`, word vectors and the vector
indexes keep unit rows so a dot product is a cosine, and :func:`top_k` picks the best
scores for word neighbours, BM25 and exact dense search alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["top_k", "unit_rows"]


def unit_rows(matrix: Any) -> NDArray[np.float32]:
    """Rows scaled to length 1 (zero rows stay zero), as a new float32 matrix; one vector is one row.

    >>> unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    >>> unit_rows([0.0, 2.0]).tolist()
    [[0.0, 1.0]]
    """
    out = np.array(np.atleast_2d(matrix), dtype=np.float32)  # one copy, divided in place: GloVe is large
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms != 0)
    return out


def top_k(scores: NDArray[Any], k: int) -> NDArray[np.int64]:
    """Indices of the ``k`` highest ``scores``, highest first (ties: lower index first), in O(n + k log k).

    >>> top_k(np.array([0.1, 0.9, 0.5, 0.9]), 3).tolist()
    [1, 3, 2]
    >>> top_k(np.array([0.1, 0.9]), 5).tolist(), top_k(np.array([0.1, 0.9]), 0).tolist()
    ([1, 0], [])
    """
    k = min(k, scores.shape[0])
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    best = np.argpartition(-scores, k - 1)[:k]
    # Sort on (-score, index) so equal scores come out in a deterministic order.
    return best[np.lexsort((best, -scores[best]))].astype(np.int64)
