"""Recommendation queries: items like these, unlike those (Rocchio's formula)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from embedrag.errors import InputError

__all__ = ["rocchio"]

F32 = npt.NDArray[np.float32]


def rocchio(liked: F32, disliked: F32 | None = None, *, alpha: float = 1.0, beta: float = 0.5) -> F32:
    """A unit query vector: ``alpha * mean(liked) - beta * mean(disliked)``.

    >>> liked = np.array([[1.0, 0.0], [0.8, 0.6]], np.float32)
    >>> rocchio(liked, np.array([[0.0, 1.0]], np.float32)).round(3)
    array([ 0.976, -0.217], dtype=float32)
    """
    if liked.shape[0] == 0:
        raise InputError("recommend needs at least one liked item")
    query = alpha * liked.mean(axis=0)
    if disliked is not None and disliked.shape[0]:
        query = query - beta * disliked.mean(axis=0)
    norm = float(np.linalg.norm(query))
    if norm == 0.0:
        raise InputError("liked and disliked items cancel out: no direction left to recommend")
    result: F32 = (query / norm).astype(np.float32)
    return result
