"""The index layer of a collection: SQLite store, BM25, vector search (exact and HNSW), filters."""

from embedrag.errors import CollectionLockedError, SpecMismatchError, StoreError
from embedrag.index.check import CheckReport
from embedrag.index.retrieval import EXACT_THRESHOLD, Index
from embedrag.index.store import DocumentInfo, Store, StoreStats

__all__ = [
    "EXACT_THRESHOLD",
    "CheckReport",
    "CollectionLockedError",
    "DocumentInfo",
    "Index",
    "SpecMismatchError",
    "Store",
    "StoreError",
    "StoreStats",
]
