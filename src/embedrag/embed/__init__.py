"""Sentence embeddings: ONNX Runtime transformer encoders and static (Model2Vec-style) tables."""

from embedrag.embed.embedder import Embedder
from embedrag.embed.result import Embeddings, LongInputPolicy

__all__ = ["Embedder", "Embeddings", "LongInputPolicy"]
