"""Fusing ranked lists from several retrievers: pure functions, registered by name in :data:`FUSION`.

Each input is a list of ``(id, score)`` best first; the output is one such list, best first,
ties broken by id so the result is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from embedrag.errors import ConfigError

__all__ = ["FUSION", "RRF_K", "min_max", "reciprocal_rank", "weighted_score"]

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


def min_max(ranked: Ranked[K]) -> list[tuple[K, float]]:
    """Scores rescaled to [0, 1] (all 1.0 if they are equal).

    >>> min_max([("a", 4.0), ("b", 2.0), ("c", 3.0)])
    [('a', 1.0), ('b', 0.0), ('c', 0.5)]
    """
    if not ranked:
        return []
    scores = [s for _, s in ranked]
    low, high = min(scores), max(scores)
    span = high - low
    return [(key, (s - low) / span if span > 0 else 1.0) for key, s in ranked]


def weighted_score(lists: Sequence[Ranked[K]], *, weights: Sequence[float] | None = None) -> list[tuple[K, float]]:
    """Weighted sum of min-max normalised scores; an id missing from a list gets 0 from it.

    >>> weighted_score([[("a", 10.0), ("b", 0.0)], [("b", 1.0), ("a", 0.0)]], weights=[0.75, 0.25])
    [('a', 0.75), ('b', 0.25)]
    """
    weights = list(weights) if weights is not None else [1.0 / max(len(lists), 1)] * len(lists)
    if len(weights) != len(lists):
        raise ConfigError(f"{len(weights)} weights for {len(lists)} lists")
    totals: dict[K, float] = {}
    for ranked, weight in zip(lists, weights, strict=True):
        for key, s in min_max(ranked):
            totals[key] = totals.get(key, 0.0) + weight * s
    return _ordered(totals)


FUSION: dict[str, Callable[..., list[tuple[Hashable, float]]]] = {
    "rrf": reciprocal_rank,
    "weighted": weighted_score,
}
"""Fusion methods by name; ``rrf`` is the default for hybrid search."""
