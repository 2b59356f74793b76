"""Small frozen dataclasses shared across embedrag."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EmbeddingSpec"]


@dataclass(frozen=True)
class EmbeddingSpec:
    """What a vector means: enough to refuse mixing vectors of different encoders.

    Stores record this next to their vectors; opening a store with an encoder whose
    spec differs is an error, not silently wrong results.
    """

    model: str
    """Catalogue name, or the folder name of a user's model directory."""
    backend: str
    """``onnx`` or ``static``."""
    variant: str
    """``fp32`` or ``int8`` for ONNX models; ``fp32`` for static models."""
    dims: int
    max_tokens: int | None
    """Word pieces per input, special tokens included; ``None`` if unlimited."""
    pooling: str
    normalize: bool
    tokenizer_hash: str
    """sha256 of the tokenizer file, so two vocabularies with one name cannot mix."""
