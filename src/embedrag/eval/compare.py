"""Several settings on one data set in one run, each tested against the first, query by query.

A setting is written ``mode[/fusion][+rerank][@model]``: ``hybrid``, ``hybrid/rrf``, ``dense+late``,
``bm25``, ``dense@tokenlearn-static-64``. The first is the baseline; every other one gets, per
measure, the difference of the means, the p-value of a paired randomisation test over the queries
(:mod:`embedrag.eval.significance`) and a verdict: better, worse, or a tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedrag.errors import InputError
from embedrag.eval.beir import load_beir
from embedrag.eval.metrics import DEFAULT_MEASURES, evaluate_run
from embedrag.eval.runner import MODES, Progress, RetrievalReport, RunSpec, evaluate_retrieval
from embedrag.eval.significance import ALPHA, ROUNDS, TIE_DELTA, PairedTest, paired_test, per_query

__all__ = ["Comparison", "Setting", "compare_retrieval", "parse_setting"]


@dataclass(frozen=True)
class Setting:
    """One way of searching and the model it runs with (``None``: the default model)."""

    spec: RunSpec
    model: str | None = None

    @property
    def label(self) -> str:
        """``hybrid/rrf``, ``dense+late@tokenlearn-static-64``: how the comparison names it."""
        return self.spec.label if self.model is None else f"{self.spec.label}@{self.model}"


def parse_setting(text: str) -> Setting:
    """``mode[/fusion][+rerank][@model]`` as a :class:`Setting`; an unknown mode is an :class:`InputError`.

    >>> parse_setting("hybrid/rrf+late@tokenlearn-static-64").label
    'hybrid/rrf+late@tokenlearn-static-64'
    """
    rest, _, model = text.strip().partition("@")
    rest, _, rerank = rest.partition("+")
    mode, _, fusion = rest.partition("/")
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r} in setting {text!r}; write mode[/fusion][+rerank][@model]")
    if fusion and mode != "hybrid":
        raise InputError(f"setting {text!r}: only hybrid takes a fusion method")
    return Setting(RunSpec(mode, rerank=rerank or None, fusion=fusion or None), model or None)


@dataclass
class Comparison:
    """The measures of each setting, and each setting after the first tested against the first."""

    dataset: str
    split: str
    queries: int
    baseline: str
    results: dict[str, dict[str, float]] = field(default_factory=dict)
    tests: dict[str, dict[str, PairedTest]] = field(default_factory=dict)
    timing: dict[str, float] = field(default_factory=dict)
    rounds: int = ROUNDS
    alpha: float = ALPHA
    tie: float = TIE_DELTA

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` shape: results per setting, and ``tests[setting][measure] = {delta, p, verdict}``."""
        return {
            "dataset": self.dataset,
            "split": self.split,
            "queries": self.queries,
            "baseline": self.baseline,
            "test": {"kind": "paired randomisation", "rounds": self.rounds, "alpha": self.alpha, "tie": self.tie},
            "results": {label: {m: round(v, 6) for m, v in scores.items()} for label, scores in self.results.items()},
            "tests": {
                label: {
                    m: {"delta": round(t.delta, 6), "p": round(t.p_value, 6), "verdict": t.verdict}
                    for m, t in by.items()
                }
                for label, by in self.tests.items()
            },
            "timing": {key: round(v, 3) for key, v in self.timing.items()},
        }


def _by_model(settings: Sequence[Setting]) -> dict[str | None, list[Setting]]:
    groups: dict[str | None, list[Setting]] = {}
    for setting in settings:
        groups.setdefault(setting.model, []).append(setting)
    return groups


def compare_retrieval(
    folder: str | Path,
    settings: Sequence[Setting],
    *,
    split: str = "test",
    chunk_tokens: int | None = None,
    cache: Path | None = None,
    max_queries: int | None = None,
    measures: Sequence[str] = DEFAULT_MEASURES,
    rounds: int = ROUNDS,
    seed: int = 0,
    progress: Progress | None = None,
    token_vectors: bool = False,
) -> Comparison:
    """Run every setting on the data set in ``folder`` (one collection per model) and test each against the first."""
    labels = [s.label for s in settings]
    if len(settings) < 2:
        raise InputError("a comparison needs at least two settings, e.g. --compare hybrid,dense")
    if len(set(labels)) != len(labels):
        raise InputError(f"a setting is named twice in {', '.join(labels)}")
    groups = _by_model(settings)
    if cache is not None and len(groups) > 1:
        raise InputError("--cache holds one collection: compare several models without it")
    runs: dict[str, dict[str, list[str]]] = {}
    reports: list[RetrievalReport] = []
    for model, group in groups.items():
        report = evaluate_retrieval(
            folder,
            [s.spec for s in group],
            split=split,
            model=model,
            chunk_tokens=chunk_tokens,
            cache=cache,
            max_queries=max_queries,
            measures=measures,
            progress=progress,
            token_vectors=token_vectors,
        )
        reports.append(report)
        runs.update({s.label: report.runs[s.spec.label] for s in group})
    qrels = load_beir(folder, split=split).qrels
    qrels = {q: qrels[q] for q in next(iter(runs.values()))} if max_queries is not None else qrels
    first = reports[0]
    comparison = Comparison(first.dataset, split, first.queries, labels[0], rounds=rounds)
    for report, (model, group) in zip(reports, groups.items(), strict=True):
        for s in group:
            comparison.timing[f"{s.label}_ms_per_query"] = report.timing[f"{s.spec.label}_ms_per_query"]
        comparison.timing[f"index_s@{model or 'default'}"] = report.timing["index_s"]
    for label in labels:
        comparison.results[label] = evaluate_run(runs[label], qrels, measures)
    for measure in measures:
        base = per_query(runs[labels[0]], qrels, measure)
        for label in labels[1:]:
            other = per_query(runs[label], qrels, measure)
            test = paired_test(list(base.values()), [other[q] for q in base], rounds=rounds, seed=seed)
            comparison.tests.setdefault(label, {})[measure] = test
    return comparison
