"""What ``Embedder.encode`` does to finished vectors: Matryoshka truncation, precision, output type.

Each precision is a pure function in :data:`PRECISIONS`, written to give exactly what
sentence-transformers' ``quantize_embeddings`` gives for the same float vectors: ``int8`` and
``uint8`` cut each dimension's range (its minimum and maximum over the vectors given, or over
``ranges``) into 256 buckets; ``binary`` and ``ubinary`` keep the sign bits, 8 to a byte.

>>> vectors = np.array([[0.5, -1.0, 0.25], [-0.5, 1.0, 0.0]], np.float32)
>>> quantize(vectors, "ubinary")
array([[160],
       [ 64]], dtype=uint8)
>>> quantize(vectors, "uint8")       # a maximum lands in bucket 254 or 255 by float rounding, as there
array([[254,   0, 254],
       [  0, 254,   0]], dtype=uint8)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from embedrag._linalg import unit_rows
from embedrag._optional import require
from embedrag.errors import ConfigError, InputError

__all__ = ["PRECISIONS", "Output", "Precision", "convert", "quantize", "truncate"]

Precision = Literal["float32", "int8", "uint8", "binary", "ubinary"]
Output = Literal["numpy", "tensor", "tensors"]
Vectors = npt.NDArray[np.float32]


def _buckets(vectors: Vectors, ranges: npt.NDArray[Any] | None) -> npt.NDArray[np.float64]:
    """Each value's bucket 0..255 within its dimension's range (as sentence-transformers computes it)."""
    if ranges is None:
        if len(vectors) == 0:
            return np.zeros(vectors.shape)
        if len(vectors) == 1:
            raise InputError(
                "int8/uint8 precision needs the range of each dimension: encode at least two texts "
                "together, or quantize with ranges= from a representative set"
            )
        ranges = np.vstack((vectors.min(axis=0), vectors.max(axis=0)))
    ranges = np.asarray(ranges, dtype=np.float32)
    if ranges.shape != (2, vectors.shape[1]):
        raise InputError(f"ranges must have shape (2, {vectors.shape[1]}), got {ranges.shape}")
    starts = ranges[0]
    steps = (ranges[1] - starts) / 255
    steps = np.where(steps == 0, 1, steps)
    return np.asarray(np.clip(np.floor((vectors - starts) / steps), 0, 255))


PRECISIONS: dict[str, Callable[[Vectors, npt.NDArray[Any] | None], npt.NDArray[Any]]] = {
    "float32": lambda v, _: v.astype(np.float32),
    "uint8": lambda v, r: _buckets(v, r).astype(np.uint8),
    "int8": lambda v, r: (_buckets(v, r) - 128).astype(np.int8),
    "binary": lambda v, _: (np.packbits(v > 0, axis=-1) - 128).astype(np.int8),
    "ubinary": lambda v, _: np.packbits(v > 0, axis=-1),
}
"""Precision name -> (float vectors, ranges or None) -> quantized vectors."""


def quantize(vectors: Vectors, precision: str, ranges: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
    """``vectors`` in ``precision``; ``ranges`` (shape (2, dims): minima, maxima) calibrates int8/uint8."""
    if precision not in PRECISIONS:
        raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    return PRECISIONS[precision](vectors, ranges)


def truncate(vectors: Vectors, dims: int | None, *, normalize: bool) -> Vectors:
    """The first ``dims`` dimensions (Matryoshka models are trained for it), unit rows again if ``normalize``.

    ``dims=None`` leaves the vectors as they are.
    """
    if dims is None:
        return vectors
    if not 0 < dims <= vectors.shape[1]:
        raise ConfigError(f"truncate_dim must be between 1 and {vectors.shape[1]}, got {dims}")
    cut = np.ascontiguousarray(vectors[:, :dims])
    return unit_rows(cut) if normalize else cut


def convert(vectors: npt.NDArray[Any], output: Output) -> Any:
    """``numpy``: the array; ``tensor``: one torch tensor; ``tensors``: a list of row tensors (needs torch)."""
    if output == "numpy":
        return vectors
    torch = require("torch", extra="hf", purpose="convert_to_tensor / convert_to_numpy=False")
    tensor = torch.from_numpy(vectors)
    return tensor if output == "tensor" else list(tensor)
