"""Collections: crash-safe stores of chunked, embedded documents with hybrid search."""

from embedrag.collection.collection import MODES, Collection, FilterSpec, Mode
from embedrag.collection.pipeline import IngestReport
from embedrag.collection.results import LLM, Answer, StoredChunk, hit_dict

__all__ = [
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
