"""The inside of a write transaction: put and delete documents with their chunks, vectors and postings."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from embedrag import _identity
from embedrag.errors import InputError
from embedrag.index.text import Analyzer, term_counts
from embedrag.index.token_vectors import row as token_row
from embedrag.types import Chunk, Document, EmbeddingSpec

__all__ = ["Lookups", "Writer", "vector_blob"]

_IN_BATCH = 500
"""Ids per ``IN (...)`` list, well under SQLite's bound-parameter limit."""


def vector_blob(vector: np.ndarray[Any, Any]) -> bytes:
    """The stored bytes of one vector: little-endian float32, ``dims * 4`` bytes.

    >>> len(vector_blob(np.zeros(3)))
    12
    """
    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


class Lookups:
    """What is stored about documents, as one transaction (read or write) on ``conn`` sees it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def document_hash(self, doc_id: str) -> str | None:
        """The content hash of ``doc_id``, or None if absent."""
        return self._one("SELECT content_hash FROM documents WHERE id = ?", doc_id)

    def document_path(self, doc_id: str) -> str | None:
        """The ``path`` metadata (its file) of ``doc_id``, if any."""
        return self._one("SELECT json_extract(metadata, '$.path') FROM documents WHERE id = ?", doc_id)

    def find_by_hash(self, content_hash: str) -> str | None:
        """The id of a document with this content hash, if any."""
        return self._one("SELECT id FROM documents WHERE content_hash = ? LIMIT 1", content_hash)

    def _one(self, sql: str, value: str) -> str | None:
        row = self._conn.execute(sql, (value,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])


class Writer(Lookups):
    """Writes of one transaction; obtained from ``Store.write()``, valid only inside the ``with``.

    Its lookups see the transaction's own changes, and other writers cannot change what they answer
    before it commits: decisions on ownership are taken here.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        spec: EmbeddingSpec,
        analyzer: Analyzer,
        generation: int,
        *,
        keeps_tokens: bool = False,
    ) -> None:
        super().__init__(conn)
        self._spec = spec
        self._keeps_tokens = keeps_tokens
        self._analyzer = analyzer
        self.generation = generation
        self._term_cache: dict[str, int] = {}

    def put_document(
        self,
        doc: Document,
        chunks: Sequence[Chunk],
        vectors: Any,
        *,
        content_hash: str | None = None,
        token_vectors: Sequence[Any] | None = None,
    ) -> None:
        """Add ``doc`` or replace its previous version (chunks, vectors, postings and token vectors together).

        ``vectors`` is an array of shape ``(len(chunks), dims)``, row i embedding ``chunks[i]``.
        ``content_hash`` defaults to :func:`embedrag._identity.content_hash` of ``doc.text``; pass the file's own hash
        to skip unchanged files without parsing them. ``token_vectors`` (a collection that keeps them:
        :mod:`embedrag.index.token_vectors`) holds one ``(tokens, dims)`` array per chunk; without them
        the chunks have none stored.
        """
        matrix = _check_vectors(vectors, len(chunks), self._spec.dims, doc.id)
        if token_vectors is not None and not self._keeps_tokens:
            raise InputError(f"document {doc.id!r}: this collection does not keep token vectors")
        if token_vectors is not None and len(token_vectors) != len(chunks):
            raise InputError(f"document {doc.id!r}: {len(token_vectors)} token-vector arrays for {len(chunks)} chunks")
        for chunk in chunks:
            if chunk.doc_id != doc.id:
                raise InputError(f"chunk {chunk.id} does not belong to document {doc.id!r}")
        self._delete_chunks_of([doc.id])
        digest = content_hash if content_hash is not None else _identity.content_hash(doc.text)
        self._conn.execute(
            "INSERT OR REPLACE INTO documents (id, source, content_hash, metadata, generation) VALUES (?, ?, ?, ?, ?)",
            (doc.id, doc.source, digest, _json(doc.metadata, doc.id), self.generation),
        )
        ids = [self._insert_chunk(chunk, vector) for chunk, vector in zip(chunks, matrix, strict=True)]
        if token_vectors is not None:
            dims = self._spec.dims
            rows = [token_row(i, t, dims, c.id) for i, t, c in zip(ids, token_vectors, chunks, strict=True)]
            self._conn.executemany("INSERT INTO token_vectors (chunk_id, tokens, data, crc) VALUES (?, ?, ?, ?)", rows)

    def delete_documents(self, ids: Iterable[str]) -> int:
        """Delete documents with their chunks, vectors and postings; return how many existed."""
        ids = list(dict.fromkeys(ids))
        existed = 0
        for i in range(0, len(ids), _IN_BATCH):
            part = ids[i : i + _IN_BATCH]
            self._delete_chunks_of(part)
            marks = ",".join("?" * len(part))
            existed += self._conn.execute(f"DELETE FROM documents WHERE id IN ({marks})", part).rowcount
        return existed

    def _insert_chunk(self, chunk: Chunk, vector: np.ndarray[Any, Any]) -> int:
        counts, length = term_counts(self._analyzer, chunk.text)
        cur = self._conn.execute(
            "INSERT INTO chunks (doc_id, position, text, start_char, end_char, tokens, metadata, vector, vector_crc,"
            " lex_len, generation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                chunk.doc_id,
                chunk.position,
                chunk.text,
                chunk.start,
                chunk.end,
                chunk.tokens,
                _json(chunk.metadata, chunk.id),
                blob := vector_blob(vector),
                zlib.crc32(blob),
                length,
                self.generation,
            ),
        )
        chunk_id = int(cur.lastrowid or 0)
        term_ids = self._term_ids(list(counts))
        self._conn.executemany(
            "INSERT INTO postings (chunk_id, term_id, tf) VALUES (?, ?, ?)",
            [(chunk_id, term_ids[t], tf) for t, tf in counts.items()],
        )
        return chunk_id

    def _term_ids(self, terms: list[str]) -> dict[str, int]:
        # The cache lives as long as this transaction, so a rollback cannot leave stale ids behind.
        cache = self._term_cache
        unknown = [t for t in terms if t not in cache]
        self._conn.executemany("INSERT OR IGNORE INTO terms (term) VALUES (?)", [(t,) for t in unknown])
        for i in range(0, len(unknown), _IN_BATCH):
            part = unknown[i : i + _IN_BATCH]
            marks = ",".join("?" * len(part))
            cache.update(self._conn.execute(f"SELECT term, id FROM terms WHERE term IN ({marks})", part).fetchall())
        return cache

    def _delete_chunks_of(self, doc_ids: list[str]) -> None:
        marks = ",".join("?" * len(doc_ids))
        old = [r[0] for r in self._conn.execute(f"SELECT id FROM chunks WHERE doc_id IN ({marks})", doc_ids)]
        if not old:
            return
        for i in range(0, len(old), _IN_BATCH):
            part = old[i : i + _IN_BATCH]
            marks = ",".join("?" * len(part))
            self._conn.execute(f"DELETE FROM postings WHERE chunk_id IN ({marks})", part)
            self._conn.execute(f"DELETE FROM token_vectors WHERE chunk_id IN ({marks})", part)
            self._conn.execute(f"DELETE FROM chunks WHERE id IN ({marks})", part)
        self._conn.executemany(
            "INSERT OR REPLACE INTO deleted_chunks (chunk_id, generation) VALUES (?, ?)",
            [(c, self.generation) for c in old],
        )


def _check_vectors(vectors: Any, n: int, dims: int, doc_id: str) -> np.ndarray[Any, Any]:
    matrix = np.asarray(vectors, dtype=np.float32)
    if n == 0 and matrix.size == 0:
        return matrix.reshape(0, dims)
    if matrix.shape != (n, dims):
        raise InputError(f"document {doc_id!r}: vectors have shape {matrix.shape}, expected ({n}, {dims})")
    if not np.isfinite(matrix).all():
        raise InputError(f"document {doc_id!r}: vectors contain NaN or infinity")
    return matrix


def _json(value: Any, where: str) -> str:
    try:
        return json.dumps(dict(value), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise InputError(f"{where}: metadata is not JSON-serialisable: {e}") from e
