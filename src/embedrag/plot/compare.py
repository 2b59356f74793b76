"""A chart of a comparison: each setting's score per measure, coloured by its verdict against the baseline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from embedrag.plot._mpl import pyplot, save

if TYPE_CHECKING:
    from embedrag.eval.compare import Comparison

__all__ = ["VERDICT_COLOURS", "plot_comparison"]

VERDICT_COLOURS = {"baseline": "#7f7f7f", "better": "#2ca02c", "worse": "#d62728", "tie": "#c7c7c7"}
"""Grey for the baseline, green and red for significant gains and losses, light grey for ties."""


def plot_comparison(comparison: Comparison, path: str | Path) -> Path:
    """Save a PNG (or any format matplotlib knows by suffix): one panel of bars per measure."""
    plt = pyplot()
    labels = list(comparison.results)
    measures = list(comparison.results[labels[0]])
    fig, axes = plt.subplots(1, len(measures), figsize=(2.6 * len(measures) + 2.4, 0.45 * len(labels) + 1.8))
    axes = axes if len(measures) > 1 else [axes]
    for n, (ax, measure) in enumerate(zip(axes, measures, strict=True)):
        scores = [comparison.results[label][measure] for label in labels]
        verdicts = ["baseline", *(comparison.tests[label][measure].verdict for label in labels[1:])]
        drawn = ax.barh(labels[::-1], scores[::-1], color=[VERDICT_COLOURS[v] for v in verdicts[::-1]])
        notes = ["", *(_note(comparison, label, measure) for label in labels[1:])]
        ax.bar_label(
            drawn,
            labels=[f"{s:.3f}{note}" for s, note in zip(scores, notes, strict=True)][::-1],
            padding=2,
            fontsize="x-small",
        )
        ax.set(xlim=(0, max(scores, default=0) * 2.1 + 0.02), title=measure)  # room for the notes
        if n:
            ax.set_yticks([])
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in VERDICT_COLOURS.values()]
    fig.legend(handles, list(VERDICT_COLOURS), loc="lower center", ncol=4, fontsize="small", frameon=False)
    fig.suptitle(
        f"{comparison.dataset} ({comparison.split}), {comparison.queries} queries: against {comparison.baseline}, "
        f"paired randomisation test, p < {comparison.alpha}, ties under {comparison.tie}"
    )
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return save(fig, path)


def _note(comparison: Comparison, label: str, measure: str) -> str:
    test = comparison.tests[label][measure]
    return f" ({test.delta:+.3f}, p={test.p_value:.3g})"
