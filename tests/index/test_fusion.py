from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from embedrag.errors import ConfigError
from embedrag.index.fusion import FUSION, RRF_K, min_max, reciprocal_rank, weighted_score

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
