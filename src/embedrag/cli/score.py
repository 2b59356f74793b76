"""``embedrag score``: a cross-encoder reads two texts together and scores the pair 0..1."""

from __future__ import annotations

import typer
from rich.table import Table

from embedrag.cli._output import out_console, print_json


def score(
    first: str = typer.Argument(..., help="The first text (e.g. a query)."),
    others: list[str] = typer.Argument(..., help="One or more second texts (e.g. passages), each scored with FIRST."),
    model: str = typer.Option(..., "--model", "-m", help="A cross-encoder model folder ([hf] extra)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Score (FIRST, OTHER) pairs with a cross-encoder: the probability that they match.

    Example: embedrag score "how do cats hunt?" "Cats stalk mice at night." "Stocks fell." --model ./my-reranker
    """
    from embedrag.heads.cross_encoder import CrossEncoder

    scores = CrossEncoder(model).score([(first, other) for other in others])
    if as_json:
        print_json([{"text": other, "score": round(float(s), 6)} for other, s in zip(others, scores, strict=True)])
        return
    table = Table(title=f"cross-encoder {model}: P(match) with {first!r}")
    table.add_column("text")
    table.add_column("score", justify="right")
    for other, s in zip(others, scores, strict=True):
        table.add_row(other, f"{s:.4f}")
    out_console.print(table)
