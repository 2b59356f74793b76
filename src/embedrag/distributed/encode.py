"""The worker side of a distributed embedding: documents in, chunk rows with vectors out.

One :class:`ChunkEncoder` per Ray actor holds one encoder (threads from the actor's CPUs) and cuts
and embeds exactly as a collection's ingest does (:class:`~embedrag.ingest.passages.Passages`,
:func:`~embedrag.ingest.pipeline.embed_chunks`: each batch cut by the encoder into token-budget
batches of one length), so a vector computed here equals the one a single process would store.

Rows are Arrow tables. In: :data:`DOCUMENT_COLUMNS`, one row per document. Out: one row per chunk,
in the order of the documents, with the columns of ``embedrag export``
(:data:`embedrag.collection.parquet.COLUMNS` less ``id``) plus ``vector`` and ``skipped``; a
document without text to index gives one row whose ``skipped`` says why, and no vector.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pyarrow as pa

from embedrag._identity import content_hash
from embedrag.collection.parquet import COLUMNS
from embedrag.embed import Embedder
from embedrag.embed.embedder import Variant
from embedrag.ingest.passages import Passages
from embedrag.ingest.pipeline import embed_chunks
from embedrag.ingest.structure import without_structure
from embedrag.tokenize import load_tokenizer
from embedrag.types import Document

__all__ = ["DOCUMENT_COLUMNS", "ChunkEncoder", "Recipe", "chunk_schema"]

DOCUMENT_COLUMNS = {
    "id": pa.string(),
    "text": pa.string(),
    "source": pa.string(),
    "metadata": pa.string(),
    "skipped": pa.string(),
}
"""What a :class:`ChunkEncoder` reads: ``id`` may be null (the driver numbers such documents),
``metadata`` is a JSON object, ``skipped`` says why an input that a loader refused gave no document."""


@dataclass(frozen=True)
class Recipe:
    """How to cut and embed: the encoder, and the chunking a collection would use (sent to every actor)."""

    model: str
    variant: str = "fp32"
    """An :class:`Embedder` variant (a collection's own int8 build, e.g. ``int8-avx2`` or ``int8-vnni``)."""
    chunk_tokens: int | None = None
    """Word pieces per chunk; ``None``: the encoder's window less its special tokens (256 without a limit)."""
    overlap_tokens: int = 32
    passage_context: str = "none"


def chunk_schema(dims: int) -> pa.Schema:
    """The columns a :class:`ChunkEncoder` returns for vectors of ``dims`` floats."""
    columns = [(name, kind) for name, kind in COLUMNS.items() if name != "id"]
    return pa.schema([*columns, ("vector", pa.list_(pa.float32(), dims)), ("skipped", pa.string())])


class ChunkEncoder:
    """Cuts and embeds batches of documents; built once per Ray actor (the model loads once)."""

    def __init__(self, recipe: Recipe, threads: int | None = None) -> None:
        self.embedder = Embedder(recipe.model, variant=cast(Variant, recipe.variant), threads=threads)
        document = self.embedder.for_role("document")
        limit = self.embedder.max_tokens
        room = None if limit is None else limit - document.special_tokens
        self.passages = Passages(
            load_tokenizer(self.embedder.model_path),
            recipe.chunk_tokens or room or 256,
            recipe.overlap_tokens,
            context=recipe.passage_context,
            room=room,
        )
        self.schema = chunk_schema(self.embedder.dims)

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows: list[dict[str, Any]] = []
        texts: list[str] = []
        for doc, skipped in _documents(batch):
            cut = self.passages.cut(doc) if skipped is None else []
            if not cut:
                reason = skipped or f"{doc.source} has no text to index"
                rows.append({"doc_id": doc.id, "source": doc.source, "skipped": reason})
                continue
            digest, metadata = content_hash(doc.text), _without_structure(doc.metadata)
            for passage in cut:
                chunk = passage.chunk
                rows.append(
                    {
                        "doc_id": doc.id,
                        "position": chunk.position,
                        "text": chunk.text,
                        "start": chunk.start,
                        "end": chunk.end,
                        "tokens": chunk.tokens,
                        "source": doc.source,
                        "metadata": metadata,
                        "chunk_metadata": json.dumps(dict(chunk.metadata), ensure_ascii=False),
                        "content_hash": digest,
                    }
                )
                texts.append(passage.text)
        vectors = embed_chunks(texts, self.embedder.for_role("document")) if texts else None
        return self._table(rows, vectors)

    def _table(self, rows: list[dict[str, Any]], vectors: np.ndarray[Any, Any] | None) -> pa.Table:
        dims = self.embedder.dims
        flat = np.zeros((len(rows), dims), np.float32)
        embedded = [i for i, row in enumerate(rows) if row.get("skipped") is None]
        if vectors is not None:
            flat[embedded] = vectors
        present = np.zeros(len(rows), np.bool_)
        present[embedded] = True
        values = pa.array(flat.reshape(-1), pa.float32())
        vector = pa.FixedSizeListArray.from_arrays(values, dims, mask=pa.array(~present))
        scalars = pa.schema([f for f in self.schema if f.name != "vector"])
        table = pa.Table.from_pylist(rows, schema=scalars)
        return table.append_column("vector", vector).select(self.schema.names)


def _documents(batch: pa.Table) -> list[tuple[Document, str | None]]:
    """The batch's documents, each with why it cannot be used (``None`` when it can)."""
    out = []
    for row in batch.select(list(DOCUMENT_COLUMNS)).to_pylist():
        doc_id, text = row["id"] or "", row["text"]
        metadata = json.loads(row["metadata"] or "{}")
        source = row["source"] or doc_id
        skipped = row["skipped"]
        if skipped is None and not (isinstance(text, str) and text.strip()):
            skipped = f"{source or 'a document'} has no text"
        out.append((Document(doc_id, text or "", source, metadata), skipped))
    return out


def _without_structure(metadata: Any) -> str:
    """The document's metadata as stored: the outline and page starts served the chunker only."""
    return json.dumps(without_structure(metadata), ensure_ascii=False)
