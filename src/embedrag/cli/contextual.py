"""``embedrag contextual``: token vectors layer by layer, and one word compared across sentences."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from embedrag.cli._group import default_group
from embedrag.cli._output import err_console, out_console, print_json
from embedrag.errors import InputError

if TYPE_CHECKING:
    from embedrag.embed.contextual import ContextualTokens, WordComparison

app = typer.Typer(
    cls=default_group("show"),
    help="Contextual token embeddings: a transformer's vector of each word piece after every layer.",
    no_args_is_help=True,
)

MODEL = typer.Option("all-MiniLM-L6-v2", "--model", "-m", help="Catalogue name or a BERT-family model folder.")
JSON = typer.Option(False, "--json", help="Print JSON.")


@app.command("show")
def show(
    text: str = typer.Argument(..., help="The text to encode."),
    layer: str = typer.Option("last", "--layer", "-l", help="A layer number (0 = embeddings), 'last' or 'all'."),
    model: str = MODEL,
    as_json: bool = JSON,
) -> None:
    """Each word piece's vector after the chosen layer(s).

    Example: embedrag contextual "He saw a bat fly out of the cave." --layer all
    """
    from embedrag.embed.contextual import ContextualEncoder

    tokens = ContextualEncoder(model).encode(text)
    layers = _layers(layer, tokens.vectors.shape[0])
    if as_json:
        print_json(
            {
                "text": text,
                "pieces": tokens.pieces,
                "offsets": tokens.offsets,
                "layers": [{"layer": i, "vectors": tokens.vectors[i].round(6).tolist()} for i in layers],
            }
        )
        return
    _print_tokens(tokens, layers)


@app.command("compare")
def compare(
    sentences: list[str] = typer.Argument(..., help="Two or more sentences that contain the word."),
    word: str = typer.Option(..., "--word", "-w", help="The word to follow across the sentences."),
    model: str = MODEL,
    static: str = typer.Option("glove-6B-50d", "--static", help="Static word vectors shown beside ('' for none)."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Also draw the curves, one per sentence pair: out.png (or .svg, .pdf)."
    ),
    as_json: bool = JSON,
) -> None:
    """Cosine similarity of WORD's vectors across the sentences, per layer, beside a static vector.

    Example: embedrag contextual compare --word bat "He saw a bat fly out of the cave." "He swung the bat at the ball."
    """
    from embedrag.embed.contextual import ContextualEncoder, compare_word

    if plot is not None:
        from embedrag.plot import image_path

        image_path(plot)  # a bad file name fails now, not after the model has run
    vector = None
    if static:
        from embedrag.words import WordVectors

        vectors = WordVectors.load(static)
        if word.lower() in vectors:  # else the table says n/a
            vector = vectors[word.lower()]
    encoder = ContextualEncoder(model)
    result = compare_word(encoder, word, sentences, static=vector)
    if as_json:
        print_json(result.as_dict())
    else:
        _print_comparison(result, static)
    if plot is not None:
        from embedrag.plot import plot_layers

        plot_layers(result, plot, model=encoder.name, static=static)
        err_console.print(f"chart: {plot}")


def _layers(choice: str, count: int) -> list[int]:
    if choice == "all":
        return list(range(count))
    if choice == "last":
        return [count - 1]
    if not choice.isdigit() or int(choice) >= count:
        raise InputError(f"--layer must be 0..{count - 1}, 'last' or 'all', got {choice!r}")
    return [int(choice)]


def _print_tokens(tokens: ContextualTokens, layers: list[int]) -> None:
    """One layer: each piece's first dimensions and norm. Several: how far each layer has moved each
    piece from its embedding (cosine to layer 0), which is where the context comes in."""
    from embedrag._linalg import unit_rows

    table = Table(title=f"{len(tokens.pieces)} word pieces x {tokens.vectors.shape[2]} dims")
    table.add_column("piece")
    if len(layers) == 1:
        table.add_column(f"layer {layers[0]}: first 6 dims", justify="right")
        table.add_column("norm", justify="right")
        for piece, v in zip(tokens.pieces, tokens.vectors[layers[0]], strict=True):
            table.add_row(piece, " ".join(f"{x:+.2f}" for x in v[:6]), f"{float((v @ v) ** 0.5):.2f}")
    else:
        table.caption = "cosine of each piece's vector after layer N to its embedding (layer 0)"
        for i in layers:
            table.add_column(f"{i}", justify="right")
        base = unit_rows(tokens.vectors[0])
        drift = [(unit_rows(tokens.vectors[i]) * base).sum(axis=1) for i in layers]
        for p, piece in enumerate(tokens.pieces):
            table.add_row(piece, *(f"{d[p]:.2f}" for d in drift))
    out_console.print(table)


def _print_comparison(result: WordComparison, static: str) -> None:
    n = len(result.sentences)
    for i, sentence in enumerate(result.sentences):
        pieces = result.pieces[i]
        note = f"  (pieces {' + '.join(pieces)}, pooled by their mean)" if len(pieces) > 1 else ""
        out_console.print(f"[bold]s{i + 1}[/]: {sentence}{note}")
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    table = Table(title=f"cosine similarity of {result.word!r} between sentences")
    table.add_column("layer")
    for a, b in pairs:
        table.add_column(f"s{a + 1}-s{b + 1}", justify="right")
    for i, matrix in enumerate(result.layers):
        label = "embeddings" if i == 0 else f"{i}"
        table.add_row(label, *(f"{matrix[a, b]:.3f}" for a, b in pairs))
    if result.static is not None:
        table.add_row(f"static ({static})", *(f"{result.static[a, b]:.3f}" for a, b in pairs))
    elif static:
        table.add_row(f"static ({static})", *("n/a" for _ in pairs))
    out_console.print(table)
