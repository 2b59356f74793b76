"""A sharded collection on a real local Ray cluster ranks exactly as one collection over the same
documents: ids equal and scores to 1e-5, in every mode, with and without filters."""

from __future__ import annotations

import random
from collections.abc import Iterator
from types import ModuleType

import pytest

from embedrag.collection import Collection
from embedrag.distributed.sharded import ShardedCollection, shard_of
from embedrag.errors import ConfigError
from embedrag.types import Document

STATIC = "tokenlearn-static-64"
QUERIES = ["cat and dog", "stock market fell", "violin in the valley", "river engine bread", "league final rain"]


def _documents() -> list[Document]:
    """Notes of words drawn at random (seeded), each of its own length: no two score alike, so a
    ranking has one right order (one collection orders equal scores arbitrarily)."""
    rng = random.Random(7)
    vocabulary = [w for w in " ".join(QUERIES).split() if w not in ("and", "in", "the")] + [f"w{i}" for i in range(80)]
    docs = []
    for i in range(120):
        text = " ".join(rng.choice(vocabulary) for _ in range(3 + i))
        docs.append(Document(f"n{i:03d}", f"Note {i}: {text}.", f"n{i:03d}", {"year": 2000 + i % 10}))
    return docs


@pytest.fixture(scope="module")
def pair(
    ray_cluster: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Collection, ShardedCollection]]:
    root = tmp_path_factory.mktemp("sharded")
    docs = _documents()
    single = Collection.open(root / "one", model=STATIC)
    single.add(docs)
    sharded = ShardedCollection.open(root / "three", shards=3, model=STATIC, cpus_per_shard=0.5)
    report = sharded.add(docs)
    assert (report.added, report.chunks) == (len(docs), single.stats()["chunks"])
    yield single, sharded
    sharded.close()
    single.close()


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
@pytest.mark.parametrize("filters", [None, {"year": {"gte": 2004}}])
def test_sharded_search_ranks_as_one_collection(
    pair: tuple[Collection, ShardedCollection], mode: str, filters: dict[str, object] | None
) -> None:
    single, sharded = pair
    for query in QUERIES:
        expected = single.search(query, k=10, mode=mode, filters=filters)
        got = sharded.search(query, k=10, mode=mode, filters=filters)
        assert [h.id for h in got] == [h.id for h in expected], (query, mode)
        assert [h.score for h in got] == pytest.approx([h.score for h in expected], abs=1e-5)
        assert len(expected) == 10


def test_documents_spread_over_the_shards_and_deletes_find_them(pair: tuple[Collection, ShardedCollection]) -> None:
    _, sharded = pair
    assert len({shard_of(d.id, 3) for d in _documents()}) == 3
    assert sharded.delete(["n000", "missing"]) == 1
    assert "n000#0" not in [h.id for h in sharded.search("Note 0", k=50, mode="bm25")]
    assert sharded.add([d for d in _documents() if d.id == "n000"]).added == 1


def test_the_shard_count_is_fixed_at_creation(pair: tuple[Collection, ShardedCollection]) -> None:
    _, sharded = pair
    with pytest.raises(ConfigError, match="has 3 shards, not 2"):
        ShardedCollection.open(sharded.root, shards=2)


def test_a_late_rerank_of_the_merged_candidates_ranks_as_one_collection(
    ray_cluster: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A transformer (token vectors), kept by every shard: each candidate's are read from its shard.
    # A quarter CPU per shard: the module's other pair holds 1.5 of the cluster's 2 CPUs.
    root = tmp_path_factory.mktemp("sharded-late")
    docs = _documents()[:40]
    with (
        Collection.open(root / "one", model="all-MiniLM-L6-v2", token_vectors=True) as single,
        ShardedCollection.open(
            root / "two", shards=2, model="all-MiniLM-L6-v2", cpus_per_shard=0.25, token_vectors=True
        ) as sharded,
    ):
        single.add(docs)
        sharded.add(docs)
        for query in QUERIES[:3]:
            expected = single.search(query, k=5, rerank="late")
            got = sharded.search(query, k=5, rerank="late")
            assert [h.id for h in got] == [h.id for h in expected], query
            assert [h.score for h in got] == pytest.approx([h.score for h in expected], abs=1e-5)
        # Every candidate's kept vectors come from its own shard (a chunk without them would be
        # encoded at query time: the same scores, since those are quantized alike, but slower).
        names = [(h.id.rpartition("#")[0], int(h.id.rpartition("#")[2])) for h in got]
        assert set(sharded._kept_token_vectors(names)) == set(names)
        assert {shard_of(doc_id, 2) for doc_id, _ in names} == {0, 1}
        plain = sharded.search(QUERIES[0], k=5)
        assert [h.score for h in plain] != [h.score for h in sharded.search(QUERIES[0], k=5, rerank="late")]
