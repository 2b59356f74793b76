"""``embedrag train``: train heads on top of the shipped encoder ([hf] extra)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from embedrag.cli._output import err_console, out_console, print_json

app = typer.Typer(help="Train heads on top of an encoder: a masked-LM head for 'embedrag fill'.", no_args_is_help=True)


@app.command("mlm")
def mlm(
    corpus: Path = typer.Argument(..., help="Text file, one sentence or paragraph per line (UTF-8)."),
    output: Path = typer.Option(..., "--output", "-o", help="New folder for the trained model."),
    init: str = typer.Option("all-MiniLM-L6-v2", "--init", help="Encoder to start from (catalogue name or folder)."),
    steps: int = typer.Option(300, "--steps", help="Training steps (batches)."),
    batch_size: int = typer.Option(16, "--batch-size", help="Texts per step."),
    seed: int = typer.Option(0, "--seed", help="Seed for sampling, masking and the held-out split."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Give an encoder a masked-LM head, train it on CORPUS (encoder frozen), and save it for 'fill'.

    Example: embedrag train mlm corpus.txt --init all-MiniLM-L6-v2 -o minilm-mlm
    """
    from embedrag.heads.train_mlm import train_mlm

    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("loss {task.fields[loss]}"))
    with Progress(*columns, TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("mlm", total=steps, loss="-")

        def progress(step: int, total: int, loss: float) -> None:
            bar.update(task, completed=step, loss=f"{loss:.3f}")

        report = train_mlm(
            corpus, init=init, output=output, steps=steps, batch_size=batch_size, seed=seed, progress=progress
        )
    if as_json:
        print_json({"output": str(output), **report.as_dict()})
        return
    out_console.print(f"saved {output} ({report.steps} steps on {report.train_lines:,} lines, {report.seconds:.0f} s)")
    out_console.print(f"loss {report.first_loss:.3f} -> {report.last_loss:.3f}")
    out_console.print(
        f"top-5 fill-in accuracy on {report.evaluated:,} held-out words: {report.top5_accuracy:.3f}"
        f" (5 most frequent words: {report.baseline_top5_accuracy:.3f})"
    )
