"""``embedrag embed``: sentence embeddings of texts or of a file, and image embeddings with a CLIP model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from embedrag.cli._output import QUIET, err_console, out_console, print_json, progress_bar
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
    images: list[Path] | None = typer.Option(
        None, "--image", help="An image file to embed with a CLIP model, in the texts' space (repeat for more)."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the vectors to this .npy file."),
    threads: int | None = typer.Option(None, "--threads", help="Intra-op threads (default: all cores)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    quiet: bool = QUIET,
) -> None:
    """Embed texts with a sentence-embedding model (ONNX Runtime, no torch).

    Example: embedrag embed "A man is eating food." "A man eats bread." --json

    Example: embedrag embed --input passages.txt --output vectors.npy --variant int8

    Example: embedrag embed "a photo of a dog" --image dog.jpg --image cat.png --model ./my-clip
    """
    from embedrag.embed import Embedder

    images = list(images or [])
    if bool(texts or images) == (input_file is not None):
        raise InputError("give either TEXT arguments or --input FILE (not both, not neither); --image goes with TEXT")
    _check_not_an_image(list(texts or []), images)
    if input_file is not None and output is None:
        raise InputError("--input needs --output OUT.npy for the vectors")
    if output is not None and output.suffix != ".npy":
        raise InputError(f"--output must end in .npy, got {output}")
    embedder = Embedder(model, variant=variant, threads=threads, long_inputs=long_inputs)  # type: ignore[arg-type]
    if input_file is not None and output is not None:
        _embed_file(embedder, input_file, field, output, json_out=json_out, quiet=quiet)
        return
    _embed_inputs(embedder, list(texts or []), images, output, json_out)


def _check_not_an_image(texts: list[str], images: list[Path]) -> None:
    """``--image *.png`` gives only the first file to --image; the rest would be embedded as texts."""
    from embedrag.embed.images import IMAGE_SUFFIXES

    for text in texts if images else []:
        if Path(text).suffix.lower() in IMAGE_SUFFIXES and Path(text).is_file():
            raise InputError(f"'{text}' is an image file given as a text: write --image before each image path")


def _embed_inputs(
    embedder: Embedder, texts: list[str], images: list[Path], output: Path | None, json_out: bool
) -> None:
    import numpy as np

    pictures = embedder.encode_images(images) if images else np.zeros((0, embedder.dims), np.float32)
    result = embedder.embed(texts)
    vectors = np.concatenate([result.vectors, pictures])
    if output is not None:
        _save(output, vectors)
    if json_out:
        rows: list[dict[str, Any]] = [
            {
                "text": text,
                "tokens": int(result.tokens[i]),
                "truncated": i in result.truncated,
                "embedding": [float(x) for x in result.vectors[i]],
            }
            for i, text in enumerate(texts)
        ]
        pairs = zip(images, pictures, strict=True)
        rows += [{"image": str(path), "embedding": [float(x) for x in row]} for path, row in pairs]
        spec = embedder.spec
        print_json({"model": embedder.name, "dims": embedder.dims, "variant": spec.variant, "embeddings": rows})
        return
    cut = set(result.truncated)
    counts = [f"{n}" + (" [yellow](truncated)[/]" if i in cut else "") for i, n in enumerate(result.tokens)]
    shown = [f"image: {p}" if len(str(p)) <= 50 else f"image: ...{str(p)[-47:]}" for p in images]  # keep the name
    _show(embedder, [*texts, *shown], vectors, [*counts, *(["-"] * len(images))])


def _show(embedder: Embedder, labels: list[str], vectors: Any, counts: list[str]) -> None:
    from rich.markup import escape
    from rich.table import Table

    out_console.print(f"[bold]{embedder.name}[/] · {embedder.dims} dims · {embedder.spec.variant}")
    table = Table(show_header=True, header_style="bold")
    for column in ("#", "text", "tokens", "vector"):
        table.add_column(column, overflow="fold", no_wrap=column == "vector")
    for i, label in enumerate(labels):
        preview = ", ".join(f"{x:+.4f}" for x in vectors[i][:_PREVIEW])
        shown = label if len(label) <= 60 else label[:57] + "..."
        table.add_row(str(i), escape(shown), counts[i], f"[{preview}, ...]")
    out_console.print(table)
    if len(labels) > 1:
        sims = vectors @ vectors.T
        matrix = Table(title="cosine similarity", title_justify="left")
        matrix.add_column("")
        for j in range(len(labels)):
            matrix.add_column(str(j), justify="right")
        for i in range(len(labels)):
            matrix.add_row(str(i), *(f"{sims[i, j]:.3f}" for j in range(len(labels))))
        out_console.print(matrix)


def _embed_file(embedder: Embedder, path: Path, field: str, output: Path, *, json_out: bool, quiet: bool) -> None:
    import numpy as np

    from embedrag.embed.inputs import count_lines, read_texts

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    total = count_lines(path)
    parts: list[Any] = []
    truncated: list[int] = []
    done = 0
    with progress_bar("embedding", total, unit="texts", quiet=quiet or json_out) as show:
        for part in embedder.stream(read_texts(path, field=field)):
            parts.append(part.vectors)
            truncated += part.truncated
            done += len(part)
            show(done)
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
