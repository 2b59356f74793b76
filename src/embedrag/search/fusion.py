"""Fusing ranked lists from several retrievers: pure functions, registered by name in :data:`FUSION`.

Each input is a list of ``(id, score)`` best first; the output is one such list, best first,
ties broken by id so the result is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from embedrag.errors import ConfigError

__all__ = [
    "AGREEMENT_RANGE",
    "AGREEMENT_TOP",
    "DENSE_WEIGHT",
    "FUSION",
    "GAP_SLOPE",
    "LEXICAL_FLOOR",
    "LEXICAL_FULL",
    "NORMALISE_TOP",
    "RRF_K",
    "WEIGHT_RANGE",
    "adaptive_weighted",
    "agreement",
    "fuse",
    "lexical_evidence",
    "lexical_trust",
    "min_max",
    "reciprocal_rank",
    "top_gap",
    "weighted_score",
]

K = TypeVar("K", bound=Hashable)
Ranked = Sequence[tuple[K, float]]
RRF_K = 60
"""The reciprocal-rank constant of Cormack et al. (2009)."""


def _ordered(totals: dict[K, float]) -> list[tuple[K, float]]:
    return sorted(totals.items(), key=lambda kv: (-kv[1], repr(kv[0])))


def reciprocal_rank(lists: Sequence[Ranked[K]], *, k: int = RRF_K) -> list[tuple[K, float]]:
    """Reciprocal-rank fusion: ``score(id) = sum(1 / (k + rank))`` over the lists (rank from 1).

    >>> reciprocal_rank([[("a", 9.0), ("b", 1.0)], [("b", 0.5), ("c", 0.1)]])
    [('b', 0.03252247488101534), ('a', 0.01639344262295082), ('c', 0.016129032258064516)]
    """
    totals: dict[K, float] = {}
    for ranked in lists:
        for rank, (key, _) in enumerate(ranked, start=1):
            totals[key] = totals.get(key, 0.0) + 1.0 / (k + rank)
    return _ordered(totals)


def min_max(ranked: Ranked[K], *, top: int | None = None) -> list[tuple[K, float]]:
    """Scores rescaled to [0, 1] (all 1.0 if they are equal).

    With ``top``, the range is that of the ``top`` first entries and scores below it are
    0: the result for those entries does not depend on how long the list is.

    >>> min_max([("a", 4.0), ("b", 2.0), ("c", 3.0)])
    [('a', 1.0), ('b', 0.0), ('c', 0.5)]
    >>> min_max([("a", 4.0), ("c", 3.0), ("b", 2.0)], top=2)
    [('a', 1.0), ('c', 0.0), ('b', 0.0)]
    """
    if not ranked:
        return []
    scores = [s for _, s in ranked[:top]]
    low, high = min(scores), max(scores)
    span = high - low
    return [(key, max(0.0, (s - low) / span) if span > 0 else 1.0) for key, s in ranked]


def weighted_score(
    lists: Sequence[Ranked[K]], *, weights: Sequence[float] | None = None, top: int | None = None
) -> list[tuple[K, float]]:
    """Weighted sum of min-max normalised scores (see :func:`min_max` for ``top``); an id
    missing from a list gets 0 from it.

    >>> weighted_score([[("a", 10.0), ("b", 0.0)], [("b", 1.0), ("a", 0.0)]], weights=[0.75, 0.25])
    [('a', 0.75), ('b', 0.25)]
    """
    weights = list(weights) if weights is not None else [1.0 / max(len(lists), 1)] * len(lists)
    if len(weights) != len(lists):
        raise ConfigError(f"{len(weights)} weights for {len(lists)} lists")
    totals: dict[K, float] = {}
    for ranked, weight in zip(lists, weights, strict=True):
        for key, s in min_max(ranked, top=top):
            totals[key] = totals.get(key, 0.0) + weight * s
    return _ordered(totals)


NORMALISE_TOP = 50
"""Adaptive fusion reads each retriever's 50 best (the candidates each gives hybrid search), so
the fused top does not depend on how many results were asked for."""
DENSE_WEIGHT = 0.6
"""The dense share of :func:`adaptive_weighted` when both lists are equally sure of their best hit."""
GAP_SLOPE = 0.5
"""How far a difference in certainty moves the dense share (0: a fixed weight)."""
WEIGHT_RANGE = (0.3, 0.9)
"""The dense share stays inside this range: neither list is ever ignored."""


def top_gap(ranked: Ranked[K], *, top: int = NORMALISE_TOP) -> float:
    """How far the best hit stands out: ``(s1 - s2) / (s1 - s_top)`` over the ``top`` best scores (0 if < 3).

    >>> top_gap([("a", 10.0), ("b", 4.0), ("c", 3.0), ("d", 2.0)])
    0.75
    """
    scores = [s for _, s in ranked[:top]]
    if len(scores) < 3 or scores[0] <= scores[-1]:
        return 0.0
    return (scores[0] - scores[1]) / (scores[0] - scores[-1])


LEXICAL_FLOOR = 0.75
"""Below this much :func:`lexical_evidence` (and agreement), BM25 carries no signal: hybrid search is dense search."""
LEXICAL_FULL = 1.0
"""From this much :func:`lexical_evidence` on, the BM25 list keeps its full share (linear in between)."""
AGREEMENT_TOP = 10
""":func:`agreement` compares the two lists' 10 best."""
AGREEMENT_RANGE = (0.3, 0.6)
"""When the two top 10s share more than 3 ids, BM25 gets a share however weak its scores: full from 6 on."""


