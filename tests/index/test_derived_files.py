"""The HNSW file is derived from one exact database: restored, damaged or stale, it never answers wrongly."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from conftest import restore_database
from embedrag.errors import IndexRebuiltWarning
from embedrag.index import Store
from embedrag.index.derived import open_arrays, write_arrays
from embedrag.index.hnsw import INDEX_FILE, HnswIndex, graph_meta
from embedrag.index.retrieval import Index
from embedrag.index.vectors import ExactVectors
from embedrag.types import EmbeddingSpec

Make = Callable[..., tuple]


def _fill(store: Store, make: Make, prefix: str, docs: int) -> None:
    for d in range(docs):
        store.put_document(*make(f"{prefix}{d}", [f"{prefix} {d} part {i}" for i in range(5)]))


def _graph_agrees_with_exact(store: Store) -> None:
    exact, graph = ExactVectors(store), HnswIndex(store)
    for q in np.random.default_rng(5).standard_normal((20, store.spec.dims)):
        assert [c for c, _ in graph.search(q, 5)] == [c for c, _ in exact.search(q, 5)]


def _identity(root: Path) -> tuple[int, int]:
    """The graph file's inode and mtime: both change when anyone rewrites it."""
    stat = (root / INDEX_FILE).stat()
    return stat.st_ino, stat.st_mtime_ns


@pytest.mark.parametrize("later_writes", [0, 3, 6])
def test_a_restored_database_beside_a_newer_graph_rebuilds_it(
    tmp_path: Path, spec: EmbeddingSpec, make: Make, later_writes: int
) -> None:
    root = tmp_path / "col"
    with Store.open(root, spec=spec, create=True) as store:
        _fill(store, make, "old", 6)
    backup = tmp_path / "backup.db"
    shutil.copy(root / "collection.db", backup)  # closed cleanly: the WAL is checkpointed
    with Store.open(root) as store:
        _fill(store, make, "newer", 6)  # generations 7..12, chunk ids 31..60
        HnswIndex(store).refresh()
        assert graph_meta(root)["generation"] == 12
    restore_database(backup, root)
    with Store.open(root) as store:
        _fill(store, make, "other", later_writes)  # reuses generations and chunk ids with other texts
        assert not store.check().ok
        assert any("another copy of the database" in p for p in store.check().problems)
        with pytest.warns(IndexRebuiltWarning, match="another copy of the database"):
            _graph_agrees_with_exact(store)


def test_check_repair_rebuilds_a_graph_from_another_database(tmp_path: Path, spec: EmbeddingSpec, make: Make) -> None:
    root = tmp_path / "col"
    with Store.open(root, spec=spec, create=True) as store:
        _fill(store, make, "old", 4)
    backup = tmp_path / "backup.db"
    shutil.copy(root / "collection.db", backup)
    with Store.open(root) as store:
        _fill(store, make, "newer", 4)
        HnswIndex(store).refresh()
    restore_database(backup, root)
    with Store.open(root) as store:
        _fill(store, make, "other", 4)
        report = store.check(repair=True)
        assert report.ok and report.repaired
        assert store.check().ok
        _graph_agrees_with_exact(store)


def test_a_graph_whose_checksum_matches_but_cannot_be_read_is_damaged(
    tmp_path: Path, spec: EmbeddingSpec, make: Make
) -> None:
    root = tmp_path / "col"
    with Store.open(root, spec=spec, create=True) as store:
        _fill(store, make, "d", 8)
        HnswIndex(store).refresh()
        opened = open_arrays(root / INDEX_FILE, "faiss-hnsw")
        parts = {name: np.array(array) for name, array in opened.arrays.items()}
        parts["index"] = np.frombuffer(b"not a faiss index" * 40, dtype=np.uint8)  # bytes changed ...
        meta = {k: v for k, v in opened.meta.items() if k not in ("format", "kind", "arrays", "size")}
        del opened
        write_arrays(root / INDEX_FILE, "faiss-hnsw", meta, parts)  # ... and the checksums written to match
        report = store.check()
        assert not report.ok
        assert any("cannot be read" in p for p in report.problems)
        with pytest.warns(IndexRebuiltWarning, match="cannot be read"):
            _graph_agrees_with_exact(store)
        graph = HnswIndex(store)
        graph.refresh()  # a writer rebuilds and saves
        assert graph.rebuilt
        assert store.check().ok
        write_arrays(root / INDEX_FILE, "faiss-hnsw", meta, parts)
        assert store.check(repair=True).ok
        assert store.check().ok


def test_searching_does_not_rewrite_the_graph_file(tmp_path: Path, spec: EmbeddingSpec, make: Make) -> None:
    root = tmp_path / "col"
    with Store.open(root, spec=spec, create=True) as store:
        _fill(store, make, "d", 8)
        writer = Index(store, exact_threshold=10)
        writer.prepare()
        writer.save()
    before = _identity(root)
    with Store.open(root) as store:
        reader = Index(store, exact_threshold=10)
        for q in np.random.default_rng(1).standard_normal((5, spec.dims)):
            assert len(reader.dense(q, 3)) == 3
        reader.save()  # what Collection.close() does
    assert _identity(root) == before


def test_a_reader_catches_up_a_stale_graph_in_memory_only(tmp_path: Path, spec: EmbeddingSpec, make: Make) -> None:
    root = tmp_path / "col"
    with Store.open(root, spec=spec, create=True) as store:
        _fill(store, make, "d", 8)
        HnswIndex(store).refresh()
        before = _identity(root)
        _fill(store, make, "e", 2)
        reader = Index(store, exact_threshold=10)
        doc, _chunks, vectors = make("e1", ["e 1 part 0"])
        assert reader.hits(reader.dense(vectors[0], 1))[0].doc_id == doc.id
        reader.save()
    assert _identity(root) == before


def test_a_huge_k_returns_every_chunk_without_allocating_for_k(tmp_path: Path, spec: EmbeddingSpec, make: Make) -> None:
    root = tmp_path / "col"
    with Store.open(root, spec=spec, create=True) as store:
        _fill(store, make, "d", 8)
        index = Index(store, exact_threshold=10)
        query = np.ones(spec.dims)
        assert len(index.dense(query, 1_000_000_000)) == 40
        assert len(index.dense(query, 1_000_000_000, exact=True)) == 40
        assert len(index.lexical("part", 1_000_000_000)) == 40
