"""The approximate vector index: a faiss HNSW graph saved beside the database, as derived data.

One file, ``vectors.hnsw``, published by one atomic rename: a derived array file
(:mod:`embedrag.index.derived`) of ``index`` (the serialised faiss index over unit vectors with the
inner-product metric, i.e. cosine), ``labels`` (the chunk id of each graph node) and ``alive``
(False for nodes whose chunk was deleted since), whose header names the generation and its commit
token (which database, exactly, the graph reflects: see :mod:`embedrag.index.schema`), count,
dims, dtype and the arrays' checksums. A file that cannot be read, whose checksum or shape disagrees, or that was
built from another copy of the database (a restored backup) is rebuilt from the database; a stale
one is caught up (new chunks are added, deleted ones marked dead and skipped inside the search).
Once a quarter of the nodes are dead the graph is rebuilt.

Only writers publish the file (:meth:`HnswIndex.refresh`, called after an ingest, and
:meth:`HnswIndex.save`): a search catches a stale graph up in memory and never writes.

``dtype`` says what the graph holds per dimension: ``f32`` (the default: 4 bytes, no rescoring),
``f16`` or ``i8`` (faiss scalar quantizers: 2 or 1 byte), ``b1`` (one bit, the sign of each dimension
of the vector less the mean of the first vectors: a faiss binary HNSW searched by Hamming distance);
with the compact ones the top
``k * RESCORE_FACTOR[dtype]`` candidates are rescored with the float32 vectors from the database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from embedrag._linalg import unit_rows
from embedrag.errors import ConfigError
from embedrag.index.derived import (
    SAVED_BY,
    UnreadableFile,
    open_arrays,
    read_header,
    verify_arrays,
    warn_unusable,
    write_arrays,
)
from embedrag.index.derived import lineage_problem as derived_lineage
from embedrag.index.schema import deleted_since, read_version
from embedrag.index.store import Store
from embedrag.index.vectors import cosine_top_k, fetch_vectors

__all__ = [
    "HNSW_DTYPES",
    "INDEX_FILE",
    "HnswIndex",
    "UnreadableGraph",
    "graph_meta",
    "lineage_problem",
    "read_graph",
    "verify_files",
]

INDEX_FILE = "vectors.hnsw"
KIND = "faiss-hnsw"
_OLD_SIDECAR = "vectors.json"
"""Format 2 described the graph in this second file; two renames were not atomic together."""
HNSW_DTYPES = ("f32", "f16", "i8", "b1")
RESCORE_FACTOR = {"f32": 1, "f16": 4, "i8": 4, "b1": 10}
"""With a compact dtype, fetch ``k * RESCORE_FACTOR[dtype]`` candidates and rescore them in float32.
Sign bits order neighbours coarsely (64 dims give 65 distances), so ``b1`` rescores more."""
SAVE_AFTER_CHANGES = 1000
"""Re-publish the file once the in-memory index is this many additions/removals ahead of it."""
REBUILD_DEAD_FRACTION = 0.25
"""Rebuild the graph when this share of its nodes belongs to deleted chunks."""
CONNECTIVITY = 24
"""Links per node (faiss' M). On GloVe-50d (100k unit vectors, a hard set; efConstruction 200,
queries per CPU second, one run): M=16 gives recall@10 0.948 at efSearch 64 (4,519 q/s) and 0.971 at
96 (3,239 q/s); M=24 gives 0.950 at 48 (4,595 q/s) and 0.970 at 64 (3,963 q/s), for 64 more bytes
of links per vector."""
EF_SEARCH = 64
"""Candidates explored per query (at least ``k``; with rescoring ``k * RESCORE_FACTOR``)."""
SMALL_FILTER = 1000
"""A filter that leaves at most this many chunks is answered exactly: reading and scoring them costs
less than a graph search that must step over all the others."""
_LOAD_ROWS = 20_000
IntArray = NDArray[np.int64]


UnreadableGraph = UnreadableFile
"""The graph file is damaged (internal: the caller reports it or rebuilds)."""

_READ_ERRORS = (ValueError, RuntimeError)
"""What faiss raises on bytes that are not a whole index."""


def graph_meta(root: Path) -> dict[str, Any] | None:
    """The saved graph's ``meta`` (None if there is no graph file); :class:`UnreadableGraph` if damaged."""
    path = root / INDEX_FILE
    if not path.exists():
        return None
    return read_header(path)[0]


