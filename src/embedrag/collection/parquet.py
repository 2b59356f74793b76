"""A collection to and from Parquet: one row per chunk, its vector a fixed-size list, the spec in the schema.

The file is what DuckDB, Polars, pandas and LanceDB read: columns :data:`COLUMNS`, the vectors
as ``fixed_size_list<float>[dims]``, and under the schema metadata key ``embedrag`` the
embedding spec (model, dims, pooling, prompts, ...) that made them.

Importing reuses the vectors when the file's spec matches the collection's, and re-embeds
otherwise (documents rebuilt from their chunks' offsets, then chunked and embedded as by
:meth:`Collection.add`); a file from elsewhere needs only ``doc_id`` and ``text``. The file is read
twice, batch by batch: first checked whole (columns, widths, values, every page's checksum), then
written, so a file larger than memory imports, and a bad file leaves the collection as it was.
The ingest's rules hold either way: documents whose content hash is already stored under their id
are left unchanged (importing twice changes nothing), and a document whose content is stored under
another id is reported as skipped, not stored twice.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from embedrag._atomic import publish
from embedrag._identity import chunk_id
from embedrag.errors import InputError
from embedrag.index.store import SPEC_FIELDS_COMPARED
from embedrag.ingest.pipeline import BATCH_CHUNKS, IngestReport
from embedrag.types import Chunk, Document, EmbeddedDocument, EmbeddingSpec

if TYPE_CHECKING:
    from embedrag.collection.collection import Collection

__all__ = ["COLUMNS", "FILE_FORMAT", "export_parquet", "file_spec", "import_parquet"]

FILE_FORMAT = 1
"""Version of the file's layout, next to the spec in the ``embedrag`` schema metadata."""
COLUMNS = {
    "id": pa.string(),
    "doc_id": pa.string(),
    "position": pa.int32(),
    "text": pa.string(),
    "start": pa.int64(),
    "end": pa.int64(),
    "tokens": pa.int32(),
    "source": pa.string(),
    "metadata": pa.string(),
    "chunk_metadata": pa.string(),
    "content_hash": pa.string(),
}
"""Every column but ``vector``; ``metadata`` (the document's) and ``chunk_metadata`` hold JSON objects."""
REUSE_COLUMNS = ("doc_id", "text", "position", "start", "end", "tokens", "content_hash", "vector")
"""What a file needs for its vectors to be stored as they are."""
_EXPORT_ROWS = 4096
_SQL = (
    "SELECT c.doc_id, c.position, c.text, c.start_char, c.end_char, c.tokens, d.source, d.metadata, c.metadata,"
    " d.content_hash, c.vector FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.doc_id, c.position"
)


def export_parquet(collection: Collection, path: str | Path) -> int:
    """Write every chunk of ``collection`` (one snapshot) to the Parquet file ``path``; returns the rows written.

    The file appears whole or not at all (written aside, then renamed); a folder that cannot be
    written is an :class:`InputError`.
    """
    spec, rows = collection.spec, 0
    schema = pa.schema(
        [*COLUMNS.items(), ("vector", pa.list_(pa.float32(), spec.dims))],
        metadata={"embedrag": json.dumps({"format": FILE_FORMAT, "spec": dataclasses.asdict(spec)})},
    )

    def write(temp: Path) -> None:
        nonlocal rows
        with collection._store.read() as conn, pq.ParquetWriter(temp, schema, write_page_checksum=True) as out:
            cursor = conn.execute(_SQL)
            while part := cursor.fetchmany(_EXPORT_ROWS):
                out.write_batch(_record_batch(part, schema, spec.dims))
                rows += len(part)

    try:
        publish(Path(path), write)
    except OSError as e:
        raise InputError(f"cannot write {path}: {e}") from None
    return rows


def _record_batch(part: list[Any], schema: pa.Schema, dims: int) -> pa.RecordBatch:
    columns = list(zip(*part, strict=True))
    ids = [chunk_id(d, p) for d, p in zip(columns[0], columns[1], strict=True)]
    flat = np.frombuffer(b"".join(columns[10]), dtype="<f4")
    vectors = pa.FixedSizeListArray.from_arrays(pa.array(flat, pa.float32()), dims)
    arrays = [pa.array(column, kind) for column, kind in zip([ids, *columns[:10]], COLUMNS.values(), strict=True)]
    return pa.record_batch([*arrays, vectors], schema=schema)


@dataclass(frozen=True)
class _Plan:
    path: Path
    reuse: EmbeddingSpec | None
    """The file's spec when it matches the collection's: its vectors are stored as they are."""
    columns: frozenset[str]