def lexical_evidence(lexical: Ranked[K], chunks: int) -> float:
    """The best BM25 score in units of ``ln(chunks)``, about the idf of a word found in one chunk only
    (0 for an empty list). One occurrence of such a word in a chunk of average length scores
    ``1 / (1 + k1)``, 0.45 of it: 0.75 is about two rare query words matched once each.

    >>> round(lexical_evidence([("a", 9.21), ("b", 3.0)], 10_000), 3)
    1.0
    """
    if not lexical:
        return 0.0
    return max(0.0, lexical[0][1]) / math.log(max(chunks, 3))


def agreement(dense: Ranked[K], lexical: Ranked[K], *, top: int = AGREEMENT_TOP) -> float:
    """The share of ids that the two lists' ``top`` best have in common, 0 to 1.

    >>> agreement([("a", 0.9), ("b", 0.8)], [("b", 7.0), ("c", 1.0)], top=2)
    0.5
    """
    return len({key for key, _ in dense[:top]} & {key for key, _ in lexical[:top]}) / top


def _ramp(value: float, low: float, high: float) -> float:
    return min(1.0, max(0.0, (value - low) / (high - low)))


def lexical_trust(dense: Ranked[K], lexical: Ranked[K], chunks: int) -> float:
    """How much of its share the BM25 list keeps, 0 to 1: the larger of what its
    :func:`lexical_evidence` earns (0 below :data:`LEXICAL_FLOOR`, 1 from :data:`LEXICAL_FULL`) and
    what its :func:`agreement` with the dense list earns (0 to 1 over :data:`AGREEMENT_RANGE`).

    >>> dense = [("x", 0.9)]
    >>> [round(lexical_trust(dense, [("a", score)], 10_000), 3) for score in (4.0, 8.0, 12.0)]
    [0.0, 0.474, 1.0]
    """
    by_evidence = _ramp(lexical_evidence(lexical, chunks), LEXICAL_FLOOR, LEXICAL_FULL)
    return max(by_evidence, _ramp(agreement(dense, lexical), *AGREEMENT_RANGE))


def adaptive_weighted(lists: Sequence[Ranked[K]], *, chunks: int | None = None) -> list[tuple[K, float]]:
    """``[dense, lexical]`` fused by score: ``w * dense + (1 - w) * t * lexical``, each min-max rescaled
    over its top 50.

    ``w`` is 0.6, moved by half the difference of the two lists' :func:`top_gap` (the list
    whose best hit stands further out is trusted more), kept in [0.3, 0.9]. ``t`` is
    :func:`lexical_trust` given the collection's number of ``chunks`` (1 without it): when the
    best BM25 match holds less lexical evidence than about two rare query words and the two lists
    share at most 3 of their 10 best, BM25 carries no signal for this query and the dense list is
    returned as it is. Chosen by measurement
    (docs/quality.md): without ``t``, fusion lost 0.048 nDCG@10 to dense alone on a reverse
    dictionary, where the query shares few words with its answer.

    >>> dense = [("a", 0.82), ("b", 0.80), ("c", 0.60)]
    >>> lexical = [("b", 14.0), ("c", 5.0), ("a", 4.0)]  # b stands out: the dense share falls to 0.3
    >>> [(key, round(score, 3)) for key, score in adaptive_weighted([dense, lexical])]
    [('b', 0.973), ('a', 0.3), ('c', 0.07)]
    >>> adaptive_weighted([dense, lexical], chunks=10**9) == dense  # 14 is 0.68 ln(1e9): too little
    True
    """
    if len(lists) != 2:
        raise ConfigError(f"adaptive fusion takes [dense, lexical], got {len(lists)} lists")
    dense, lexical = lists
    trust = 1.0 if chunks is None else lexical_trust(dense, lexical, chunks)
    if trust == 0.0:
        return list(dense)
    low, high = WEIGHT_RANGE
    weight = min(high, max(low, DENSE_WEIGHT + GAP_SLOPE * (top_gap(dense) - top_gap(lexical))))
    return weighted_score(lists, weights=(weight, (1 - weight) * trust), top=NORMALISE_TOP)


FUSION: dict[str, Callable[..., list[tuple[Hashable, float]]]] = {
    "adaptive": adaptive_weighted,
    "rrf": reciprocal_rank,
    "weighted": weighted_score,
}
"""Fusion methods by name; ``adaptive`` is the default for hybrid search."""


def fuse(fusion: str, lists: Sequence[Ranked[K]], *, chunks: Callable[[], int]) -> list[tuple[Hashable, float]]:
    """``lists`` fused by the method named ``fusion``. Adaptive fusion also reads the collection's
    chunk count (it weighs BM25 scores against the largest idf, which grows with the collection):
    ``chunks`` gives it, called only then."""
    method = FUSION[fusion]
    return method(lists, chunks=chunks()) if method is adaptive_weighted else method(lists)
