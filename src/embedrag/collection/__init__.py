"""Collections: crash-safe stores of chunked, embedded documents with hybrid search."""

from embedrag.collection.collection import DEFAULT_MODEL, MODES, Collection, FilterSpec, Mode
from embedrag.collection.pipeline import IngestReport
from embedrag.collection.results import LLM, Answer, StoredChunk, hit_dict

__all__ = [
    "DEFAULT_MODEL",
    "LLM",
    "MODES",
    "Answer",
    "Collection",
    "FilterSpec",
    "IngestReport",
    "Mode",
    "StoredChunk",
    "hit_dict",
]
