"""Ranking metrics as pure functions, with the conventions of ``trec_eval`` (which BEIR uses).

Each metric takes one query's ``ranking`` (document ids, best first), its ``judged``
documents (id -> graded relevance, 0 or less meaning not relevant) and a cut-off ``k``.
Gains are linear in the grade (``trec_eval``'s ``ndcg_cut``); recall and average precision
divide by all relevant documents, not just those that fit in ``k``.
Metrics are registered by name in :data:`METRICS` and named ``"<metric>@<k>"`` in results.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

from embedrag.errors import InputError

__all__ = [
    "DEFAULT_MEASURES",
    "METRICS",
    "Metric",
    "average_precision",
    "check_run",
    "evaluate_run",
    "mrr",
    "ndcg",
    "parse_measure",
    "precision",
    "recall",
]

Ranking = Sequence[str]
Judged = Mapping[str, int]
Metric = Callable[[Ranking, Judged, int], float]


def _relevant(judged: Judged) -> int:
    return sum(1 for grade in judged.values() if grade > 0)


def _hits(ranking: Ranking, judged: Judged, k: int) -> list[bool]:
    return [judged.get(doc, 0) > 0 for doc in ranking[:k]]


def ndcg(ranking: Ranking, judged: Judged, k: int) -> float:
    """Normalised discounted cumulative gain: ``sum(grade / log2(rank + 1))`` over the ideal's.

    >>> round(ndcg(["a", "b", "c"], {"b": 1}, 3), 4)  # 1/log2(3)
    0.6309
    """
    gains = [max(judged.get(doc, 0), 0) for doc in ranking[:k]]
    dcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(gains))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall(ranking: Ranking, judged: Judged, k: int) -> float:
    """Relevant documents in the top ``k`` over all relevant documents.

    >>> recall(["a", "b", "c"], {"b": 1, "z": 2}, 2)
    0.5
    """
    relevant = _relevant(judged)
    return sum(_hits(ranking, judged, k)) / relevant if relevant else 0.0


def precision(ranking: Ranking, judged: Judged, k: int) -> float:
    """Relevant documents in the top ``k`` over ``k``.

    >>> precision(["a", "b"], {"b": 1}, 4)
    0.25
    """
    return sum(_hits(ranking, judged, k)) / k


def mrr(ranking: Ranking, judged: Judged, k: int) -> float:
    """Reciprocal rank of the first relevant document in the top ``k`` (0 if none).

    >>> mrr(["a", "b", "c"], {"c": 1}, 10)
    0.3333333333333333
    """
    for rank, hit in enumerate(_hits(ranking, judged, k), start=1):
        if hit:
            return 1.0 / rank
    return 0.0


def average_precision(ranking: Ranking, judged: Judged, k: int) -> float:
    """Mean of the precision at each relevant document's rank in the top ``k``, over all relevant.

    >>> average_precision(["a", "b", "c"], {"a": 1, "c": 1, "z": 1}, 10)  # (1/1 + 2/3) / 3
    0.5555555555555555
    """
    relevant = _relevant(judged)
    found, total = 0, 0.0
    for rank, hit in enumerate(_hits(ranking, judged, k), start=1):
        if hit:
            found += 1
            total += found / rank
    return total / relevant if relevant else 0.0


METRICS: dict[str, Metric] = {
    "ndcg": ndcg,
    "recall": recall,
    "precision": precision,
    "mrr": mrr,
    "map": average_precision,
}
"""Metrics by name; ``"ndcg@10"`` is :func:`ndcg` with ``k=10``."""

DEFAULT_MEASURES = ("ndcg@10", "recall@10", "recall@100", "mrr@10", "map@100")
"""What ``embedrag eval retrieval`` reports, as BEIR/MTEB do."""


def parse_measure(measure: str) -> tuple[Metric, int]:
    """``"ndcg@10"`` -> (:func:`ndcg`, 10).

    >>> parse_measure("recall@100")[1]
    100
    """
    name, _, cut = measure.partition("@")
    if name not in METRICS or not cut.isdigit() or int(cut) < 1:
        raise InputError(f"unknown measure {measure!r}; write <metric>@<k> with a metric among {', '.join(METRICS)}")
    return METRICS[name], int(cut)


def check_run(run: Mapping[str, Ranking]) -> None:
    """Refuse a ranking that names a document twice: the metrics would count it twice (recall above 1).

    >>> check_run({"q1": ["a", "b", "a"]})
    Traceback (most recent call last):
    embedrag.errors.InputError: the run for query 'q1' ranks document 'a' twice (at 1 and 3)
    """
    for query, ranking in run.items():
        seen: dict[str, int] = {}
        for rank, doc in enumerate(ranking, start=1):
            first = seen.setdefault(doc, rank)
            if first != rank:
                raise InputError(f"the run for query {query!r} ranks document {doc!r} twice (at {first} and {rank})")


def evaluate_run(
    run: Mapping[str, Ranking], qrels: Mapping[str, Judged], measures: Iterable[str] = DEFAULT_MEASURES
) -> dict[str, float]:
    """Each measure averaged over the queries of ``qrels`` that have a relevant document.

    A query missing from ``run`` retrieved nothing (it scores 0); a document ranked twice is an error.

    >>> evaluate_run({"q1": ["a", "b"], "q2": ["c"]}, {"q1": {"b": 1}, "q2": {"c": 2}}, ["mrr@10"])
    {'mrr@10': 0.75}
    """
    parsed = {m: parse_measure(m) for m in measures}
    check_run(run)
    scored = [q for q, judged in qrels.items() if _relevant(judged)]
    if not scored:
        raise InputError("no query has a relevant document (a score above 0) in the judgements")
    return {
        name: sum(metric(run.get(q, ()), qrels[q], k) for q in scored) / len(scored)
        for name, (metric, k) in parsed.items()
    }
