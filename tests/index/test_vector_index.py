from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import InputError
from embedrag.index import Store
from embedrag.index.hnsw import INDEX_FILE, HnswIndex, graph_meta
from embedrag.index.retrieval import Index
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


@pytest.mark.parametrize("dtype", ["f32", "i8"])
def test_hnsw_recall_at_10_is_at_least_095(big: tuple[Path, np.ndarray], dtype: str) -> None:
    root, _vectors = big
    with Store.open(root) as store:
        exact, hnsw = ExactVectors(store), HnswIndex(store, dtype=dtype)
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
        side = graph_meta(root)
        assert side is not None
        assert (side["count"], side["dims"], side["dtype"], side["generation"]) == (N, DIMS, "f32", 1)
        again = HnswIndex(store)
        again.refresh()
        assert not again.rebuilt, again.problem


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
        assert "is damaged" in store.check().problems[0]
        hnsw = HnswIndex(store)
        with pytest.warns(UserWarning, match=r"is damaged.*check --repair"):
            assert hnsw.search(vectors[7], 1)[0][0] == 8  # a reader rebuilds in memory ...
        assert hnsw.rebuilt
        assert "is damaged" in store.check().problems[0]  # ... and leaves the file alone
        assert store.check(repair=True).ok
        assert store.check().ok
        assert HnswIndex(store).search(vectors[7], 1)[0][0] == 8


def test_a_stale_hnsw_file_is_caught_up(tmp_path: Path, spec: EmbeddingSpec, make: Callable) -> None:
    with Store.open(tmp_path, spec=spec, create=True) as store:
        store.put_document(*make("a", ["one", "two"]))
        store.put_document(*make("c", [f"c{i}" for i in range(8)]))
        HnswIndex(store).refresh()
        doc, chunks, vectors = make("b", ["three"])
        store.put_document(doc, chunks, vectors)
        store.delete_documents(["a"])
        hnsw = HnswIndex(store)
        hits = hnsw.search(vectors[0], 20)
        assert hits[0][0] == 11 and {c for c, _ in hits} == set(range(3, 12))
        assert not hnsw.rebuilt
        assert (tmp_path / INDEX_FILE).exists()


def test_batch_search_equals_one_at_a_time(big: tuple[Path, np.ndarray]) -> None:
    root, _vectors = big
    with Store.open(root) as store:
        hnsw = HnswIndex(store)
        queries = np.random.default_rng(2).standard_normal((20, DIMS))
        for batched, q in zip(hnsw.search_batch(queries, 5), queries, strict=True):
            single = hnsw.search(q, 5)
            assert [c for c, _ in batched] == [c for c, _ in single]
            assert [s for _, s in batched] == pytest.approx([s for _, s in single], abs=1e-6)


def test_a_filter_is_applied_inside_the_graph_search(big: tuple[Path, np.ndarray]) -> None:
    root, vectors = big
    with Store.open(root) as store:
        hnsw = HnswIndex(store)
        allowed = np.arange(1, N + 1, 3, dtype=np.int64)  # every 3rd chunk: 1,667 of 5,000, over SMALL_FILTER
        for q in np.random.default_rng(3).standard_normal((10, DIMS)):
            hits = hnsw.search(q, 10, candidates=allowed)
            assert len(hits) == 10
            assert {c for c, _ in hits} <= set(allowed.tolist())
        few = np.array([3, 4000], dtype=np.int64)  # under SMALL_FILTER: answered exactly
        assert sorted(c for c, _ in hnsw.search(vectors[0], 10, candidates=few)) == [3, 4000]
        some = np.arange(1, N + 1, 7, dtype=np.int64)
        exact = ExactVectors(store).search(vectors[0], 10, candidates=some)
        got = hnsw.search(vectors[0], 10, candidates=some)
        assert [c for c, _ in got] == [c for c, _ in exact]
        assert [s for _, s in got] == pytest.approx([s for _, s in exact], abs=1e-5)


def test_deleted_chunks_are_skipped_then_the_graph_is_rebuilt(
    tmp_path: Path, spec: EmbeddingSpec, make: Callable
) -> None:
    with Store.open(tmp_path, spec=spec, create=True) as store:
        for d in range(20):
            store.put_document(*make(f"d{d}", [f"p{i}" for i in range(10)]))
        hnsw = HnswIndex(store)
        hnsw.refresh()
        store.delete_documents(["d0", "d1", "d2"])  # 15% dead: skipped inside the search
        _doc, _chunks, gone = make("d1", [f"p{i}" for i in range(10)])
        hits = hnsw.search(gone[0], 30)
        assert len(hits) == 30 and min(c for c, _ in hits) > 30
        assert not hnsw.rebuilt and len(hnsw) == 170
        store.delete_documents(["d3", "d4"])  # 25% dead: rebuilt from the database
        hnsw.refresh()
        assert hnsw.rebuilt and len(hnsw) == 150
        assert len(hnsw.search(gone[0], 200)) == 150
        assert graph_meta(tmp_path)["count"] == 150


def test_a_binary_graph_rescores_its_candidates_in_float32(big: tuple[Path, np.ndarray]) -> None:
    root, vectors = big
    with Store.open(root) as store:
        graph = HnswIndex(store, dtype="b1")
        graph.refresh()
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        for row in (7, 99, 1234):
            hits = graph.search(vectors[row], 5)
            assert hits[0][0] == row + 1  # a stored vector finds itself first (chunk ids start at 1)
            for chunk_id, score in hits:  # the scores are float cosines, not Hamming distances
                assert score == pytest.approx(float(unit[chunk_id - 1] @ unit[row]), abs=1e-5)
        again = HnswIndex(store, dtype="b1")
        again.refresh()
        assert not again.rebuilt and again.search(vectors[7], 5) == graph.search(vectors[7], 5)


