"""Is one run better than another on the same queries? A paired randomisation test: pure, seeded.

Under the null hypothesis the two runs are exchangeable on every query, so each per-query
difference is as likely to have the other sign. The p-value is the share of random sign flips
whose mean difference is at least as far from zero as the one observed (Fisher's randomisation
test, as in Smucker, Allan and Carterette, 2007). A difference is read as a tie when it is not
significant or smaller than :data:`TIE_DELTA`, whatever its p-value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from embedrag.errors import InputError
from embedrag.eval.metrics import check_run, parse_measure

__all__ = ["ALPHA", "ROUNDS", "TIE_DELTA", "PairedTest", "paired_test", "per_query", "randomisation_p"]

ROUNDS = 10_000
"""Random sign flips per test: the p-value's resolution is about 1 / ROUNDS."""
ALPHA = 0.05
"""A difference with a p-value below this is significant (two-sided)."""
TIE_DELTA = 0.005
"""Differences of means smaller than this are ties even when significant: one query moving its answer
by a rank moves nDCG@10 by about 1 / queries, which on a few hundred queries is below it."""
_BATCH = 1_000
Verdict = Literal["better", "worse", "tie"]


@dataclass(frozen=True)
class PairedTest:
    """``b`` against ``a``: the difference of the means, its two-sided p-value and what it reads as."""

    delta: float
    p_value: float
    verdict: Verdict


def randomisation_p(a: Sequence[float], b: Sequence[float], *, rounds: int = ROUNDS, seed: int = 0) -> float:
    """Two-sided p-value of the paired randomisation test of ``b - a``, in ``(0, 1]``.

    >>> randomisation_p([0.2, 0.4, 0.6], [0.2, 0.4, 0.6])
    1.0
    >>> randomisation_p([0.0] * 12, [1.0] * 12) < 0.001
    True
    """
    if len(a) != len(b):
        raise InputError(f"a paired test needs the same queries in both runs, got {len(a)} and {len(b)} scores")
    if rounds < 1:
        raise InputError(f"rounds must be at least 1, got {rounds}")
    diffs = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    if not len(diffs):
        return 1.0
    observed = abs(diffs.mean())
    rng = np.random.default_rng(seed)
    extreme, done = 0, 0
    while done < rounds:
        size = min(_BATCH, rounds - done)
        signs = rng.integers(0, 2, size=(size, len(diffs)), dtype=np.int8) * 2 - 1
        # a tolerance, so that a flip giving the same mean by another sum of floats counts as "as far"
        extreme += int((np.abs(signs @ diffs / len(diffs)) >= observed - 1e-12).sum())
        done += size
    return (extreme + 1) / (rounds + 1)


def paired_test(
    a: Sequence[float],
    b: Sequence[float],
    *,
    rounds: int = ROUNDS,
    seed: int = 0,
    alpha: float = ALPHA,
    tie: float = TIE_DELTA,
) -> PairedTest:
    """``b`` against ``a`` per query: better, worse, or a tie (not significant at ``alpha``, or closer than ``tie``)."""
    p = randomisation_p(a, b, rounds=rounds, seed=seed)
    delta = float(np.mean(b) - np.mean(a)) if len(a) else 0.0
    verdict: Verdict = "tie" if p >= alpha or abs(delta) < tie else "better" if delta > 0 else "worse"
    return PairedTest(delta, p, verdict)


def per_query(
    run: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]], measure: str
) -> dict[str, float]:
    """``measure`` for each query of ``qrels`` that has a relevant document (as :func:`evaluate_run` averages)."""
    metric, k = parse_measure(measure)
    check_run(run)
    return {q: metric(run.get(q, ()), judged, k) for q, judged in qrels.items() if any(s > 0 for s in judged.values())}
