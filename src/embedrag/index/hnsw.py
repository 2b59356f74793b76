"""The approximate vector index: a usearch HNSW graph saved beside the database, as derived data.

Files: ``vectors.usearch`` (usearch's own format: cosine metric, keys = chunk ids as uint64,
vectors stored as ``dtype``: ``i8`` by default, i.e. one signed byte per dimension, or ``f16``/``f32``)
and ``vectors.json``, the sidecar: the generation the file reflects, count, dims, dtype, metric
and the sha256 of the file. A file whose checksum or shape disagrees is rebuilt from the database;
a stale one is caught up (add new ids, remove deleted ones). With ``i8`` the top candidates are
rescored with the full-precision float32 vectors from the database.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from usearch.index import Index as UsearchIndex

from embedrag._atomic import publish
from embedrag.errors import ConfigError
from embedrag.index.schema import deleted_since, read_generation
from embedrag.index.store import Store
from embedrag.index.vectors import cosine_top_k, fetch_vectors, unit_rows

__all__ = ["HNSW_DTYPES", "INDEX_FILE", "SIDECAR_FILE", "HnswIndex", "read_sidecar", "verify_files"]

INDEX_FILE = "vectors.usearch"
SIDECAR_FILE = "vectors.json"
HNSW_DTYPES = ("i8", "f16", "f32")
RESCORE_FACTOR = 4
"""With a quantized dtype, fetch ``k * RESCORE_FACTOR`` candidates and rescore them in float32."""
SAVE_AFTER_CHANGES = 1000
"""Re-publish the file once the in-memory index is this many additions/removals ahead of it."""
IntArray = NDArray[np.int64]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_sidecar(root: Path) -> dict[str, Any] | None:
    """The sidecar's content, or None if it is missing or unreadable."""
    try:
        data = json.loads((root / SIDECAR_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def verify_files(root: Path, dims: int) -> str | None:
    """Why the saved HNSW files cannot be used (None if they can, or if there are none)."""
    side = read_sidecar(root)
    path = root / INDEX_FILE
    if side is None:
        return f"{INDEX_FILE} has no readable {SIDECAR_FILE}" if path.exists() else None
    if not path.exists():
        return f"{INDEX_FILE} is missing"
    if side.get("dims") != dims or side.get("dtype") not in HNSW_DTYPES:
        return f"{SIDECAR_FILE} describes dims={side.get('dims')} dtype={side.get('dtype')}, expected dims={dims}"
    if _sha256(path) != side.get("sha256"):
        return f"{INDEX_FILE} does not match its checksum (truncated or damaged)"
    return None


class HnswIndex:
    """HNSW over a store's vectors, loaded from (or rebuilt into) the collection directory."""

    def __init__(self, store: Store, *, dtype: str = "i8", connectivity: int = 16, expansion: int = 128) -> None:
        if dtype not in HNSW_DTYPES:
            raise ConfigError(f"HNSW dtype must be one of {HNSW_DTYPES}, not {dtype!r}")
        self.store = store
        self.dtype = dtype
        self._connectivity, self._expansion = connectivity, expansion
        self._index: UsearchIndex | None = None
        self.generation = -1
        self.rebuilt = False
        """True if the last :meth:`refresh` had to rebuild from the database (missing/damaged file)."""
        self._unsaved = 0

    @property
    def path(self) -> Path:
        return self.store.root / INDEX_FILE

    def _new(self) -> UsearchIndex:
        return UsearchIndex(
            ndim=self.store.spec.dims,
            metric="cos",
            dtype=self.dtype,
            connectivity=self._connectivity,
            expansion_add=self._expansion,
            expansion_search=self._expansion,
        )

    def refresh(self) -> None:
        """Load the saved file (verified) or rebuild it, then catch up with the database."""
        self.rebuilt = False
        if self._index is None:
            self._load_or_rebuild()
        with self.store.read() as conn:
            generation = read_generation(conn)
            if generation == self.generation:
                return
            gone = deleted_since(conn, self.generation)
            rows = conn.execute("SELECT id, vector FROM chunks WHERE generation > ?", (self.generation,)).fetchall()
        index = self._index
        assert index is not None
        if gone:
            index.remove(np.array(gone, dtype=np.uint64))
        if rows:
            ids = np.array([r[0] for r in rows], dtype=np.uint64)
            index.remove(ids)  # a repair may re-announce an id that is already present
            vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), -1)
            index.add(ids, vectors)
        self._unsaved += len(gone) + len(rows)
        self.generation = generation
        if self.rebuilt or self._unsaved >= SAVE_AFTER_CHANGES:
            self.save()

    def _load_or_rebuild(self) -> None:
        side = read_sidecar(self.store.root)
        problem = verify_files(self.store.root, self.store.spec.dims)
        if side is not None and problem is None and side.get("dtype") == self.dtype:
            index = self._new()
            index.load(str(self.path))
            if len(index) == side.get("count"):
                self._index, self.generation = index, int(side["generation"])
                return
        self._index, self.generation, self.rebuilt = self._new(), -1, True

    def save(self) -> None:
        """Publish the file and then its sidecar, each atomically."""
        index = self._index
        if index is None:
            return

        def write_index(path: Path) -> None:
            index.save(str(path))

        publish(self.path, write_index)
        side = {
            "format": 1,
            "generation": self.generation,
            "count": len(index),
            "dims": self.store.spec.dims,
            "dtype": self.dtype,
            "metric": "cos",
            "sha256": _sha256(self.path),
        }

        def write_sidecar(path: Path) -> None:
            path.write_text(json.dumps(side, indent=1))

        publish(self.store.root / SIDECAR_FILE, write_sidecar)
        self._unsaved = 0

    def __len__(self) -> int:
        return 0 if self._index is None else len(self._index)

    def search(self, query: Any, k: int, candidates: IntArray | None = None) -> list[tuple[int, float]]:
        """Approximately the ``k`` nearest chunks by cosine; among sorted ``candidates`` if given.

        With a filter, the candidate count grows until ``k`` allowed hits are found; if that reaches
        the whole index, it finishes with an exact search over the candidates.
        """
        self.refresh()
        index = self._index
        assert index is not None
        if len(index) == 0:
            return []
        q = unit_rows(query)[0]
        want = k * (RESCORE_FACTOR if self.dtype != "f32" else 1)
        count = want if candidates is None else want * 4
        while True:
            found = index.search(q, min(count, len(index)))
            keys = np.asarray(found.keys, dtype=np.int64)
            if candidates is not None:
                keys = keys[np.isin(keys, candidates)]
            if len(keys) >= want or count >= len(index):
                break
            count *= 4
        if candidates is not None and len(keys) < want and count >= len(index):
            keys = candidates  # the filter is selective: exact search over all of its chunks
        with self.store.read() as conn:
            ids, matrix = fetch_vectors(conn, keys.tolist(), self.store.spec.dims)
        return cosine_top_k(q, ids, unit_rows(matrix), k)
