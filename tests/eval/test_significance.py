"""The paired randomisation test: a pure, seeded function of two lists of per-query scores."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedrag.errors import InputError
from embedrag.eval.significance import paired_test, per_query, randomisation_p

scores = st.lists(st.floats(0, 1), min_size=1, max_size=40)
pairs = scores.flatmap(lambda a: st.tuples(st.just(a), st.lists(st.floats(0, 1), min_size=len(a), max_size=len(a))))


@settings(max_examples=40, deadline=None)
@given(pairs, st.integers(0, 2**16))
def test_p_is_a_probability_the_same_for_the_same_seed_and_either_order(pair: tuple, seed: int) -> None:
    a, b = pair
    p = randomisation_p(a, b, rounds=200, seed=seed)
    assert 0 < p <= 1
    assert p == randomisation_p(a, b, rounds=200, seed=seed)
    assert p == randomisation_p(b, a, rounds=200, seed=seed)  # flipping every sign maps one test onto the other


@settings(max_examples=40, deadline=None)
@given(scores)
def test_a_run_against_itself_is_a_tie_with_p_one(a: list[float]) -> None:
    test = paired_test(a, a, rounds=200)
    assert test.p_value == 1.0 and test.delta == 0.0 and test.verdict == "tie"


@settings(max_examples=40, deadline=None)
@given(pairs)
def test_swapping_the_runs_negates_the_delta_and_mirrors_the_verdict(pair: tuple) -> None:
    a, b = pair
    forward, backward = paired_test(a, b, rounds=200), paired_test(b, a, rounds=200)
    assert forward.delta == pytest.approx(-backward.delta)
    mirror = {"better": "worse", "worse": "better", "tie": "tie"}
    assert backward.verdict == mirror[forward.verdict]


def test_a_consistent_gain_is_significant_and_noise_is_not() -> None:
    a = [0.1 * (n % 7) for n in range(100)]
    assert paired_test(a, [x + 0.05 for x in a]).verdict == "better"
    assert paired_test(a, [x - 0.05 for x in a]).verdict == "worse"
    noise = [x + (0.05 if n % 2 else -0.05) for n, x in enumerate(a)]  # no mean change
    assert paired_test(a, noise).verdict == "tie"


def test_a_significant_but_tiny_difference_reads_as_a_tie() -> None:
    a = [0.5] * 200
    test = paired_test(a, [0.502] * 200)
    assert test.p_value < 0.001 and test.verdict == "tie"
    assert paired_test(a, [0.502] * 200, tie=0.001).verdict == "better"


def test_runs_of_different_lengths_are_refused() -> None:
    with pytest.raises(InputError, match="same queries"):
        randomisation_p([0.1, 0.2], [0.1])


def test_per_query_scores_only_the_queries_with_a_relevant_document() -> None:
    run = {"q1": ["a", "b"], "q2": ["c"]}
    qrels = {"q1": {"b": 1}, "q2": {"c": 1}, "q3": {"d": 0}}
    assert per_query(run, qrels, "mrr@10") == {"q1": 0.5, "q2": 1.0}
