"""The two writes besides an ingest: documents stored as given (a vector store's ``add``), and
documents chunked and embedded elsewhere (a Parquet import). Each is one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from embedrag._identity import content_hash
from embedrag.collection.rows import checked_ids
from embedrag.embed import Embedder
from embedrag.errors import InputError
from embedrag.index import Store
from embedrag.ingest.pipeline import IngestReport, embed_chunks
from embedrag.types import Chunk, Document, EmbeddedDocument, EmbeddingSpec

__all__ = ["put_documents", "store_embedded"]


def put_documents(
    store: Store, documents: Sequence[Document], *, chunk: Callable[[Document], list[Chunk]], embedder: Embedder
) -> None:
    """Chunk, embed and store ``documents``, each replacing a stored one of its id, nothing skipped.

    An id given twice, or a document without text to index, is an :class:`InputError` raised
    before anything is embedded or stored.
    """
    twice = sorted(doc_id for doc_id, n in Counter(checked_ids(doc.id for doc in documents)).items() if n > 1)
    if twice:
        raise InputError(f"document id(s) given twice: {', '.join(map(repr, twice[:10]))}")
    chunked = [chunk(doc) for doc in documents]
    empty = [doc.id for doc, chunks in zip(documents, chunked, strict=True) if not chunks]
    if empty:
        raise InputError(f"document(s) without any text to index: {', '.join(map(repr, empty[:10]))}")
    vectors = embed_chunks([piece.text for chunks in chunked for piece in chunks], embedder)
    offset = 0
    with store.write() as writer:
        for doc, chunks in zip(documents, chunked, strict=True):
            rows = vectors[offset : offset + len(chunks)]
            writer.put_document(doc, chunks, rows, content_hash=content_hash(doc.text))
            offset += len(chunks)


def store_embedded(
    store: Store, documents: Sequence[EmbeddedDocument], *, spec: EmbeddingSpec, report: IngestReport
) -> IngestReport:
    """Store documents embedded by an encoder of ``spec`` (checked against the store's); a document
    whose content hash is stored under its id is counted unchanged, the others replace their id."""
    store.check_spec(spec)
    with store.write() as writer:
        for item in documents:
            previous = writer.document_hash(checked_ids([item.document.id])[0])
            if previous == item.content_hash:
                report.unchanged += 1
                continue
            writer.put_document(item.document, item.chunks, item.vectors, content_hash=item.content_hash)
            report.count_stored(existed=previous is not None, chunks=len(item.chunks))
    return report