@pytest.fixture(scope="module")
def cone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """4,000 64-d vectors in a narrow cone (cosine ~0.9 to each other), as a static model's are."""
    spec = EmbeddingSpec("cone", "static", "fp32", 64, None, "mean", True, "h")
    root = tmp_path_factory.mktemp("cone")
    rng = np.random.default_rng(3)
    vectors = (3.0 + rng.standard_normal((4000, 64))).astype(np.float32)
    with Store.open(root, spec=spec, create=True) as store, store.write() as w:
        for d in range(40):
            chunks = [Chunk(f"c{d}", i, f"chunk {d} {i}", 0, 1, 1) for i in range(100)]
            w.put_document(Document(f"c{d}", "x", f"c{d}"), chunks, vectors[d * 100 : d * 100 + 100])
    return root, vectors


class _Uncentred(HnswIndex):
    """A b1 graph as written before centring: signs of the unit vectors themselves, no centre stored."""

    def _new(self, sample: np.ndarray) -> object:
        index = super()._new(sample)
        self._center = None
        return index


def _recall(graph: HnswIndex, exact: ExactVectors, queries: np.ndarray) -> float:
    found = sum(len({c for c, _ in exact.search(q, 10)} & {c for c, _ in graph.search(q, 10)}) for q in queries)
    return found / (10 * len(queries))


def test_a_binary_graph_takes_signs_around_the_centre_of_a_narrow_cone(cone: tuple[Path, np.ndarray]) -> None:
    root, vectors = cone
    queries = vectors[::200] + np.random.default_rng(4).standard_normal((20, 64)).astype(np.float32) * 0.5
    with Store.open(root) as store:
        exact = ExactVectors(store)
        old = _Uncentred(store, dtype="b1")
        old.refresh()
        uncentred, old_hits = _recall(old, exact, queries), old.search(queries[0], 10)
        (root / INDEX_FILE).unlink()
        graph = HnswIndex(store, dtype="b1")
        graph.refresh()
        centred = _recall(graph, exact, queries)
        assert graph_meta(root)["dtype"] == "b1"
        assert centred >= 0.4 and centred >= uncentred + 0.3, (centred, uncentred)  # measured 0.49 and 0.025
        again = HnswIndex(store, dtype="b1")  # the centre is read back with the graph
        again.refresh()
        assert not again.rebuilt and again.search(queries[0], 10) == graph.search(queries[0], 10)
        (root / INDEX_FILE).unlink()
        old.rebuilt, old._file_generation = False, None
        old.save()  # a graph file of the uncentred kind is read as one: no centre, same answers
        reread = HnswIndex(store, dtype="b1")
        reread.refresh()
        assert not reread.rebuilt and reread.search(queries[0], 10) == old_hits


@pytest.mark.parametrize("threshold", [0, 10**6], ids=["hnsw", "exact"])
@pytest.mark.parametrize(
    ("query", "error"),
    [
        (np.full(8, np.nan), "NaN or infinity"),
        (np.r_[np.inf, np.ones(7)], "NaN or infinity"),
        (np.zeros(8), "zero"),
        (["a"] * 8, "numbers"),
    ],
)
def test_a_query_vector_without_a_direction_is_an_error_not_nan_scores(
    store: Store, put: Callable[..., None], threshold: int, query: object, error: str
) -> None:
    for d in range(5):
        put(f"d{d}", [f"p{d} {i}" for i in range(4)])
    with pytest.raises(InputError, match=error):
        Index(store, exact_threshold=threshold).dense(query, k=3)


@pytest.mark.parametrize("threshold", [0, 10**6], ids=["hnsw", "exact"])
@pytest.mark.parametrize("scale", [1e-30, 1e39])
def test_a_tiny_or_huge_query_vector_ranks_as_its_direction(
    store: Store, put: Callable[..., None], threshold: int, scale: float
) -> None:
    # float32 squares of 1e-30 underflow to 0 and 1e39 is infinite in float32: both ranked nothing.
    for d in range(5):
        put(f"d{d}", [f"p{d} {i}" for i in range(4)])
    index = Index(store, exact_threshold=threshold)
    direction = [(h.id, round(h.score, 5)) for h in index.hits(index.dense(np.ones(8), k=3))]
    assert [(h.id, round(h.score, 5)) for h in index.hits(index.dense(np.ones(8) * scale, k=3))] == direction


def test_a_graph_of_another_dtype_says_what_saves_one_of_this_dtype(
    tmp_path: Path, spec: EmbeddingSpec, make: Callable
) -> None:
    # `check --repair` finds nothing wrong with a whole f32 graph: it never saved the i8 one the warning promised.
    with Store.open(tmp_path, spec=spec, create=True) as store:
        store.put_document(*make("a", [f"a{i}" for i in range(8)]))
        HnswIndex(store).refresh()
        with pytest.warns(UserWarning, match=r"holds f32, i8 was asked for.*hnsw_dtype='i8'") as caught:
            HnswIndex(store, dtype="i8").search(np.ones(8), 1)
        assert "check --repair" not in str(caught[0].message)
        assert store.check(repair=True).repaired == []
        HnswIndex(store, dtype="i8").refresh()  # what prepare_index() and an ingest call
        assert graph_meta(tmp_path)["dtype"] == "i8"
