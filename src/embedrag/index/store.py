"""The collection store: one SQLite database holding documents, chunks, vectors and BM25 postings.

Every write goes through a transaction (:meth:`Store.write`) that bumps the collection's
*generation*; derived data (the in-memory BM25 matrix, the HNSW file) records the generation
it reflects and catches up from there.

Locking: one writer at a time. A second writer waits up to ``lock_timeout`` seconds (default 2)
for the first transaction to end, then raises :class:`CollectionLockedError`. Batches from two
writers may interleave; each batch is atomic. Readers never block and see a whole snapshot.

>>> import tempfile, numpy as np
>>> from embedrag.types import Chunk, Document, EmbeddingSpec
>>> spec = EmbeddingSpec("toy", "static", "fp32", 2, None, "mean", True, "abc")
>>> store = Store.open(Path(tempfile.mkdtemp()) / "c", spec=spec, create=True)
>>> doc = Document("a", "cats and dogs", "a.txt", {"year": 2020})
>>> store.put_document(doc, [Chunk("a", 0, "cats and dogs", 0, 13, 3)], np.array([[1.0, 0.0]]))
>>> store.stats().chunks, store.generation()
(1, 1)
>>> store.close()
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.metadata
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from embedrag.errors import CollectionLockedError, SpecMismatchError, StoreError
from embedrag.index.schema import DB_NAME, FORMAT_VERSION, SCHEMA, UPGRADES, connect, new_token, read_generation
from embedrag.index.text import ANALYZERS, Analyzer
from embedrag.index.token_vectors import KEPT, Quantized, gather
from embedrag.index.writer import Lookups, Writer
from embedrag.types import Document, EmbeddingSpec

if TYPE_CHECKING:
    from embedrag.index.check import CheckReport

__all__ = ["SPEC_FIELDS_COMPARED", "DocumentInfo", "Store", "StoreStats"]

SPEC_FIELDS_COMPARED = (
    "model",
    "backend",
    "variant",
    "dims",
    "pooling",
    "normalize",
    "tokenizer_hash",
    "query_prompt",
    "passage_prompt",
)
"""Fields that must match to add or query vectors. Strict on ``variant`` too: int8 and fp32 vectors
of one model are close (cosine ~0.99) but not the same space, and mixing them would be silent.
``max_tokens`` is not compared: it changes truncation of long inputs, not what a vector means. The prompts
are (e5's ``passage: ``): a collection written before prompts existed has none, and takes none."""


@dataclass(frozen=True)
class DocumentInfo:
    """A stored document, without its chunks."""

    id: str
    source: str
    content_hash: str
    metadata: dict[str, Any]
    chunks: int


@dataclass(frozen=True)
class StoreStats:
    """Counts and identity of a collection."""

    documents: int
    chunks: int
    model: str
    dims: int
    generation: int
    analyzer: str
    token_vectors: str = "none"
    """What the collection keeps of its token vectors (``none`` or ``int8``)."""
    token_vector_bytes: int = 0
    """The bytes of the token vectors it keeps: ``tokens * (dims + 4)`` summed over its chunks."""


class Store:
    """A collection directory whose truth is ``collection.db``. Open with :meth:`open`."""

    def __init__(
        self,
        root: Path,
        conn: sqlite3.Connection,
        spec: EmbeddingSpec,
        analyzer: Analyzer,
        *,
        read_only: str | None = None,
        token_vectors: str = "none",
    ) -> None:
        self.root = root
        self.spec = spec
        self.analyzer = analyzer
        self.read_only = read_only
        """Why this collection can only be read (its files cannot be written here), or None."""
        self.token_vectors = token_vectors
        """What the collection keeps of its chunks' token vectors: ``none`` or ``int8`` (see
        :mod:`embedrag.index.token_vectors`); chosen at creation, kept in the meta table."""
        self._conn = conn

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        spec: EmbeddingSpec | None = None,
        create: bool = False,
        analyzer: str = "en",
        lock_timeout: float = 2.0,
        token_vectors: str = "none",
    ) -> Store:
        """Open the collection at directory ``path``; with ``create=True`` make it if missing.

        ``spec`` is required to create; when given for an existing collection it must match the
        stored one (:data:`SPEC_FIELDS_COMPARED`) or :class:`SpecMismatchError` says what differs.
        ``analyzer`` (a key of :data:`ANALYZERS`) and ``token_vectors`` (``none`` or ``int8``: keep
        each chunk's token vectors for late rerank) only apply to a new collection.
        """
        root = Path(path)
        db = root / DB_NAME
        if not db.exists():
            if not create:
                raise StoreError(f"no collection at {root} (no {DB_NAME}); create it first")
            if root.exists() and not root.is_dir():
                raise StoreError(f"cannot create the collection {root}: it is a file, not a folder")
            if spec is None:
                raise StoreError(f"creating the collection {root} needs an embedding spec")
            if analyzer not in ANALYZERS:
                raise StoreError(f"unknown analyzer {analyzer!r}; known: {sorted(ANALYZERS)}")
            if token_vectors not in KEPT:
                raise StoreError(f"unknown token_vectors {token_vectors!r}; known: {', '.join(KEPT)}")
            root.mkdir(parents=True, exist_ok=True)
        elif db.stat().st_size == 0 and not (create and spec is not None):
            raise StoreError(
                f"{db} is empty (0 bytes): it holds no collection. It was truncated, or a new collection's "
                "creation stopped before its first commit; restore it from a backup, or delete it and ingest again"
            )
        read_only = _read_only_reason(db)
        try:
            conn = connect(db, timeout=lock_timeout, read_only=read_only is not None)
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{db} is damaged or not a SQLite database: {e}") from e
        try:
            meta = _read_or_init_meta(conn, db, spec, {"analyzer": analyzer, "token_vectors": token_vectors}, read_only)
        except BaseException:
            conn.close()
            raise
        stored_spec = EmbeddingSpec(**json.loads(meta["spec"]))
        if spec is not None:
            _compare_specs(expected=stored_spec, given=spec, db=db)
        kept = meta.get("token_vectors", "none")  # a format-3 file read where it cannot be upgraded has none
        return cls(root, conn, stored_spec, ANALYZERS[meta["analyzer"]], read_only=read_only, token_vectors=kept)

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees one committed snapshot.

        Inside :meth:`write` on this store it joins the write transaction (and sees its changes).
        """
        with _sqlite_errors(self.root):
            if self._conn.in_transaction:
                yield self._conn
                return
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    @contextlib.contextmanager
    def write(self) -> Iterator[Writer]:
        """A write transaction: all or nothing, bumps the generation. Raises CollectionLockedError."""
        self.require_writable()
        with _sqlite_errors(self.root):
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as e:
                if "locked" in str(e) or "busy" in str(e):
                    raise CollectionLockedError(
                        f"collection {self.root} is locked: another writer is busy; try again later"
                    ) from e
                raise
            try:
                generation = read_generation(self._conn) + 1
                self._conn.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(generation),))
                self._conn.execute("INSERT OR REPLACE INTO commits VALUES (?, ?)", (generation, new_token()))
                yield Writer(
                    self._conn, self.spec, self.analyzer, generation, keeps_tokens=self.token_vectors != "none"
                )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def require_writable(self) -> None:
        """Raise :class:`StoreError` saying why, if this collection can only be read here."""
        if self.read_only is not None:
            raise StoreError(f"collection {self.root} is read-only ({self.read_only}): it can be searched, not changed")

    def put_document(self, doc: Document, chunks: Any, vectors: Any, *, content_hash: str | None = None) -> None:
        """Add or replace one document in its own transaction (see :meth:`Writer.put_document`)."""
        with self.write() as w:
            w.put_document(doc, chunks, vectors, content_hash=content_hash)

    def delete_documents(self, ids: Any) -> int:
        """Delete documents by id in one transaction; return how many existed."""
        with self.write() as w:
            return w.delete_documents(ids)

    def token_vectors_of(self, chunks: Sequence[tuple[str, int]]) -> dict[tuple[str, int], Quantized]:
        """The stored token vectors of chunks named ``(doc_id, position)``; those without any (or damaged) are
        left out (see :func:`embedrag.index.token_vectors.gather`)."""
        if self.token_vectors == "none" or not chunks:
            return {}
        with self.read() as conn:
            return gather(conn, chunks, self.spec.dims)

    def check_spec(self, spec: EmbeddingSpec) -> None:
        """Raise :class:`SpecMismatchError` unless ``spec`` makes vectors like the stored ones."""
        _compare_specs(expected=self.spec, given=spec, db=self.root / DB_NAME)

    def find_by_hash(self, content_hash: str) -> str | None:
        """The id of a stored document with this content hash, if any."""
        with self.read() as conn:
            return Lookups(conn).find_by_hash(content_hash)

    def generation(self) -> int:
        """The number of write transactions committed so far."""
        with self.read() as conn:
            return read_generation(conn)

    def document_hash(self, doc_id: str) -> str | None:
        """The stored content hash of ``doc_id``, or None if absent (for incremental ingest)."""
        with self.read() as conn:
            return Lookups(conn).document_hash(doc_id)

    def document_path(self, doc_id: str) -> str | None:
        """The ``path`` metadata of stored document ``doc_id`` (its file), if any."""
        with self.read() as conn:
            return Lookups(conn).document_path(doc_id)

    def documents(self) -> list[DocumentInfo]:
        """Every stored document, ordered by id."""
        sql = (
            "SELECT d.id, d.source, d.content_hash, d.metadata, COUNT(c.id) FROM documents d "
            "LEFT JOIN chunks c ON c.doc_id = d.id GROUP BY d.id ORDER BY d.id"
        )
        with self.read() as conn:
            rows = conn.execute(sql).fetchall()
        return [DocumentInfo(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def stats(self) -> StoreStats:
        """Document and chunk counts, model, dims and generation."""
        with self.read() as conn:
            docs = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            chunks = conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
            generation = read_generation(conn)
            kept = 0
            if self.token_vectors != "none":
                kept = conn.execute("SELECT COALESCE(SUM(tokens), 0) FROM token_vectors").fetchone()[0]
        spec, name = self.spec, self.analyzer.name
        size = kept * (spec.dims + 4)
        return StoreStats(docs, chunks, spec.model, spec.dims, generation, name, self.token_vectors, size)

    def check(self, *, repair: bool = False) -> CheckReport:
        """Verify the collection (see :func:`embedrag.index.check.check`); ``repair`` fixes what it can."""
        from embedrag.index.check import check

        return check(self, repair=repair)


@contextlib.contextmanager
def _sqlite_errors(root: Path) -> Iterator[None]:
    # A damaged page surfaces mid-query; turn it into our error with the path, keep "locked" distinct.
    try:
        yield
    except (sqlite3.OperationalError, sqlite3.ProgrammingError) as e:  # Programming: e.g. used after close()
        if "locked" in str(e) or "busy" in str(e):
            raise CollectionLockedError(f"collection {root} is locked by another writer: {e}") from e
        raise StoreError(f"collection {root}: {e}") from e
    except sqlite3.DatabaseError as e:
        raise StoreError(f"collection {root} is damaged: {e}; run check(repair=True) or rebuild it") from e


def _read_only_reason(db: Path) -> str | None:
    """Why ``db`` can only be read here (the file or its folder is not writable), or None."""
    if db.exists() and not os.access(db, os.W_OK):
        return f"{db.name} is not writable"
    if not os.access(db.parent, os.W_OK):
        return f"its folder {db.parent} is not writable"
    return None


@contextlib.contextmanager
def _meta_errors(db: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.DatabaseError as e:
        if "locked" in str(e) or "busy" in str(e):
            raise CollectionLockedError(f"{db} is locked by another writer: {e}") from e
        raise StoreError(f"{db} is damaged or not a SQLite database: {e}") from e


def _read_meta(conn: sqlite3.Connection, db: Path) -> dict[str, str] | None:
    """The meta table (None if the file has no tables yet), read without taking the write lock."""
    with _meta_errors(db):
        conn.execute("BEGIN")
        try:
            return _meta_in(conn, db)
        finally:
            conn.execute("COMMIT")


def _meta_in(conn: sqlite3.Connection, db: Path) -> dict[str, str] | None:
    """The meta table in the caller's transaction; None if the file has no tables yet."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "meta" not in tables:
        if tables:
            raise StoreError(f"{db} is a SQLite database but not an embedrag collection")
        return None
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def _read_or_init_meta(
    conn: sqlite3.Connection, db: Path, spec: EmbeddingSpec | None, options: dict[str, str], read_only: str | None
) -> dict[str, str]:
    # Readers never take the write lock here: only creating or upgrading the file does.
    meta = _read_meta(conn, db)
    if meta is None:
        if spec is None:
            # The file exists (WAL mode was set) but the creating transaction never committed.
            raise StoreError(f"no collection at {db.parent}: its creation was interrupted; create it again")
        if read_only is not None:
            raise StoreError(f"cannot create a collection at {db.parent}: {read_only}")
        meta = _under_write_lock(conn, db, lambda m: _create(conn, spec, options) if m is None else None)
    version = int(meta.get("format_version", -1))
    if version < FORMAT_VERSION and version in UPGRADES and read_only is None:
        meta = _under_write_lock(conn, db, lambda m: _upgrade(conn, m))
        version = int(meta["format_version"])
    # An older file that cannot be upgraded here (read-only) is still read as it is.
    if version != FORMAT_VERSION and not (read_only is not None and version in UPGRADES):
        newer = " (written by a newer embedrag)" if version > FORMAT_VERSION else ""
        raise StoreError(f"{db} has format version {version}{newer}; this embedrag reads up to {FORMAT_VERSION}")
    return meta


