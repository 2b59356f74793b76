"""Collections: crash-safe stores of chunked, embedded documents with hybrid search."""

from embedrag.collection.collection import Collection, FilterSpec, Mode
from embedrag.collection.results import LLM, Answer, StoredChunk, hit_dict
from embedrag.ingest.pipeline import IngestProgress, IngestReport

__all__ = [
    "LLM",
    "Answer",
    "Collection",
    "FilterSpec",
    "IngestProgress",
    "IngestReport",
    "Mode",
    "StoredChunk",
    "hit_dict",
]
