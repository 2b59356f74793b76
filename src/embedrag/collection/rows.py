"""Reading a collection's chunks back: the rows of :meth:`Collection.chunks` and :meth:`Collection.chunks_of`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from embedrag._identity import chunk_id
from embedrag.collection.results import StoredChunk
from embedrag.index import Store
from embedrag.tokenize.protocol import check_text

__all__ = ["all_chunks", "checked_ids", "chunks_of"]

_CHUNK_ROWS = (
    "SELECT c.doc_id, c.position, c.text, c.metadata, d.source, d.metadata, c.start_char, c.end_char{vector}"
    " FROM chunks c JOIN documents d ON d.id = c.doc_id"
)
"""The rows :func:`_stored_chunk` reads; ``{vector}`` is ``, c.vector`` or nothing."""
_IDS_PER_QUERY = 500
"""Document ids per ``IN (...)``: well under SQLite's limit of bound parameters."""


def checked_ids(doc_ids: Iterable[str]) -> list[str]:
    """``doc_ids`` as a list; an id that is not valid Unicode is an :class:`InputError`, not SQLite's."""
    return [check_text(doc_id, what="the document id") for doc_id in doc_ids]


def all_chunks(store: Store, *, with_vectors: bool) -> Iterator[StoredChunk]:
    """Every stored chunk in storage order, from one snapshot."""
    sql = f"{_rows(with_vectors)} ORDER BY c.id"
    with store.read() as conn:
        for row in conn.execute(sql):
            yield _stored_chunk(row)


def chunks_of(store: Store, doc_ids: Sequence[str], *, with_vectors: bool) -> list[StoredChunk]:
    """The chunks of these documents, document by document in the order given, each in position order."""
    ids = list(dict.fromkeys(checked_ids(doc_ids)))
    found: dict[str, list[StoredChunk]] = {doc_id: [] for doc_id in ids}
    with store.read() as conn:
        for i in range(0, len(ids), _IDS_PER_QUERY):
            part = ids[i : i + _IDS_PER_QUERY]
            marks = ",".join("?" * len(part))
            sql = f"{_rows(with_vectors)} WHERE c.doc_id IN ({marks}) ORDER BY c.doc_id, c.position"
            for row in conn.execute(sql, part):
                found[row[0]].append(_stored_chunk(row))
    return [chunk for doc_id in ids for chunk in found[doc_id]]


def _rows(with_vectors: bool) -> str:
    return _CHUNK_ROWS.format(vector=", c.vector" if with_vectors else "")


def _stored_chunk(row: Sequence[Any]) -> StoredChunk:
    """A row of (doc_id, position, text, chunk metadata, source, document metadata, start, end[, vector])."""
    doc_id, position, text, chunk_meta, source, doc_meta, start, end, *blob = row
    metadata = {**json.loads(doc_meta), **json.loads(chunk_meta)}
    array = np.frombuffer(blob[0], dtype=np.float32) if blob else None
    return StoredChunk(chunk_id(doc_id, position), doc_id, text, source, metadata, start, end, array)
