"""The two writes besides an ingest: documents stored as given (a vector store's ``add``: each
replaces what its id held, duplicates of content allowed, as a vector store does), and documents
chunked and embedded elsewhere (a Parquet import, under the ingest's rules). Each is one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from embedrag._identity import content_hash
from embedrag.collection.rows import checked_ids
from embedrag.embed import Embedder
from embedrag.errors import InputError
from embedrag.index import Store
from embedrag.ingest.passages import Passage
from embedrag.ingest.pipeline import IngestReport, chunk_vectors, ingest_embedded
from embedrag.types import Document, EmbeddedDocument, EmbeddingSpec

__all__ = ["put_documents", "store_embedded"]


def put_documents(
    store: Store, documents: Sequence[Document], *, cut: Callable[[Document], list[Passage]], embedder: Embedder
) -> None:
    """Chunk, embed and store ``documents``, each replacing a stored one of its id, nothing skipped.

    An id given twice, or a document without text to index, is an :class:`InputError` raised
    before anything is embedded or stored.
    """
    twice = sorted(doc_id for doc_id, n in Counter(checked_ids(doc.id for doc in documents)).items() if n > 1)
    if twice:
        raise InputError(f"document id(s) given twice: {', '.join(map(repr, twice[:10]))}")
    cuts = [cut(doc) for doc in documents]
    chunked = [[passage.chunk for passage in passages] for passages in cuts]
    empty = [doc.id for doc, chunks in zip(documents, chunked, strict=True) if not chunks]
    if empty:
        raise InputError(f"document(s) without any text to index: {', '.join(map(repr, empty[:10]))}")
    vectors, tokens = chunk_vectors([passage.text for passages in cuts for passage in passages], embedder, store)
    offset = 0
    with store.write() as writer:
        for doc, chunks in zip(documents, chunked, strict=True):
            rows = vectors[offset : offset + len(chunks)]
            kept = None if tokens is None else tokens[offset : offset + len(chunks)]
            writer.put_document(doc, chunks, rows, content_hash=content_hash(doc.text), token_vectors=kept)
            offset += len(chunks)


def store_embedded(
    store: Store, documents: Sequence[EmbeddedDocument], *, spec: EmbeddingSpec, report: IngestReport
) -> IngestReport:
    """Store documents embedded by an encoder of ``spec`` (checked against the store's) under the
    ingest's rules (see :func:`~embedrag.ingest.pipeline.ingest_embedded`): an import that reuses a
    file's vectors keeps or refuses exactly the documents an import that re-embeds them would."""
    store.check_spec(spec)
    checked_ids(item.document.id for item in documents)
    return ingest_embedded(documents, store=store, report=report)