def _meta_problem(meta: dict[str, Any], dims: int) -> str | None:
    """Why a graph of this description cannot serve a collection of ``dims`` (None if it can)."""
    if meta.get("kind") != KIND or meta.get("dims") != dims or meta.get("dtype") not in HNSW_DTYPES:
        return (
            f"{INDEX_FILE} is kind={meta.get('kind')} dims={meta.get('dims')} dtype={meta.get('dtype')}, "
            f"expected {KIND} dims={dims}"
        )
    return None


def verify_files(root: Path, dims: int) -> str | None:
    """Why the saved graph cannot be used, from its description (None if it can, or if there is none)."""
    try:
        meta = graph_meta(root)
    except UnreadableGraph as e:
        return str(e)
    return None if meta is None else _meta_problem(meta, dims)


def read_graph(
    root: Path, dims: int, *, thorough: bool = False
) -> tuple[Any, IntArray, NDArray[np.bool_], dict[str, Any], NDArray[np.float32] | None]:
    """The saved graph, its node labels, alive mask, meta and centre (``b1`` graphs written since
    centring; else None), read once and checked: its description
    fits ``dims``, its arrays match their checksums (sum64; with ``thorough`` the sha256 too, see
    :mod:`embedrag.index.derived`), faiss can read it. :class:`UnreadableGraph` says why not.
    """
    path = root / INDEX_FILE
    if not path.exists():
        raise UnreadableGraph(f"{INDEX_FILE} is missing")
    meta = read_header(path)[0]
    problem = _meta_problem(meta, dims)
    if problem is not None:
        raise UnreadableGraph(problem)
    opened = open_arrays(path, KIND)
    problem = verify_arrays(opened) if thorough else None
    if problem is not None:
        raise UnreadableGraph(problem)
    raw, labels, alive = (opened.arrays[name] for name in ("index", "labels", "alive"))
    try:
        index = _read_index(raw, binary=meta.get("dtype") == "b1")
    except _READ_ERRORS as e:
        raise UnreadableGraph(f"{INDEX_FILE} cannot be read by faiss ({type(e).__name__}: {e})") from e
    if not index.ntotal == len(labels) == len(alive) == meta.get("count"):
        raise UnreadableGraph(f"{INDEX_FILE} is damaged: {index.ntotal} nodes, {len(labels)} labels")
    center = opened.arrays.get("center")
    if center is not None and center.shape != (dims,):
        raise UnreadableGraph(f"{INDEX_FILE} is damaged: a centre of {center.shape} for {dims} dims")
    center = None if center is None else np.array(center, dtype=np.float32)
    return index, np.array(labels, dtype=np.int64), np.array(alive, dtype=np.bool_), meta, center


def lineage_problem(conn: sqlite3.Connection, meta: dict[str, Any]) -> str | None:
    """Why the graph described by ``meta`` was not built from this database (None if it was)."""
    return derived_lineage(conn, meta, INDEX_FILE)


def _read_index(raw: Any, *, binary: bool) -> Any:
    """The faiss index serialised in ``raw`` (a memory map), read straight from it.

    faiss' ``deserialize_index`` first copies the bytes into a vector of its own (zeroed, then
    filled: 2.5 s of 3.6 s for 300k 64-d vectors on a loaded machine); its reader reads from the map.
    """
    faiss = _faiss()
    view, position = memoryview(raw).cast("B"), 0

    def read(n: int) -> bytes:
        nonlocal position
        chunk = view[position : position + n].tobytes()
        position += len(chunk)
        return chunk

    reader = faiss.PyCallbackIOReader(read)
    return faiss.read_index_binary(reader) if binary else faiss.read_index(reader)