def import_parquet(collection: Collection, path: str | Path, *, batch_rows: int = 4096) -> IngestReport:
    """Add the documents of the Parquet file ``path`` to ``collection``; see the module's notes.

    A missing column, vectors of the wrong width, a bad value or a damaged file is an
    :class:`InputError` naming it, raised before anything is written.
    """
    file = _open(Path(path))
    plan = _plan(Path(path), file.schema_arrow, collection.spec)
    for _ in _documents(file, plan, batch_rows):  # the checking pass: everything is read once
        pass
    report = IngestReport()
    if plan.reuse is not None:
        batch: list[EmbeddedDocument] = []
        for item in _documents(file, plan, batch_rows):
            batch.append(item)
            if sum(len(b.chunks) for b in batch) >= BATCH_CHUNKS:
                collection.add_embedded(batch, spec=plan.reuse, report=report)
                batch = []
        if batch:
            collection.add_embedded(batch, spec=plan.reuse, report=report)
        collection.prepare_index()
        return report
    return collection.add(item.document for item in _documents(file, plan, batch_rows))


def _open(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path, page_checksum_verification=True)
    except FileNotFoundError:
        raise InputError(f"{path} does not exist") from None
    except (pa.ArrowException, OSError) as e:
        raise InputError(f"{path} is damaged or not a Parquet file: {e}") from None


def file_spec(path: str | Path) -> EmbeddingSpec | None:
    """The embedding spec a Parquet file says its vectors have (None for a file without one)."""
    return _file_spec(Path(path), _open(Path(path)).schema_arrow)


def _file_spec(path: Path, schema: pa.Schema) -> EmbeddingSpec | None:
    raw = (schema.metadata or {}).get(b"embedrag")
    if raw is None:
        return None
    try:
        described = json.loads(raw)
        return EmbeddingSpec(**described["spec"])
    except (ValueError, TypeError, KeyError) as e:
        raise InputError(
            f"{path}: its embedrag metadata cannot be read ({e}); was it written by a newer embedrag?"
        ) from None


def _plan(path: Path, schema: pa.Schema, spec: EmbeddingSpec) -> _Plan:
    names = frozenset(schema.names)
    missing = [name for name in ("doc_id", "text") if name not in names]
    if missing:
        raise InputError(f"{path} lacks the column(s) {', '.join(missing)}; it has {', '.join(schema.names)}")
    given = _file_spec(path, schema)
    if given is not None and "vector" in names:
        _check_vector_type(path, schema.field("vector").type, given.dims)
    # The passage context too: vectors of chunks embedded under their headings do not mix with vectors of chunks alone.
    compared = (*SPEC_FIELDS_COMPARED, "passage_context")
    same = given is not None and all(getattr(given, f) == getattr(spec, f) for f in compared)
    if same and (lacking := [name for name in REUSE_COLUMNS if name not in names]):
        raise InputError(f"{path} lacks the column(s) {', '.join(lacking)} needed to store its vectors as they are")
    return _Plan(path, given if same else None, names)


def _check_vector_type(path: Path, kind: pa.DataType, dims: int) -> None:
    if pa.types.is_fixed_size_list(kind) and kind.list_size != dims:
        raise InputError(f"{path}: column 'vector' holds {kind.list_size}-dim vectors; the file's spec says {dims}")
    if not (pa.types.is_fixed_size_list(kind) or pa.types.is_list(kind) or pa.types.is_large_list(kind)):
        raise InputError(f"{path}: column 'vector' is {kind}, not a list of floats")
    if not pa.types.is_floating(kind.value_type):
        raise InputError(f"{path}: column 'vector' holds {kind.value_type}, not floats")


def _documents(file: pq.ParquetFile, plan: _Plan, batch_rows: int) -> Iterator[EmbeddedDocument]:
    """The file's documents in order, each with its chunks (and vectors when reused), checked as they come."""
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    vectors: list[np.ndarray[Any, Any]] = []
    for row, vector in _rows(file, plan, batch_rows):
        if rows and row["doc_id"] != rows[0]["doc_id"]:
            yield _document(plan, rows, vectors)
            rows, vectors = [], []
        if not rows:
            if row["doc_id"] in seen:
                raise InputError(f"{plan.path}: the rows of document {row['doc_id']!r} are not together")
            seen.add(row["doc_id"])
        rows.append(row)
        vectors.append(vector)
    if rows:
        yield _document(plan, rows, vectors)


