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

from embedrag._linalg import unit_rows

__all__ = ["ANALOGY_METHODS", "AnalogyMethod"]

Matrix = npt.NDArray[np.float32]
Rows = npt.NDArray[np.intp]
AnalogyMethod = Callable[[Matrix, Matrix, Rows, Rows, float], Matrix]


def cos_add(unit: Matrix, candidates: Matrix, positive: Rows, negative: Rows, epsilon: float) -> Matrix:
    """3CosAdd scores, shape ``(queries, candidates)``; ``positive``/``negative`` are ``(queries, n)`` rows."""
    query = unit[positive].sum(axis=1) - unit[negative].sum(axis=1)
    query = unit_rows(query)
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
