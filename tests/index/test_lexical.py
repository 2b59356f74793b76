from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from embedrag.index import Store
from embedrag.index.lexical import LexicalIndex
from embedrag.types import EmbeddingSpec

VOCAB = ["apple", "banana", "cherry", "date", "elder", "fig", "grape"]


def reference_bm25(docs: list[list[str]], query: list[str], k1: float = 1.5, b: float = 0.75) -> list[float]:
    """Textbook Lucene BM25 (bm25s form), one document at a time: the slow, obvious version."""
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    scores = []
    for doc in docs:
        tf = Counter(doc)
        score = 0.0
        for term in set(query):
            df = sum(1 for d in docs if term in d)
            if tf[term]:
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                score += idf * tf[term] / (tf[term] + k1 * (1 - b + b * len(doc) / avgdl))
        scores.append(score)
    return scores


corpora = st.lists(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=12), min_size=1, max_size=15)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(corpus=corpora, query=st.lists(st.sampled_from(VOCAB), min_size=1, max_size=4))
def test_scores_equal_a_brute_force_reference(
    tmp_path_factory: pytest.TempPathFactory, spec: EmbeddingSpec, make: Callable[..., tuple], corpus, query
) -> None:
    with Store.open(tmp_path_factory.mktemp("c"), spec=spec, create=True, analyzer="plain") as store:
        with store.write() as w:
            for i, words in enumerate(corpus):
                w.put_document(*make(f"d{i}", [" ".join(words)]))
        index = LexicalIndex(store)
        got = dict(index.search(" ".join(query), k=len(corpus)))
        expected = reference_bm25(corpus, query)
        for column, chunk_id in enumerate(index.chunk_ids):
            assert got.get(int(chunk_id), 0.0) == pytest.approx(expected[column], rel=1e-5, abs=1e-6)


def test_rankings_agree_with_bm25s(store: Store, put: Callable[..., None]) -> None:
    bm25s = pytest.importorskip("bm25s")
    texts = [
        "the quick brown fox jumps over the lazy dog",
        "a fast brown fox leaps across a sleepy hound",
        "stock markets fell sharply as investors sold shares",
        "the central bank raised interest rates again",
        "foxes and dogs are both mammals found in europe",
        "investors bought bank shares after the rates news",
    ]
    for i, text in enumerate(texts):
        put(f"d{i}", [text])
    index = LexicalIndex(store)
    retriever = bm25s.BM25()
    retriever.index([store.analyzer.terms(t) for t in texts], show_progress=False)
    for query in ["brown fox", "bank rates", "investors shares markets", "dogs"]:
        ours = [int(c) - 1 for c, _ in index.search(query, k=3)]
        docs, _ = retriever.retrieve([store.analyzer.terms(query)], k=3, show_progress=False)
        assert ours == docs[0].tolist()[: len(ours)]


def test_search_catches_up_after_replace_and_delete(store: Store, put: Callable[..., None]) -> None:
    put("a", ["apples are red"])
    put("b", ["pears are green"])
    index = LexicalIndex(store)
    assert len(index.search("apples", k=5)) == 1
    put("a", ["plums are purple"])
    store.delete_documents(["b"])
    assert index.search("apples", k=5) == []
    assert index.search("pears", k=5) == []
    assert [c for c, _ in index.search("plums", k=5)] == [3]


operations = st.lists(
    st.tuples(
        st.sampled_from(["put", "delete"]),
        st.integers(0, 5),
        st.lists(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=6).map(" ".join), min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_incremental_refresh_scores_like_a_fresh_index(
    tmp_path_factory: pytest.TempPathFactory, spec: EmbeddingSpec, make: Callable[..., tuple], ops
) -> None:
    """Segments, dead columns and merges after any sequence of writes give exactly the fresh scores."""
    with Store.open(tmp_path_factory.mktemp("c"), spec=spec, create=True, analyzer="plain") as store:
        live = LexicalIndex(store)
        for action, doc, paragraphs in ops:
            if action == "put":
                store.put_document(*make(f"d{doc}", paragraphs))
            else:
                store.delete_documents([f"d{doc}"])
            for query in ("apple fig", "banana", "cherry date elder grape"):
                got = live.search(query, k=50)
                fresh = LexicalIndex(store).search(query, k=50)
                assert [c for c, _ in got] == [c for c, _ in fresh]
                assert [s for _, s in got] == pytest.approx([s for _, s in fresh], rel=1e-6)
        assert len(live._segments) <= 17


def test_small_writes_add_segments_and_merge_when_they_grow(store: Store, put: Callable[..., None]) -> None:
    for i in range(40):
        put(f"base{i}", ["apples and pears in the orchard"])
    index = LexicalIndex(store)
    index.refresh()
    assert len(index._segments) == 1
    put("new", ["pears"])
    index.refresh()
    assert len(index._segments) == 2  # a small write is a small segment, not a rebuild
    for i in range(20):
        put(f"more{i}", ["apples plums cherries"])
    index.refresh()
    assert len(index._segments) == 1  # newer postings passed a quarter: merged
    store.delete_documents([f"base{i}" for i in range(30)])
    index.refresh()
    assert len(index._segments) == 1 and index._segments[0].alive.all()  # the dead are dropped
    assert {c for c, _ in index.search("orchard", k=50)} == set(range(31, 41))


def test_chunks_without_query_terms_are_not_hits(store: Store, put: Callable[..., None]) -> None:
    put("a", ["apples"])
    put("b", ["pears"])
    assert [c for c, _ in LexicalIndex(store).search("apples zebras", k=10)] == [1]


def test_the_analyzer_is_recorded_with_the_collection(tmp_path: Path, spec: EmbeddingSpec) -> None:
    Store.open(tmp_path, spec=spec, create=True, analyzer="plain").close()
    with Store.open(tmp_path) as store:
        assert store.analyzer.name == "plain"
