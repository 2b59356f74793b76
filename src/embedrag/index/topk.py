"""Top-k selection over a score array."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["top_k"]


def top_k(scores: NDArray[Any], k: int) -> NDArray[np.int64]:
    """Indices of the ``k`` highest ``scores``, highest first (ties: lower index first).

    >>> top_k(np.array([0.1, 0.9, 0.5, 0.9]), 3).tolist()
    [1, 3, 2]
    """
    n = len(scores)
    part = np.arange(n) if k >= n else np.argpartition(-scores, k - 1)[:k]
    # Stable sort on (-score, index) so equal scores come out in a deterministic order.
    order = np.lexsort((part, -scores[part]))
    return part[order].astype(np.int64)
