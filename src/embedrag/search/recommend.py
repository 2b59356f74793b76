"""Recommendation queries: items like these, unlike those (Rocchio's formula), and the documents nearest a vector."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from embedrag.errors import InputError
from embedrag.index import Index
from embedrag.index.filters import Filters
from embedrag.index.retrieval import check_k
from embedrag.types import Hit

__all__ = ["nearest_documents", "rocchio"]

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


def nearest_documents(index: Index, vector: Any, k: int, filters: Filters | None, *, exclude: set[str]) -> list[Hit]:
    """The ``k`` documents nearest ``vector``, each as its best chunk, none of ``exclude``.

    The search widens until ``k`` documents are found or every chunk was a candidate.
    """
    check_k(k)
    wanted = k + 16
    while True:
        hits = [h for h in index.hits(index.dense(vector, wanted, filters)) if h.doc_id not in exclude]
        best: dict[str, Hit] = {}
        for hit in hits:  # one hit per document: its best chunk
            best.setdefault(hit.doc_id, hit)
        if len(best) >= k or wanted >= index.store.stats().chunks:
            return list(best.values())[:k]
        wanted *= 4
