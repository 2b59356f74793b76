"""Small frozen dataclasses shared across embedrag."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from embedrag._identity import chunk_id

__all__ = ["Chunk", "Document", "EmbeddedDocument", "EmbeddingSpec", "Hit"]


@dataclass(frozen=True)
class EmbeddingSpec:
    """What a vector means: enough to refuse mixing vectors of different encoders.

    Stores record this next to their vectors; opening a store with an encoder whose
    spec differs is an error, not silently wrong results.
    """

    model: str
    """Catalogue name, or the folder name of a user's model directory."""
    backend: str
    """``onnx``, ``static`` or ``clip``."""
    variant: str
    """``fp32`` or ``int8`` for ONNX models; ``fp32`` for static models."""
    dims: int
    max_tokens: int | None
    """Word pieces per input, special tokens included; ``None`` if unlimited."""
    pooling: str
    normalize: bool
    tokenizer_hash: str
    """sha256 of the tokenizer file, so two vocabularies with one name cannot mix."""
    query_prompt: str = ""
    """Text put before every query (e5's ``query: ``); "" for none. Collections written before
    prompts existed have none."""
    passage_prompt: str = ""
    """Text put before every passage a collection stores (e5's ``passage: ``); "" for none."""
    passage_context: str = "none"
    """What a collection puts before each chunk's text when it embeds it: ``title-headings`` (the
    document's title and the chunk's heading path, see :mod:`embedrag.ingest.passages`) or ``none``.
    An encoder alone adds none; collections written before this was recorded have none."""


@dataclass(frozen=True)
class Document:
    """One unit of ingestion: a file's text, or one record of a JSONL/CSV file."""

    id: str
    """Stable identifier: the file's path relative to the ingest root, or the record's id."""
    text: str
    source: str
    """Where it came from: the ingested file's path, or the document id for records."""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """JSON-serialisable values (str, int, float, bool, None, lists of them)."""


@dataclass(frozen=True)
class Chunk:
    """A piece of a document that is embedded and searched on its own."""

    doc_id: str
    position: int
    """0-based index of the chunk within its document."""
    text: str
    start: int
    """Character offset of the chunk's first character in the document text."""
    end: int
    """Character offset just past the chunk's last character: ``document.text[start:end] == text``."""
    tokens: int
    """Word pieces of ``text`` in the collection's tokenizer (special tokens excluded)."""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """Chunk-level facts, e.g. ``{"headings": ["Install", "From source"]}``."""

    @property
    def id(self) -> str:
        """``<doc_id>#<position>``: unique in a collection (see :func:`embedrag._identity.chunk_id`)."""
        return chunk_id(self.doc_id, self.position)


@dataclass(frozen=True)
class Hit:
    """One search result."""

    id: str
    """The chunk id, ``<doc_id>#<position>``."""
    score: float
    text: str
    source: str
    metadata: Mapping[str, Any]
    doc_id: str
    start: int | None = None
    """Character offset of the text in its document (``document.text[start:end] == text``), if known."""
    end: int | None = None


@dataclass(frozen=True)
class EmbeddedDocument:
    """A document already chunked and embedded elsewhere (a Parquet export), ready to be stored as it is."""

    document: Document
    chunks: Sequence[Chunk]
    vectors: Any
    """Array (len(chunks), dims): row i embeds ``chunks[i]``."""
    content_hash: str
    """The hash that decides "unchanged" (:func:`embedrag._identity.content_hash` of the original text)."""
