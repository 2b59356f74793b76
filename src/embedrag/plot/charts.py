"""Charts of a retrieval evaluation: recall@k curves per run and nDCG@10 bars."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from embedrag.eval.metrics import evaluate_run
from embedrag.plot._mpl import pyplot, save

if TYPE_CHECKING:
    from embedrag.eval.beir import Qrels
    from embedrag.eval.runner import RetrievalReport

__all__ = ["CUTS", "plot_retrieval"]

CUTS = (1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100)
"""Where the recall curves are sampled."""


def recall_curves(report: RetrievalReport, qrels: Qrels) -> dict[str, list[float]]:
    """Recall at each of :data:`CUTS`, per run label."""
    measures = [f"recall@{k}" for k in CUTS]
    return {label: list(evaluate_run(run, qrels, measures).values()) for label, run in report.runs.items()}


def plot_retrieval(report: RetrievalReport, qrels: Qrels, path: str | Path) -> Path:
    """Save a PNG (or any format matplotlib knows by suffix): recall@k curves left, nDCG@10 bars right."""
    plt = pyplot()
    fig, (curves, bars) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    labels = list(report.runs)
    colours = [plt.get_cmap("tab10")(i % 10) for i in range(len(labels))]
    for (label, recalls), colour in zip(recall_curves(report, qrels).items(), colours, strict=True):
        curves.plot(CUTS, recalls, marker="o", markersize=3, label=label, color=colour)
    curves.set(xscale="log", xlabel="k (documents)", ylabel="recall@k", ylim=(0, 1.02), title="recall@k")
    curves.set_xticks(CUTS, [str(k) for k in CUTS])
    curves.grid(alpha=0.3)
    curves.legend(loc="lower right", fontsize="small")
    scores = [
        report.results[label].get("ndcg@10", evaluate_run(report.runs[label], qrels, ["ndcg@10"])["ndcg@10"])
        for label in labels
    ]
    drawn = bars.barh(labels[::-1], scores[::-1], color=colours[::-1])
    bars.bar_label(drawn, fmt="%.3f", padding=3, fontsize="small")
    bars.set(xlim=(0, max(scores, default=0) * 1.18 + 0.02), xlabel="nDCG@10", title="nDCG@10")  # room for labels
    fig.suptitle(
        f"{report.dataset} ({report.split}): {report.queries} queries, {report.documents} documents, {report.model}"
    )
    fig.tight_layout()
    return save(fig, path)
