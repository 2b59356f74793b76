"""Adaptive fusion weighs BM25 by how much lexical evidence its best match holds: none, and hybrid is dense."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from embedrag.collection import Collection
from embedrag.search.fusion import (
    AGREEMENT_RANGE,
    LEXICAL_FLOOR,
    LEXICAL_FULL,
    adaptive_weighted,
    agreement,
    lexical_evidence,
    lexical_trust,
)
from embedrag.types import Document

ranked = st.lists(
    st.tuples(st.integers(0, 30), st.floats(0, 50)), min_size=1, max_size=20, unique_by=lambda t: t[0]
).map(lambda xs: sorted(xs, key=lambda t: -t[1]))


def test_evidence_counts_the_best_score_in_rare_words_of_the_collection() -> None:
    assert lexical_evidence([("a", 2 * math.log(1000)), ("b", 1.0)], 1000) == pytest.approx(2.0)
    assert lexical_evidence([], 1000) == 0.0
    assert lexical_evidence([("a", 1.0)], 1) == pytest.approx(1 / math.log(3))  # tiny collections: no division by 0


@given(ranked, ranked, st.integers(1, 10**7))
def test_trust_is_a_share_earned_by_evidence_or_agreement(dense: list, lexical: list, chunks: int) -> None:
    trust = lexical_trust(dense, lexical, chunks)
    evidence, shared = lexical_evidence(lexical, chunks), agreement(dense, lexical)
    assert 0.0 <= trust <= 1.0 and 0.0 <= shared <= 1.0
    assert (trust == 0.0) == (evidence <= LEXICAL_FLOOR and shared <= AGREEMENT_RANGE[0])
    assert (trust == 1.0) == (evidence >= LEXICAL_FULL or shared >= AGREEMENT_RANGE[1])


@given(ranked, ranked, st.integers(1, 10**7))
def test_without_evidence_the_dense_list_comes_back_as_it_is(dense: list, lexical: list, chunks: int) -> None:
    fused = adaptive_weighted([dense, lexical], chunks=chunks)
    if lexical_trust(dense, lexical, chunks) == 0.0:
        assert fused == dense
    else:
        assert {i for i, _ in fused} == {i for i, _ in dense} | {i for i, _ in lexical}


def test_more_evidence_gives_bm25_more_say() -> None:
    dense = [("a", 0.80), ("b", 0.79), ("c", 0.50)]
    lexical = [("b", 9.0), ("c", 2.0), ("a", 1.0)]
    chunks = 1000  # ln(1000) = 6.9: a best score of 9.0 is 1.3 rare words, full trust
    assert adaptive_weighted([dense, lexical], chunks=chunks)[0][0] == "b"
    assert adaptive_weighted([dense, lexical])[0][0] == "b"  # without a size: trusted as it comes
    weak = [("b", 4.0), ("d", 2.0), ("e", 1.0)]  # 0.58 ln(1000), and 1 of 10 shared: no say
    assert adaptive_weighted([dense, weak], chunks=chunks) == dense
    ten = [(f"x{n}", 0.7 - n / 100) for n in range(10)]
    agreeing = [(key, 4.0 - n / 10) for n, (key, _) in enumerate(ten[::-1])]  # as weak, but the same 10: a full say
    assert adaptive_weighted([ten, agreeing], chunks=chunks) == adaptive_weighted([ten, agreeing])
    assert adaptive_weighted([ten, agreeing], chunks=chunks) != ten


FILLER = "the report says that the people in the town have a plan for the year"


@pytest.fixture(scope="module")
def col(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    docs = [
        Document(f"d{n}", f"{FILLER} number {n} code{n} about {topic}", f"d{n}.txt") for n, topic in enumerate(TOPICS)
    ]
    with Collection.open(tmp_path_factory.mktemp("col") / "c", model="tokenlearn-static-64") as collection:
        collection.add(docs)
        yield collection


TOPICS = ["volcanoes", "bread", "tennis", "taxes", "whales", "trains", "opera", "chess"] * 4


def test_a_query_of_common_words_searches_as_dense_alone(col: Collection) -> None:
    query = "the people in the town have a plan"  # in every chunk: BM25 has nothing to say
    hybrid = col.search(query, k=10)
    assert [h.id for h in hybrid] == [h.id for h in col.search(query, k=10, mode="dense")]


def test_a_query_with_a_rare_word_still_uses_bm25(col: Collection) -> None:
    query = "number 12 code12 about whales"  # whales in 4 of 32 chunks, 12 and code12 in one
    lexical = [(h.id, h.score) for h in col.search(query, k=50, mode="bm25")]
    dense = [(h.id, h.score) for h in col.search(query, k=50, mode="dense")]
    assert lexical_evidence(lexical, col.stats()["chunks"]) > LEXICAL_FLOOR
    assert lexical_trust(dense, lexical, col.stats()["chunks"]) > 0.5
    assert col.search(query, k=1)[0].doc_id == "d12"
