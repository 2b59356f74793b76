"""The index layer of a collection: SQLite store, BM25, vector search (exact and HNSW), filters, fusion."""

from embedrag.index._errors import CollectionLockedError, SpecMismatchError, StoreError
from embedrag.index.store import DocumentInfo, Store, StoreStats

__all__ = ["CollectionLockedError", "DocumentInfo", "SpecMismatchError", "Store", "StoreError", "StoreStats"]
