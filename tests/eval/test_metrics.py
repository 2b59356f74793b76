"""Metrics: hand-worked examples, and agreement with trec_eval (pytrec_eval) on random runs."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embedrag.errors import InputError
from embedrag.eval.metrics import (
    METRICS,
    average_precision,
    evaluate_run,
    mrr,
    ndcg,
    parse_measure,
    precision,
    recall,
)
from embedrag.eval.significance import per_query

# d1 grade 2 at rank 1, d3 grade 1 at rank 3; d5 (grade 1) never retrieved; d2 judged 0.
RANKING = ["d1", "d2", "d3", "d4"]
JUDGED = {"d1": 2, "d2": 0, "d3": 1, "d5": 1}


def test_ndcg_by_hand() -> None:
    dcg = 2 / math.log2(2) + 1 / math.log2(4)  # 2.5
    idcg = 2 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)  # grades 2, 1, 1
    assert ndcg(RANKING, JUDGED, 3) == pytest.approx(dcg / idcg)
    assert ndcg(RANKING, JUDGED, 1) == pytest.approx(1.0)


def test_ndcg_is_one_for_the_ideal_ranking_and_zero_without_a_relevant_hit() -> None:
    assert ndcg(["d1", "d3", "d5"], JUDGED, 10) == pytest.approx(1.0)
    assert ndcg(["d2", "d4"], JUDGED, 10) == 0.0


def test_recall_divides_by_all_relevant_documents() -> None:
    assert recall(RANKING, JUDGED, 1) == pytest.approx(1 / 3)
    assert recall(RANKING, JUDGED, 3) == pytest.approx(2 / 3)
    assert recall(RANKING, JUDGED, 100) == pytest.approx(2 / 3)


def test_precision_divides_by_k() -> None:
    assert precision(RANKING, JUDGED, 4) == pytest.approx(0.5)


def test_mrr_is_the_first_relevant_rank_within_k() -> None:
    assert mrr(RANKING, JUDGED, 10) == 1.0
    assert mrr(["d2", "d4", "d3"], JUDGED, 10) == pytest.approx(1 / 3)
    assert mrr(["d2", "d4", "d3"], JUDGED, 2) == 0.0


def test_average_precision_by_hand() -> None:
    assert average_precision(RANKING, JUDGED, 100) == pytest.approx((1 / 1 + 2 / 3) / 3)
    assert average_precision(RANKING, JUDGED, 2) == pytest.approx(1 / 3)


def test_a_query_without_relevant_documents_scores_zero_everywhere() -> None:
    assert all(metric(["a"], {"a": 0}, 10) == 0.0 for metric in METRICS.values())


def test_evaluate_run_averages_over_judged_queries_and_counts_missing_runs_as_zero() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}
    scores = evaluate_run({"q1": ["a"]}, qrels, ["recall@10", "mrr@10"])
    assert scores == {"recall@10": 0.5, "mrr@10": 0.5}  # q3 has no relevant document: not averaged


def test_measures_are_named_metric_at_k() -> None:
    assert parse_measure("map@100") == (average_precision, 100)
    for bad in ("ndcg", "ndcg@0", "ndcg@x", "bleu@10"):
        with pytest.raises(InputError, match="unknown measure"):
            parse_measure(bad)


def test_no_judged_query_is_an_error() -> None:
    with pytest.raises(InputError, match="no query has a relevant document"):
        evaluate_run({"q": ["a"]}, {"q": {"a": 0}})


def test_a_document_ranked_twice_is_an_error_not_counted_twice() -> None:
    # Counted twice it gave recall@10 2.0 and nDCG@10 1.63 (trec_eval refuses such a run too).
    with pytest.raises(InputError, match=r"query 'q1' ranks document 'a' twice \(at 1 and 3\)"):
        evaluate_run({"q1": ["a", "b", "a"]}, {"q1": {"a": 1}}, ["recall@10"])
    with pytest.raises(InputError, match="ranks document 'a' twice"):
        per_query({"q1": ["a", "a"]}, {"q1": {"a": 1}}, "ndcg@10")


# -- agreement with trec_eval --------------------------------------------------------------------

CUTS = (1, 3, 5, 10)
TREC = {"ndcg": "ndcg_cut", "recall": "recall", "precision": "P", "map": "map_cut"}


@st.composite
def judged_runs(draw: st.DrawFn) -> tuple[list[str], dict[str, int]]:
    pool = [f"d{i}" for i in range(draw(st.integers(1, 25)))]
    judged = {d: draw(st.integers(0, 3)) for d in draw(st.lists(st.sampled_from(pool), unique=True, min_size=1))}
    ranking = draw(st.lists(st.sampled_from(pool), unique=True, min_size=1))
    return ranking, judged


@settings(max_examples=300, deadline=None)
@given(judged_runs())
def test_metrics_match_trec_eval(case: tuple[list[str], dict[str, int]]) -> None:
    import pytrec_eval

    ranking, judged = case
    scores = {doc: float(len(ranking) - rank) for rank, doc in enumerate(ranking)}  # distinct: no tie rules
    measures = {f"{TREC[name]}.{k}" for name in TREC for k in CUTS}
    trec = pytrec_eval.RelevanceEvaluator({"q": judged}, measures).evaluate({"q": scores})["q"]
    for name, trec_name in TREC.items():
        for k in CUTS:
            assert METRICS[name](ranking, judged, k) == pytest.approx(trec[f"{trec_name}_{k}"], abs=1e-6), (name, k)
    for k in CUTS:  # trec_eval's recip_rank has no cut-off: give it the top k
        top = {doc: scores[doc] for doc in ranking[:k]}
        rr = pytrec_eval.RelevanceEvaluator({"q": judged}, {"recip_rank"}).evaluate({"q": top})["q"]["recip_rank"]
        assert mrr(ranking, judged, k) == pytest.approx(rr, abs=1e-6)
