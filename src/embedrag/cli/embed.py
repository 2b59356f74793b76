"""``embedrag embed``: sentence embeddings of texts or of a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from embedrag.cli._output import err_console, out_console, print_json
from embedrag.errors import InputError

if TYPE_CHECKING:
    from embedrag.embed import Embedder

_PREVIEW = 3


def embed_command(
    texts: list[str] | None = typer.Argument(None, help="Texts to embed (or use --input)."),
    model: str = typer.Option("all-MiniLM-L6-v2", "--model", "-m", help="Catalogue name or model folder."),
    variant: str = typer.Option("fp32", "--variant", help="fp32 or int8 (quantised, faster)."),
    long_inputs: str = typer.Option(
        "truncate", "--long-inputs", help="Inputs over the model's limit: truncate, window or error."
    ),
    input_file: Path | None = typer.Option(
        None, "--input", "-i", help="A .txt (one text per line) or .jsonl file to embed."
    ),
    field: str = typer.Option("text", "--field", help="The text field of .jsonl records."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the vectors to this .npy file."),
    threads: int | None = typer.Option(None, "--threads", help="Intra-op threads (default: all cores)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Embed texts with a sentence-embedding model (ONNX Runtime, no torch).

    Example: embedrag embed "A man is eating food." "A man eats bread." --json

    Example: embedrag embed --input passages.txt --output vectors.npy --variant int8
    """
    from embedrag.embed import Embedder

    if bool(texts) == (input_file is not None):
        raise InputError("give either TEXT arguments or --input FILE (not both, not neither)")
    if input_file is not None and output is None:
        raise InputError("--input needs --output OUT.npy for the vectors")
    if output is not None and output.suffix != ".npy":
        raise InputError(f"--output must end in .npy, got {output}")
    embedder = Embedder(model, variant=variant, threads=threads, long_inputs=long_inputs)  # type: ignore[arg-type]
    if input_file is not None and output is not None:
        _embed_file(embedder, input_file, field, output, json_out)
        return
    _embed_texts(embedder, list(texts or []), output, json_out)


def _embed_texts(embedder: Embedder, texts: list[str], output: Path | None, json_out: bool) -> None:
    result = embedder.embed(texts)
    if output is not None:
        _save(output, result.vectors)
    if json_out:
        print_json(
            {
                "model": embedder.name,
                "dims": embedder.dims,
                "variant": embedder.spec.variant,
                "embeddings": [
                    {
                        "text": text,
                        "tokens": int(result.tokens[i]),
                        "truncated": i in result.truncated,
                        "embedding": [float(x) for x in result.vectors[i]],
                    }
                    for i, text in enumerate(texts)
                ],
            }
        )
        return
    _show(embedder, texts, result.vectors, result.tokens.tolist(), set(result.truncated))


def _show(embedder: Embedder, texts: list[str], vectors: Any, tokens: list[int], truncated: set[int]) -> None:
    from rich.table import Table

    out_console.print(f"[bold]{embedder.name}[/] · {embedder.dims} dims · {embedder.spec.variant}")
    table = Table(show_header=True, header_style="bold")
    for column in ("#", "text", "tokens", "vector"):
        table.add_column(column, overflow="fold", no_wrap=column == "vector")
    for i, text in enumerate(texts):
        preview = ", ".join(f"{x:+.4f}" for x in vectors[i][:_PREVIEW])
        count = f"{tokens[i]}" + (" [yellow](truncated)[/]" if i in truncated else "")
        table.add_row(str(i), text if len(text) <= 60 else text[:57] + "...", count, f"[{preview}, ...]")
    out_console.print(table)
    if len(texts) > 1:
        sims = vectors @ vectors.T
        matrix = Table(title="cosine similarity", title_justify="left")
        matrix.add_column("")
        for j in range(len(texts)):
            matrix.add_column(str(j), justify="right")
        for i in range(len(texts)):
            matrix.add_row(str(i), *(f"{sims[i, j]:.3f}" for j in range(len(texts))))
        out_console.print(matrix)


def _embed_file(embedder: Embedder, path: Path, field: str, output: Path, json_out: bool) -> None:
    import numpy as np
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from embedrag.embed.inputs import count_lines, read_texts

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    total = count_lines(path)
    parts: list[Any] = []
    truncated: list[int] = []
    columns = (TextColumn("embedding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, disable=json_out, transient=False) as bar:
        task = bar.add_task("embed", total=total)
        for part in embedder.stream(read_texts(path, field=field)):
            parts.append(part.vectors)
            truncated += part.truncated
            bar.advance(task, len(part))
    vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dims), np.float32)
    _save(output, vectors)
    if json_out:
        print_json({"output": str(output), "count": len(vectors), "dims": embedder.dims, "truncated": truncated})
        return
    err_console.print(
        f"wrote {len(vectors)} x {embedder.dims} float32 vectors to {output}"
        + (f" ({len(truncated)} truncated to {embedder.max_tokens} tokens)" if truncated else "")
    )


def _save(path: Path, vectors: Any) -> None:
    import numpy as np

    from embedrag._atomic import publish

    def write(temp: Path) -> None:
        with temp.open("wb") as fh:  # a file object: np.save would append .npy to a name
            np.save(fh, vectors)

    path.parent.mkdir(parents=True, exist_ok=True)
    publish(path, write)
