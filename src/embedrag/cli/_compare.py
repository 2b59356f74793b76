"""``embedrag eval retrieval --compare``: the table (and chart) of several settings tested against the first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedrag.cli._output import err_console, out_console, print_json

if TYPE_CHECKING:
    from embedrag.eval.compare import Comparison

__all__ = ["compare_settings", "show_comparison"]

_MARKS = {"better": "[green]▲[/]", "worse": "[red]▼[/]", "tie": "="}


def compare_settings(folder: Path, values: list[str], *, plot: Path | None, **options: Any) -> Comparison:
    """Parse ``values`` (comma-separated settings, repeatable), compare them, draw the chart if asked."""
    from embedrag.eval.compare import compare_retrieval, parse_setting

    settings = [parse_setting(text) for value in values for text in value.split(",") if text.strip()]
    if plot is not None:
        from embedrag.plot import image_path

        image_path(plot)  # a bad file name fails before the runs, not after
    comparison = compare_retrieval(folder, settings, **options)
    if plot is not None:
        from embedrag.plot.compare import plot_comparison

        plot_comparison(comparison, plot)
    return comparison


def show_comparison(comparison: Comparison, *, plot: Path | None, json_out: bool) -> None:
    """Print the comparison as JSON or as a table with each difference, its verdict and p-value."""
    if json_out:
        print_json(comparison.as_dict())
        return
    _print(comparison)
    if plot is not None:
        err_console.print(f"chart: {plot}")


def _print(comparison: Comparison) -> None:
    from rich.table import Table

    labels = list(comparison.results)
    measures = list(comparison.results[labels[0]])
    title = f"{comparison.dataset} ({comparison.split}), {comparison.queries} queries, against {comparison.baseline}"
    table = Table(title=title, title_justify="left")
    table.add_column("setting")
    for name in [*measures, "ms/query"]:
        table.add_column(name, justify="right")
    for label in labels:
        cells = []
        for measure in measures:
            score = f"{comparison.results[label][measure]:.4f}"
            test = comparison.tests.get(label, {}).get(measure)
            cells.append(
                score if test is None else f"{score} {test.delta:+.4f} {_MARKS[test.verdict]} p={test.p_value:.3f}"
            )
        table.add_row(label, *cells, f"{comparison.timing[f'{label}_ms_per_query']:.1f}")
    out_console.print(table)
    out_console.print(
        f"▲ better, ▼ worse: paired randomisation test over the queries ({comparison.rounds:,} rounds), "
        f"p < {comparison.alpha}; '=' a tie (not significant, or under {comparison.tie})"
    )
