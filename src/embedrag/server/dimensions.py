"""The ``dimensions`` option: which models may be shortened, and how.

Truncating a vector only keeps its meaning if the model put the most information first.
Static (Model2Vec-style) models do: their dimensions are principal components, in
decreasing order of variance (tokenlearn-static-64's per-dimension variance falls
monotonically from 1129 to 210). all-MiniLM-L6-v2 was not trained for it (no Matryoshka
loss), so shortening it is refused rather than silently degraded.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from embedrag._linalg import unit_rows
from embedrag.embed import Embedder
from embedrag.server.errors import ApiError

__all__ = ["shorten", "truncatable"]


def truncatable(embedder: Embedder) -> bool:
    """Whether ``dimensions`` below the model's size is accepted."""
    return embedder.spec.backend == "static"


def shorten(vectors: npt.NDArray[np.float32], embedder: Embedder, dims: int | None) -> npt.NDArray[np.float32]:
    """The first ``dims`` dimensions, renormalised; 400 when the model does not support it."""
    if dims is None or dims == embedder.dims:
        return vectors
    if dims > embedder.dims:
        raise ApiError(
            400,
            f"dimensions={dims} is more than {embedder.name}'s {embedder.dims}",
            type="invalid_request_error",
            code="invalid_dimensions",
            param="dimensions",
        )
    if not truncatable(embedder):
        raise ApiError(
            400,
            f"{embedder.name} does not support dimensions below {embedder.dims}: it was not trained to keep "
            "its meaning in fewer (static, PCA-ordered models do)",
            type="invalid_request_error",
            code="invalid_dimensions",
            param="dimensions",
        )
    return unit_rows(np.ascontiguousarray(vectors[:, :dims]))