def _under_write_lock(
    conn: sqlite3.Connection, db: Path, change: Callable[[dict[str, str] | None], None]
) -> dict[str, str]:
    """Read the meta again under the write lock, let ``change`` act on what it finds, commit; the new meta."""
    with _meta_errors(db):
        conn.execute("BEGIN IMMEDIATE")
        try:
            change(_meta_in(conn, db))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    meta = _read_meta(conn, db)
    assert meta is not None  # written just above
    return meta


def _upgrade(conn: sqlite3.Connection, meta: dict[str, str] | None) -> None:
    """Bring the file from its format version up to :data:`FORMAT_VERSION`, one step at a time.

    The steps and a note of them (meta ``upgrades``: from, to, when, by which embedrag) commit in
    the caller's one transaction: a crash leaves the old format whole, never half of the new one.
    """
    start = version = int((meta or {}).get("format_version", FORMAT_VERSION))
    while version < FORMAT_VERSION and version in UPGRADES:
        UPGRADES[version](conn)
        version += 1
        conn.execute("UPDATE meta SET value = ? WHERE key = 'format_version'", (str(version),))
    if version != start:
        note = {"from": start, "to": version, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        notes = [*json.loads((meta or {}).get("upgrades", "[]")), {**note, "by": f"embedrag {_release()}"}]
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('upgrades', ?)", (json.dumps(notes),))


def _release() -> str:
    try:
        return importlib.metadata.version("embedrag-toolkit")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "(not installed)"


def _create(conn: sqlite3.Connection, spec: EmbeddingSpec, options: dict[str, str]) -> None:
    """The tables and meta of a new collection; ``options`` are its ``analyzer`` and ``token_vectors``."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    meta = {
        "format_version": str(FORMAT_VERSION),
        "spec": json.dumps(dataclasses.asdict(spec), sort_keys=True),
        **options,
        "generation": "0",
    }
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
    conn.execute("INSERT INTO commits VALUES (0, ?)", (new_token(),))


def _compare_specs(*, expected: EmbeddingSpec, given: EmbeddingSpec, db: Path) -> None:
    diffs = [
        f"{f}: expected {getattr(expected, f)!r}, given {getattr(given, f)!r}"
        for f in SPEC_FIELDS_COMPARED
        if getattr(expected, f) != getattr(given, f)
    ]
    if diffs:
        raise SpecMismatchError(
            f"{db} was built with model {expected.model!r} ({expected.variant}, {expected.dims} dims) and "
            f"cannot be used with {given.model!r} ({given.variant}, {given.dims} dims): " + "; ".join(diffs)
        )
