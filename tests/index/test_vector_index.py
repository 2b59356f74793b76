from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from embedrag.index import Store
from embedrag.index.hnsw import INDEX_FILE, SIDECAR_FILE, HnswIndex, read_sidecar
from embedrag.index.vectors import ExactVectors
from embedrag.types import Chunk, Document, EmbeddingSpec

N, DIMS = 5000, 32


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """5,000 random 32-d vectors, 100 documents of 50 chunks."""
    spec = EmbeddingSpec("rand", "static", "fp32", DIMS, None, "mean", True, "h")
    root = tmp_path_factory.mktemp("big")
    vectors = np.random.default_rng(0).standard_normal((N, DIMS)).astype(np.float32)
    with Store.open(root, spec=spec, create=True) as store, store.write() as w:
        for d in range(100):
            chunks = [Chunk(f"d{d}", i, f"chunk {d} {i}", 0, 1, 1) for i in range(50)]
            w.put_document(Document(f"d{d}", "x", f"d{d}", {"group": d % 4}), chunks, vectors[d * 50 : d * 50 + 50])
    return root, vectors


def test_exact_search_finds_the_vector_itself(store: Store, put: Callable[..., None], make: Callable) -> None:
    doc, chunks, vectors = make("a", ["one", "two", "three"])
    store.put_document(doc, chunks, vectors)
    assert ExactVectors(store).search(vectors[1], k=1)[0][0] == 2


def test_exact_search_catches_up_after_delete(store: Store, put: Callable[..., None]) -> None:
    put("a", ["one"])
    put("b", ["two"])
    exact = ExactVectors(store)
    assert len(exact.search(np.ones(8), k=10)) == 2
    store.delete_documents(["a"])
    assert [c for c, _ in exact.search(np.ones(8), k=10)] == [2]


def test_hnsw_recall_at_10_is_at_least_095(big: tuple[Path, np.ndarray]) -> None:
    root, _vectors = big
    with Store.open(root) as store:
        exact, hnsw = ExactVectors(store), HnswIndex(store, dtype="i8")
        queries = np.random.default_rng(1).standard_normal((100, DIMS))
        found = 0
        for q in queries:
            truth = {c for c, _ in exact.search(q, 10)}
            found += len(truth & {c for c, _ in hnsw.search(q, 10)})
    assert found / 1000 >= 0.95


def test_hnsw_is_saved_with_a_sidecar_and_reloaded(big: tuple[Path, np.ndarray]) -> None:
    root, _vectors = big
    with Store.open(root) as store:
        HnswIndex(store).refresh()
        side = read_sidecar(root)
        assert side is not None
        assert (side["count"], side["dims"], side["dtype"], side["generation"]) == (N, DIMS, "i8", 1)
        again = HnswIndex(store)
        again.refresh()
        assert not again.rebuilt


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_damaged_hnsw_file_is_detected_and_rebuilt(big: tuple[Path, np.ndarray], damage: str) -> None:
    root, vectors = big
    with Store.open(root) as store:
        HnswIndex(store).refresh()
        data = bytearray((root / INDEX_FILE).read_bytes())
        if damage == "truncate":
            data = data[: len(data) // 2]
        else:
            data[len(data) // 3] ^= 0x10
        (root / INDEX_FILE).write_bytes(bytes(data))
        assert "checksum" in store.check().problems[0]
        hnsw = HnswIndex(store)
        assert hnsw.search(vectors[7], 1)[0][0] == 8
        assert hnsw.rebuilt
        assert store.check().ok


def test_a_stale_hnsw_file_is_caught_up(tmp_path: Path, spec: EmbeddingSpec, make: Callable) -> None:
    with Store.open(tmp_path, spec=spec, create=True) as store:
        store.put_document(*make("a", ["one", "two"]))
        HnswIndex(store).refresh()
        doc, chunks, vectors = make("b", ["three"])
        store.put_document(doc, chunks, vectors)
        store.delete_documents(["a"])
        hnsw = HnswIndex(store)
        assert [c for c, _ in hnsw.search(vectors[0], 5)] == [3]
        assert not hnsw.rebuilt
        assert (tmp_path / SIDECAR_FILE).exists()
