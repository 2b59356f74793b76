"""What an encoder returns: the vectors and what happened to each input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["Embeddings", "LongInputPolicy"]

LongInputPolicy = Literal["truncate", "window", "error"]
"""What to do with an input longer than the model's limit:

- ``truncate``: keep the first ``max_tokens`` word pieces; the input's index is listed
  in :attr:`Embeddings.truncated` and :meth:`Embedder.encode` warns with
  :class:`~embedrag.errors.TruncationWarning`.
- ``window``: embed overlapping windows of the limit's size and average them, weighted
  by their token counts. Nothing is cut.
- ``error``: raise :class:`~embedrag.errors.InputError` naming the long inputs.
"""


@dataclass(frozen=True)
class Embeddings:
    """Vectors (n, dims) float32, in input order, with per-input token facts."""

    vectors: npt.NDArray[np.float32]
    tokens: npt.NDArray[np.int64]
    """Word pieces of each input (special tokens included), before any truncation."""
    truncated: tuple[int, ...]
    """Indices of the inputs that were cut to the model's limit."""
    windowed: tuple[int, ...] = ()
    """Indices of the inputs embedded as several windows."""

    def __len__(self) -> int:
        return int(self.vectors.shape[0])
