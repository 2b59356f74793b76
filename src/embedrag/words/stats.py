"""Correlation coefficients in plain numpy (no scipy): Pearson's r and Spearman's rho."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from embedrag.errors import InputError

__all__ = ["pearson", "rankdata", "spearman"]

Floats = npt.NDArray[np.float64]


def rankdata(values: npt.ArrayLike) -> Floats:
    """Ranks from 1, ties sharing their average rank (scipy's ``method="average"``).

    >>> rankdata([10, 30, 20, 20]).tolist()
    [1.0, 4.0, 2.5, 2.5]
    """
    x = np.asarray(values, dtype=np.float64)
    order = np.argsort(x, kind="mergesort")
    ordered = x[order]
    starts_group = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.cumsum(starts_group) - 1
    starts = np.flatnonzero(starts_group)
    sizes = np.diff(np.r_[starts, len(x)])
    ranks = np.empty(len(x), dtype=np.float64)
    ranks[order] = (starts + (sizes + 1) / 2.0)[group]
    return ranks


def pearson(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Pearson's correlation; NaN with fewer than two points or a constant input.

    >>> round(pearson([1, 2, 3], [2, 4, 7]), 4)
    0.9934
    """
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if a.shape != b.shape:
        raise InputError(f"x and y differ in shape: {a.shape} vs {b.shape}")
    if len(a) < 2:
        return math.nan
    a = a - a.mean()
    b = b - b.mean()
    denominator = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / denominator if denominator > 0 else math.nan


def spearman(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Spearman's rank correlation: Pearson's on the (tie-averaged) ranks.

    >>> spearman([1, 2, 3, 4], [10, 20, 25, 100])
    1.0
    """
    return pearson(rankdata(x), rankdata(y))
