from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from embedrag.errors import ConfigError
from embedrag.search.fusion import (
    FUSION,
    NORMALISE_TOP,
    RRF_K,
    adaptive_weighted,
    min_max,
    reciprocal_rank,
    top_gap,
    weighted_score,
)

ranked = st.lists(st.tuples(st.integers(0, 30), st.floats(-1e6, 1e6)), max_size=20, unique_by=lambda t: t[0]).map(
    lambda xs: sorted(xs, key=lambda t: -t[1])
)


@given(st.lists(ranked, max_size=4))
def test_rrf_keeps_every_id_once_and_sorts_descending(lists: list) -> None:
    fused = reciprocal_rank(lists)
    ids = [i for i, _ in fused]
    assert sorted(ids) == sorted({i for lst in lists for i, _ in lst})
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(fused))


@given(ranked)
def test_rrf_of_one_list_preserves_its_order(lst: list) -> None:
    fused = reciprocal_rank([lst])
    assert [i for i, _ in fused] == [i for i, _ in lst]
    assert all(s == pytest.approx(1 / (RRF_K + r)) for r, (_, s) in enumerate(fused, start=1))


@given(ranked)
def test_min_max_maps_into_the_unit_interval(lst: list) -> None:
    assert all(0.0 <= s <= 1.0 for _, s in min_max(lst))


@given(st.lists(ranked, min_size=1, max_size=3))
def test_weighted_fusion_scores_are_bounded_by_the_weight_sum(lists: list) -> None:
    assert all(-1e-9 <= s <= 1 + 1e-9 for _, s in weighted_score(lists))


def test_an_id_first_in_both_lists_wins_either_way() -> None:
    lists = [[("x", 3.0), ("y", 1.0)], [("x", 0.9), ("z", 0.1)]]
    for method in FUSION.values():
        assert method(lists)[0][0] == "x"


def test_weights_must_match_the_lists() -> None:
    with pytest.raises(ConfigError):
        weighted_score([[("a", 1.0)]], weights=[0.5, 0.5])


@given(ranked, st.integers(1, 25))
def test_min_max_over_a_top_does_not_depend_on_the_tail(lst: list, top: int) -> None:
    head = min_max(lst[:top], top=top)
    assert min_max(lst, top=top)[: len(head)] == head
    assert all(0.0 <= s <= 1.0 for _, s in min_max(lst, top=top))


def test_top_gap_measures_how_far_the_best_hit_stands_out() -> None:
    assert top_gap([("a", 1.0), ("b", 0.5), ("c", 0.0)]) == pytest.approx(0.5)
    assert top_gap([("a", 1.0), ("b", 1.0), ("c", 0.0)]) == 0.0
    assert top_gap([("a", 1.0), ("b", 0.0)]) == 0.0  # too short to say
    assert top_gap([("a", 2.0), ("b", 2.0), ("c", 2.0)]) == 0.0


def test_adaptive_fusion_leans_on_dense_when_both_are_equally_sure() -> None:
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.7)]
    lexical = [("b", 9.0), ("a", 8.0), ("c", 7.0)]  # the same gap: the dense share is 0.6
    fused = dict(adaptive_weighted([dense, lexical]))
    assert fused["a"] == pytest.approx(0.6 * 1.0 + 0.4 * 0.5)
    assert fused["b"] == pytest.approx(0.6 * 0.5 + 0.4 * 1.0)
    assert next(iter(fused)) == "a"


def test_adaptive_fusion_trusts_the_list_whose_best_hit_stands_out() -> None:
    dense = [("a", 0.81), ("b", 0.80), ("c", 0.60)]  # a barely ahead
    lexical = [("b", 20.0), ("a", 2.0), ("c", 1.0)]  # b far ahead: the dense share drops to 0.3
    fused = adaptive_weighted([dense, lexical])
    assert fused[0][0] == "b"
    assert dict(fused)["a"] == pytest.approx(0.3 + 0.7 * (1 / 19))


def test_adaptive_fusion_top_is_the_same_however_many_results_come_in() -> None:
    dense = [(i, 1.0 - i / 200) for i in range(200)]
    lexical = [(199 - i, 30.0 - i / 10 - (i == 0)) for i in range(200)]
    short = adaptive_weighted([dense[:NORMALISE_TOP], lexical[:NORMALISE_TOP]])[:10]
    assert adaptive_weighted([dense, lexical])[:10] == short


def test_adaptive_fusion_takes_exactly_two_lists() -> None:
    with pytest.raises(ConfigError, match=r"takes \[dense, lexical\]"):
        adaptive_weighted([[("a", 1.0)]])