def _rows(file: pq.ParquetFile, plan: _Plan, batch_rows: int) -> Iterator[tuple[dict[str, Any], Any]]:
    wanted = [name for name in (*COLUMNS, "vector") if name in plan.columns and (name != "vector" or plan.reuse)]
    done = 0
    for group in range(file.num_row_groups):
        batches = file.iter_batches(batch_size=batch_rows, columns=wanted, row_groups=[group])
        while (batch := _next(plan, batches, group, done)) is not None:
            vectors = _vectors(plan, batch, done) if plan.reuse else [None] * batch.num_rows
            for offset, row in enumerate(batch.drop_columns(["vector"] if plan.reuse else []).to_pylist()):
                yield _checked(plan, row, done + offset), vectors[offset]
            done += batch.num_rows


def _next(plan: _Plan, batches: Iterator[pa.RecordBatch], group: int, done: int) -> pa.RecordBatch | None:
    try:
        return next(batches, None)
    except (pa.ArrowException, OSError) as e:
        raise InputError(f"{plan.path} is damaged in row group {group} (after row {done}): {e}") from None


def _vectors(plan: _Plan, batch: pa.RecordBatch, done: int) -> np.ndarray[Any, Any]:
    assert plan.reuse is not None
    column, dims = batch.column("vector"), plan.reuse.dims
    if column.null_count:
        raise InputError(f"{plan.path}: column 'vector' is empty in a row after row {done}")
    widths = np.diff(column.offsets.to_numpy()) if not pa.types.is_fixed_size_list(column.type) else None
    if widths is not None and (bad := np.flatnonzero(widths != dims)).size:
        raise InputError(f"{plan.path}: row {done + int(bad[0])} has a {widths[bad[0]]}-dim vector; expected {dims}")
    flat = np.asarray(column.flatten().to_numpy(zero_copy_only=False), dtype=np.float32)
    matrix = flat.reshape(-1, dims)
    if not np.isfinite(matrix).all():
        raise InputError(f"{plan.path}: a vector after row {done} holds NaN or infinity")
    return matrix


def _checked(plan: _Plan, row: dict[str, Any], index: int) -> dict[str, Any]:
    needed = ("doc_id", "text", *(REUSE_COLUMNS[2:-1] if plan.reuse else ()))
    empty = [name for name in needed if row.get(name) is None]
    if empty:
        raise InputError(f"{plan.path}: row {index} has no {', '.join(empty)}")
    for name in ("metadata", "chunk_metadata"):
        try:
            value = json.loads(row.get(name) or "{}")
        except ValueError as e:
            raise InputError(f"{plan.path}: row {index}: column {name!r} is not JSON ({e})") from None
        if not isinstance(value, dict):
            raise InputError(f"{plan.path}: row {index}: column {name!r} is not a JSON object")
        row[name] = value
    return row


def _document(plan: _Plan, rows: list[dict[str, Any]], vectors: list[Any]) -> EmbeddedDocument:
    first = rows[0]
    positions = [row.get("position") for row in rows]
    if None not in positions and len(set(positions)) != len(positions):
        raise InputError(f"{plan.path}: document {first['doc_id']!r} has two rows at one position")
    text = _rebuilt(plan, rows)
    doc = Document(first["doc_id"], text, first.get("source") or first["doc_id"], first["metadata"])
    if plan.reuse is None:
        return EmbeddedDocument(doc, (), None, "")
    chunks = tuple(
        Chunk(r["doc_id"], r["position"], r["text"], r["start"], r["end"], r["tokens"], r["chunk_metadata"])
        for r in rows
    )
    return EmbeddedDocument(doc, chunks, np.stack(vectors), first["content_hash"])


def _rebuilt(plan: _Plan, rows: list[dict[str, Any]]) -> str:
    """The document's text: its one row's, or its chunks laid at their offsets (gaps as spaces)."""
    if len(rows) == 1 and rows[0].get("start") in (None, 0):
        return str(rows[0]["text"])
    if any(row.get("start") is None for row in rows):
        raise InputError(f"{plan.path}: document {rows[0]['doc_id']!r} has several rows but no 'start' offsets")
    chars = [" "] * max(row["start"] + len(row["text"]) for row in rows)
    for row in rows:
        start, text = row["start"], row["text"]
        if any(c != " " and c != t for c, t in zip(chars[start : start + len(text)], text, strict=True)):
            raise InputError(f"{plan.path}: the chunks of document {row['doc_id']!r} disagree where they overlap")
        chars[start : start + len(text)] = text
    return "".join(chars)
