"""``embedrag tokenize``: see how a tokenizer splits text, list tokenizers, train SentencePiece.

Library imports happen inside the commands so ``embedrag --help`` stays fast.
"""

from __future__ import annotations

import sys
import time
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.text import Text

from embedrag.cli._group import default_group
from embedrag.cli._output import err_console, out_console, print_json
from embedrag.errors import InputError

if TYPE_CHECKING:
    from embedrag.tokenize import Tokenizer

app = typer.Typer(
    cls=default_group("show"),
    help="See how a tokenizer splits text; list tokenizers; train a SentencePiece tokenizer.",
    no_args_is_help=False,
)

# Alternating box colours, as on the well-known tokenizer web pages. Named ANSI
# colours, not hex: 16-colour terminals would fold pastel hex values into one white.
_BOXES = (
    "black on bright_cyan",
    "black on bright_yellow",
    "black on bright_green",
    "black on bright_magenta",
    "black on bright_blue",
)
# Without colour (a pipe, NO_COLOR) the boxes are invisible: separate pieces instead.
_PLAIN_SEPARATOR = "│"
# Characters a box cannot show as themselves.
_VISIBLE = {"\n": "↵\n", "\r": "␍", "\t": "→"}


@app.command("show")
def show(
    text: str | None = typer.Argument(None, help="Text to tokenize (or use --file)."),
    tokenizer: str | None = typer.Option(
        None,
        "--tokenizer",
        "-t",
        help="Tokenizer name, alias or path (default: bert-base-uncased, the tokenizer of the default "
        "embedding model all-MiniLM-L6-v2). See: embedrag tokenize list.",
        show_default=False,
    ),
    file: str | None = typer.Option(None, "--file", "-f", help="Tokenize this UTF-8 file's text; '-' reads stdin."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON: tokenizer, tokens, ids, count."),
) -> None:
    """Show how a tokenizer splits text: the pieces in coloured boxes, their ids, and the counts.

    Counts are true counts: special tokens the model adds are included, nothing is
    truncated. Special-token spellings in the text are tokenized as plain text. To
    tokenize a text that is a command name, say it: embedrag tokenize show list.

    Example: embedrag tokenize "Hello world, naïve café 🤖" --tokenizer cl100k_base
    """
    from embedrag.tokenize import DEFAULT_TOKENIZER, load_tokenizer

    content = _input_text(text, file)
    tok = load_tokenizer(tokenizer or DEFAULT_TOKENIZER)
    ids = tok.encode(content)
    pieces = tok.tokens(content)
    if json_out:
        print_json({"tokenizer": tok.name, "tokens": pieces, "ids": ids, "count": len(ids)})
        return
    _print_view(tok, content, pieces, ids)


@app.command("list")
def list_tokenizers(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the tokenizers known by name and whether their files are on this machine.

    Example: embedrag tokenize list --json
    """
    from rich.table import Table

    from embedrag.models import available
    from embedrag.tokenize.load import loadable_models

    models = loadable_models()
    rows = []
    for info in models:
        rows.append(
            {
                "name": info.name,
                "aliases": list(info.aliases),
                "kind": info.kind,
                "format": info.format,
                "available": available(info.name) is not None,
                "description": info.description,
            }
        )
    if json_out:
        print_json({"tokenizers": rows})
        return
    table = Table(title="embedrag tokenizers", title_justify="left")
    for column in ("name", "aliases", "here", "description"):
        table.add_column(column, no_wrap=column != "description")
    for info, row in zip(models, rows, strict=True):
        table.add_row(
            info.name,
            ", ".join(a for a in info.aliases if "/" not in a),  # hub ids are long and in --json
            "[green]yes[/]" if row["available"] else "[yellow]no[/]",
            info.description if info.kind == "tokenizer" else f"the tokenizer of this {info.kind} model",
        )
    out_console.print(table)
    out_console.print("Also accepted: a tokenizer.json, a SentencePiece .model file, or a model folder.")


@app.command("train")
def train(
    corpus: Path = typer.Argument(..., help="UTF-8 text file; each line is one training sentence."),
    vocab_size: int = typer.Option(..., "--vocab-size", "-n", help="Number of pieces, e.g. 8000."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Where to write the model (default: ./<corpus name>.model)."
    ),
    model_type: str = typer.Option("unigram", "--model-type", help="unigram or bpe."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON: model, model_type, vocab_size, corpus."),
) -> None:
    """Train a SentencePiece tokenizer on a corpus; the same corpus and options give the same model.

    Example: embedrag tokenize train notes.txt --vocab-size 8000 -o notes.model
    """
    from embedrag.tokenize import train_sentencepiece

    target = output if output is not None else Path(corpus.stem + ".model")
    started = time.perf_counter()
    with err_console.status(f"training {model_type} SentencePiece on {corpus} ..."):
        tok = train_sentencepiece(corpus, vocab_size=vocab_size, model_type=model_type, output=target)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    if json_out:
        print_json(
            {"model": str(target), "model_type": model_type, "vocab_size": tok.vocab_size, "corpus": str(corpus)}
        )
        return
    out_console.print(
        f"wrote [bold]{target}[/]: {model_type} SentencePiece, {tok.vocab_size:,} pieces, "
        f"trained on {corpus} in {seconds:.1f} s"
    )
    out_console.print(f'try: embedrag tokenize "some text" --tokenizer {target}')


def _input_text(text: str | None, file: str | None) -> str:
    """The text to tokenize: the argument, or a file's (or stdin's) strict UTF-8 content."""
    from embedrag.tokenize.textfile import decode_utf8

    if text is not None and file is not None:
        raise InputError("give either TEXT or --file, not both")
    if file is None:
        if text is None:
            raise InputError("nothing to tokenize: give TEXT, or --file PATH ('-' for stdin)")
        return text
    if file == "-":
        return decode_utf8(sys.stdin.buffer.read(), source="stdin")
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror or exc}") from exc
    return decode_utf8(data, source=file)


def _print_view(tok: Tokenizer, content: str, pieces: list[str], ids: list[int]) -> None:
    """The tokenizer web page, in a terminal: header with counts, boxed pieces, ids below."""
    plain = out_console.color_system is None
    out_console.print(
        f"[bold]{tok.name}[/]  {len(ids):,} tokens  {len(content):,} characters  vocabulary {tok.vocab_size:,}"
    )
    line = Text()
    for n, piece in enumerate(pieces):
        if plain and n:
            line.append(_PLAIN_SEPARATOR)
        line.append(_visible(piece), style=_BOXES[n % len(_BOXES)])
    out_console.print(line)
    numbers = Text()
    for n, token_id in enumerate(ids):
        if n:
            numbers.append(" ")
        numbers.append(str(token_id), style=_BOXES[n % len(_BOXES)])
    out_console.print(numbers)


def _visible(piece: str) -> str:
    """``piece`` with line breaks, tabs and other control characters shown as symbols."""
    return "".join(_VISIBLE.get(ch, f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" else ch) for ch in piece)