def _faiss() -> Any:
    import faiss  # a 30 MB extension: loaded when a collection first outgrows exact search

    return faiss


class HnswIndex:
    """HNSW over a store's vectors, loaded from (or rebuilt into) the collection directory."""

    def __init__(
        self,
        store: Store,
        *,
        dtype: str = "f32",
        connectivity: int = CONNECTIVITY,
        expansion: int = 200,
        ef_search: int = EF_SEARCH,
    ) -> None:
        if dtype not in HNSW_DTYPES:
            raise ConfigError(f"HNSW dtype must be one of {HNSW_DTYPES}, not {dtype!r}")
        if dtype == "b1" and store.spec.dims % 8:
            raise ConfigError(f"HNSW dtype b1 packs 8 dims a byte; this collection has {store.spec.dims} dims")
        self.store = store
        self.dtype = dtype
        self.ef_search = ef_search
        self._connectivity, self._expansion = connectivity, expansion
        self._index: Any = None
        self._labels: IntArray = np.zeros(0, np.int64)
        self._alive: NDArray[np.bool_] = np.zeros(0, np.bool_)
        self._bitmap: NDArray[np.uint8] | None = None
        self._center: NDArray[np.float32] | None = None
        """``b1``: the mean of the first unit vectors, subtracted before taking signs."""
        self._live = 0
        self.generation = -1
        self.token: str | None = None
        """The commit token of :attr:`generation`: which database the graph reflects."""
        self.rebuilt = False
        """True if the last :meth:`refresh` had to rebuild from the database (missing/damaged file)."""
        self.problem: str | None = None
        """Why the saved file could not be used, when the last load had to rebuild."""
        self._unsaved = 0
        self._file_generation: int | None = None
        self._loaded = False

    @property
    def path(self) -> Path:
        return self.store.root / INDEX_FILE

    def _new(self, sample: NDArray[np.float32]) -> Any:
        faiss = _faiss()
        dims = self.store.spec.dims
        if self.dtype == "b1":
            # Signs of centred vectors: a model's unit vectors often share most of their signs (a
            # narrow cone), and the signs of their differences from the mean tell them apart.
            self._center = sample.mean(axis=0).astype(np.float32) if len(sample) else None
            index = faiss.IndexBinaryHNSW(dims, self._connectivity)
        elif self.dtype == "f32":
            index = faiss.IndexHNSWFlat(dims, self._connectivity, faiss.METRIC_INNER_PRODUCT)
        else:
            kind = faiss.ScalarQuantizer.QT_8bit if self.dtype == "i8" else faiss.ScalarQuantizer.QT_fp16
            index = faiss.IndexHNSWSQ(dims, kind, self._connectivity, faiss.METRIC_INNER_PRODUCT)
            # The 8-bit ranges come from the first vectors; later ones outside are clipped, which
            # only blurs the candidate order that the float32 rescoring then fixes.
            index.train(sample if len(sample) else np.zeros((1, dims), np.float32))
        index.hnsw.efConstruction = self._expansion
        return index

    def refresh(self) -> None:
        """Load the saved file (verified) or rebuild it, catch up with the database, and publish
        the file when it was rebuilt or lags :data:`SAVE_AFTER_CHANGES` writes: a writer's call."""
        self._update(reader=False)
        if self.rebuilt or self._unsaved >= SAVE_AFTER_CHANGES:
            self.save()

    def _update(self, *, reader: bool = True) -> None:
        """Load or rebuild, then catch up with the database, in memory only: a reader's call."""
        self.rebuilt = False
        if not self._loaded:
            self._load(reader=reader)
        if self._catch_up() and self._live <= (1 - REBUILD_DEAD_FRACTION) * len(self._alive) and self._alive.size:
            self._reset()  # a graph of many dead nodes: start again from the database
            self._catch_up()

    def _catch_up(self) -> bool:
        """Apply the writes since :attr:`generation`; False if there were none."""
        with self.store.read() as conn:
            version = read_version(conn)
            if version.generation == self.generation:
                return False
            gone = np.array(deleted_since(conn, self.generation), dtype=np.int64)
            added = self._add_since(conn, self.generation, gone)
        self._unsaved += len(gone) + added
        self.generation, self.token = version.generation, version.token
        return True

    def _reset(self) -> None:
        self._index, self._labels, self._alive = None, np.zeros(0, np.int64), np.zeros(0, np.bool_)
        self._center = None
        self.generation, self.token, self.rebuilt, self._loaded = -1, None, True, True
        self._file_generation = None
        self._alive_changed()

    def _alive_changed(self) -> None:
        """Keep the live count and the search's bitmap of live nodes (None: all live) in step with ``_alive``."""
        self._live = int(self._alive.sum())
        self._bitmap = None if self._live == len(self._alive) else np.packbits(self._alive, bitorder="little")

    def _add_since(self, conn: sqlite3.Connection, since: int, gone: IntArray) -> int:
        """Mark ``gone`` dead, add the chunks written after ``since``; return how many were added."""
        added = 0
        if len(gone):
            self._alive[np.isin(self._labels, gone)] = False
        for ids, vectors in _rows(conn, since, self.store.spec.dims):
            self._alive[np.isin(self._labels, ids)] = False  # a repair may re-announce an id
            if self._index is None:
                self._index = self._new(vectors)
            self._index.add(self._codes(vectors))
            self._labels = np.concatenate([self._labels, ids])
            self._alive = np.concatenate([self._alive, np.ones(len(ids), np.bool_)])
            added += len(ids)
        self._alive_changed()
        return added

    def _load(self, *, reader: bool) -> None:
        self.problem = self._load_problem()
        if self.problem is None:
            return
        self._reset()
        if reader and (self.store.root / INDEX_FILE).exists():  # a writer saves the new graph itself
            warn_unusable(self.problem, "a graph rebuilt in memory", stacklevel=5, saved_by=self._saved_by())

    def _saved_by(self) -> str:
        """Who publishes this graph: a check repairs a damaged file, but a whole one of another dtype
        is no damage, and only a writer that asks for this dtype replaces it."""
        try:
            meta = graph_meta(self.store.root)
        except UnreadableGraph:
            meta = None
        if meta is None or meta.get("dtype") == self.dtype:
            return SAVED_BY
        return f"prepare_index() (or an ingest) on the collection opened with hnsw_dtype={self.dtype!r}"

    def _load_problem(self) -> str | None:
        """Load the saved graph if it is whole and was built from this database; else say why not."""
        if not self.path.exists():
            return f"no {INDEX_FILE} yet"
        try:
            index, labels, alive, meta, center = read_graph(self.store.root, self.store.spec.dims)
        except UnreadableGraph as e:
            return str(e)
        if meta.get("dtype") != self.dtype:
            return f"{INDEX_FILE} holds {meta.get('dtype')}, {self.dtype} was asked for"
        with self.store.read() as conn:
            problem = lineage_problem(conn, meta)
        if problem is not None:
            return problem
        self._index, self._labels, self._alive, self._center = index, labels, alive, center
        self.generation, self.token, self._loaded = int(meta["generation"]), meta["token"], True
        self._file_generation = self.generation
        self._alive_changed()
        return None

    def save(self) -> None:
        """Publish the file atomically, unless it is already current."""
        index = self._index
        if index is None or self._file_generation == self.generation:
            return
        faiss = _faiss()
        raw = (faiss.serialize_index_binary if self.dtype == "b1" else faiss.serialize_index)(index)
        meta = {
            "engine": "faiss-hnsw",
            "generation": self.generation,
            "token": self.token,
            "count": len(self._labels),
            "dims": self.store.spec.dims,
            "dtype": self.dtype,
            "metric": "inner product of unit vectors",
        }
        arrays = {"index": raw, "labels": self._labels, "alive": self._alive}
        if self._center is not None:
            arrays["center"] = self._center
        write_arrays(self.path, KIND, meta, arrays)
        (self.store.root / _OLD_SIDECAR).unlink(missing_ok=True)
        self._unsaved, self._file_generation = 0, self.generation

    def __len__(self) -> int:
        return self._live

    def search(
        self, query: Any, k: int, candidates: IntArray | None = None, *, generation: int | None = None
    ) -> list[tuple[int, float]]:
        """Approximately the ``k`` nearest chunks by cosine; among sorted ``candidates`` if given.

        Deleted chunks and chunks outside ``candidates`` are skipped inside the graph search, so
        ``k`` hits come back whenever ``k`` allowed chunks exist. ``generation``: the store's
        generation if the caller has just read it; the graph then skips its own check when current.
        """
        return self.search_batch(unit_rows(query)[:1], k, candidates, generation=generation)[0]

    def search_batch(
        self, queries: Any, k: int, candidates: IntArray | None = None, *, generation: int | None = None
    ) -> list[list[tuple[int, float]]]:
        """:meth:`search` for each row of ``queries`` at once (faiss spreads them over its threads)."""
        if generation is None or not self._loaded or generation != self.generation:
            self._update()
        q = unit_rows(queries)
        if self._index is None or not self._live:
            return [[] for _ in q]
        k = min(k, self._live)  # never ask faiss for room for more results than there are nodes
        want = min(k * RESCORE_FACTOR[self.dtype], len(self._labels))
        allowed = self._alive if candidates is None else self._alive & np.isin(self._labels, candidates)
        if candidates is not None and allowed.sum() <= SMALL_FILTER:  # few enough to score them all
            return [self._rescore(query, self._labels[allowed], k) for query in q]
        faiss = _faiss()
        params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, want))
        bitmap = self._bitmap if candidates is None else np.packbits(allowed, bitorder="little")
        if bitmap is not None:
            params.sel = faiss.IDSelectorBitmap(len(self._labels), faiss.swig_ptr(bitmap))
        scores, nodes = self._index.search(self._codes(q), want, params=params)
        expected = min(k, self._live if candidates is None else int(allowed.sum()))
        # faiss fills each row best first and pads it with -1; one gather and one tolist for all rows.
        counts = (nodes >= 0).sum(axis=1).tolist()
        ids = self._labels[np.maximum(nodes, 0)]
        id_rows, score_rows = (ids.tolist(), scores.tolist()) if self.dtype == "f32" else ([], [])
        results: list[list[tuple[int, float]]] = []
        for row, count in enumerate(counts):
            if count < expected:  # the filter cut the graph apart around this query: search exactly
                results.append(self._rescore(q[row], self._labels[allowed], k))
            elif self.dtype == "f32":
                results.append(list(zip(id_rows[row][:count], score_rows[row][:count], strict=True)))
            else:
                results.append(self._rescore(q[row], ids[row, :count], k))
        return results

    def _codes(self, unit: NDArray[np.float32]) -> NDArray[Any]:
        """What the graph holds of unit rows: the rows, or the sign bits of their difference from
        the centre (``b1``; a graph written before centring has none)."""
        if self.dtype != "b1":
            return unit
        return np.packbits((unit - self._center if self._center is not None else unit) > 0, axis=1)

    def _rescore(self, query: NDArray[np.float32], ids: IntArray, k: int) -> list[tuple[int, float]]:
        with self.store.read() as conn:
            found, matrix = fetch_vectors(conn, ids.tolist(), self.store.spec.dims)
        return cosine_top_k(query, found, unit_rows(matrix), k)


def _rows(conn: sqlite3.Connection, since: int, dims: int) -> Iterator[tuple[IntArray, NDArray[np.float32]]]:
    """(chunk ids, unit vectors) written after generation ``since``, in bounded batches."""
    cursor = conn.execute("SELECT id, vector FROM chunks WHERE generation > ? ORDER BY id", (since,))
    while rows := cursor.fetchmany(_LOAD_ROWS):
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), dims)
        yield ids, unit_rows(matrix)
