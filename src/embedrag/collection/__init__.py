"""Collections: crash-safe stores of chunked, embedded documents with hybrid search."""

from embedrag.collection.collection import DEFAULT_MODEL, MODES, Collection, Mode
from embedrag.collection.pipeline import IngestReport

__all__ = ["DEFAULT_MODEL", "MODES", "Collection", "IngestReport", "Mode"]
