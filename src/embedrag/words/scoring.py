"""The math of word-vector queries: pure functions over unit-length row matrices.

Analogy methods are data (:data:`ANALOGY_METHODS`), each scoring every candidate row for
a batch of queries given as row indices (Levy & Goldberg 2014, "Linguistic Regularities
in Sparse and Explicit Word Representations"):

``add`` (3CosAdd)
    ``cos(x, sum(positive) - sum(negative))``, the query normalised: scores are cosines.
``mul`` (3CosMul)
    ``prod(cos'(x, p)) / (prod(cos'(x, n)) + epsilon)`` with cosines shifted to [0, 1],
    ``cos' = (1 + cos) / 2``; ``epsilon`` is 0.001 as in the paper (gensim uses 1e-6).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = ["ANALOGY_METHODS", "AnalogyMethod", "normalize_rows", "top_k"]

Matrix = npt.NDArray[np.float32]
Rows = npt.NDArray[np.intp]
AnalogyMethod = Callable[[Matrix, Matrix, Rows, Rows, float], Matrix]


def normalize_rows(vectors: npt.NDArray[np.floating]) -> Matrix:
    """Rows scaled to unit length (all-zero rows stay zero), as a new float32 matrix.

    >>> normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    out = np.array(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def top_k(scores: npt.NDArray[np.floating], k: int) -> Rows:
    """Indices of the ``k`` highest ``scores``, best first, in O(n) plus O(k log k).

    >>> top_k(np.array([0.1, 0.9, 0.5, 0.7]), 2).tolist()
    [1, 3]
    """
    k = min(k, scores.shape[0])
    if k <= 0:
        return np.empty(0, dtype=np.intp)
    best = np.argpartition(-scores, k - 1)[:k]
    # Sort by score, then by row (frequency order) so ties are deterministic.
    return best[np.lexsort((best, -scores[best]))]


def cos_add(unit: Matrix, candidates: Matrix, positive: Rows, negative: Rows, epsilon: float) -> Matrix:
    """3CosAdd scores, shape ``(queries, candidates)``; ``positive``/``negative`` are ``(queries, n)`` rows."""
    query = unit[positive].sum(axis=1) - unit[negative].sum(axis=1)
    query = normalize_rows(query)
    scores: Matrix = query @ candidates.T
    return scores


def cos_mul(unit: Matrix, candidates: Matrix, positive: Rows, negative: Rows, epsilon: float) -> Matrix:
    """3CosMul scores, shape ``(queries, candidates)``; cosines shifted to [0, 1] first."""
    numerator = np.ones((positive.shape[0], candidates.shape[0]), dtype=np.float32)
    for column in positive.T:
        numerator *= (1.0 + unit[column] @ candidates.T) / 2.0
    denominator = np.ones_like(numerator)
    for column in negative.T:
        denominator *= (1.0 + unit[column] @ candidates.T) / 2.0
    numerator /= denominator + np.float32(epsilon)
    return numerator


ANALOGY_METHODS: dict[str, AnalogyMethod] = {"add": cos_add, "mul": cos_mul}
