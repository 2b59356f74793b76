"""``embedrag fill`` and ``embedrag nsp``: BERT's masked-word and next-sentence heads ([hf] extra)."""

from __future__ import annotations

import typer
from rich.table import Table

from embedrag.cli._output import out_console, print_json

MODEL = typer.Option(..., "--model", "-m", help="A model folder with the head's weights ([hf] extra).")
JSON = typer.Option(False, "--json", help="Print JSON.")


def fill(
    text: str = typer.Argument(..., help="Text with one or more [MASK] tokens."),
    model: str = MODEL,
    top_k: int = typer.Option(5, "--top-k", "-k", help="Candidates per mask."),
    as_json: bool = JSON,
) -> None:
    """The most probable word pieces for each [MASK], with their probabilities.

    Example: embedrag fill "The man went [MASK] the store." --model ./minilm-mlm
    """
    from embedrag.heads import MaskedLM

    masks = MaskedLM(model).fill(text, top_k=top_k)
    if as_json:
        print_json([[{"token": f.token, "probability": round(f.probability, 6)} for f in mask] for mask in masks])
        return
    for number, candidates in enumerate(masks, start=1):
        table = Table(title=f"[MASK] {number} of {len(masks)}" if len(masks) > 1 else "[MASK]")
        table.add_column("word piece")
        table.add_column("probability", justify="right")
        for f in candidates:
            table.add_row(f.token, f"{f.probability:.4f}")
        out_console.print(table)


def nsp(
    first: str = typer.Argument(..., help="Sentence A."),
    second: str = typer.Argument(..., help="Sentence B."),
    model: str = MODEL,
    as_json: bool = JSON,
) -> None:
    """P(IsNext): the probability that sentence B follows sentence A.

    Example: embedrag nsp "I went to the shop." "I bought some milk." --model ./bert-base-uncased
    """
    from embedrag.heads import NextSentence

    probability = NextSentence(model).score(first, second)
    if as_json:
        print_json({"first": first, "second": second, "is_next": round(probability, 6)})
        return
    out_console.print(f"P(IsNext) = {probability:.4f}")
