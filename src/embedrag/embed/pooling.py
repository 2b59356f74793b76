"""Pooling of token vectors into one vector per input: pure numpy functions.

Each pooler takes token vectors ``hidden`` of shape (batch, seq, dims) and the
attention ``mask`` of shape (batch, seq) (1 for real tokens, 0 for padding) and
returns (batch, dims) float32. ``POOLERS`` maps the sentence-transformers mode names
to them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = ["POOLERS", "Pooler", "cls_pool", "max_pool", "mean_pool"]

F32 = npt.NDArray[np.float32]
Pooler = Callable[[F32, npt.NDArray[np.int64]], F32]


def mean_pool(hidden: F32, mask: npt.NDArray[np.int64]) -> F32:
    """Average of the real tokens' vectors.

    >>> h = np.array([[[1.0, 2.0], [3.0, 4.0], [9.0, 9.0]]], np.float32)
    >>> mean_pool(h, np.array([[1, 1, 0]]))
    array([[2., 3.]], dtype=float32)
    """
    weights = mask.astype(np.float32)[..., None]
    total: F32 = np.einsum("bsd,bsx->bd", hidden, weights)
    counts = np.maximum(weights.sum(axis=1), 1.0)
    pooled: F32 = (total / counts).astype(np.float32)
    return pooled


def cls_pool(hidden: F32, mask: npt.NDArray[np.int64]) -> F32:
    """The first token's vector ([CLS] for BERT models)."""
    return np.ascontiguousarray(hidden[:, 0, :], dtype=np.float32)


def max_pool(hidden: F32, mask: npt.NDArray[np.int64]) -> F32:
    """Element-wise maximum over the real tokens (padding is ignored).

    >>> h = np.array([[[1.0, 5.0], [3.0, 4.0], [9.0, 9.0]]], np.float32)
    >>> max_pool(h, np.array([[1, 1, 0]]))
    array([[3., 5.]], dtype=float32)
    """
    masked: F32 = np.where(mask[..., None].astype(bool), hidden, np.float32(-np.inf))
    pooled: F32 = masked.max(axis=1).astype(np.float32)
    return pooled


POOLERS: dict[str, Pooler] = {"mean": mean_pool, "cls": cls_pool, "max": max_pool}
