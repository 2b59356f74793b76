"""The ``embedrag`` command: a thin skin over the library.

Every subcommand lives in its own module under ``embedrag.cli`` and is registered
here. User errors (``EmbedragError``, bad options, unreadable files) become one line
on stderr and exit code 1; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import logging
import os
import sys

import typer
from typer.exceptions import TyperException

from embedrag import __version__
from embedrag.cli import (
    ask,
    bert_heads,
    collection,
    contextual,
    datasets,
    distributed,
    embed,
    graph,
    images,
    models,
    plot,
    score,
    serve,
    tokenize,
    train,
    transfer,
    words,
)
from embedrag.cli import eval as eval_cli
from embedrag.cli._output import notes_for_warnings, print_error
from embedrag.errors import EmbedragError

__all__ = ["app", "main"]

app = typer.Typer(
    name="embedrag",
    help="Local-first embeddings toolkit for RAG: tokenizers, word and sentence vectors, collections with "
    "hybrid search, evaluation, fine-tuning and an HTTP server.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
RETRIEVAL, VECTORS, INSIDE, QUALITY = "Collections and RAG", "Text and vectors", "Inside the transformer", "Quality"
collection.register(app, panel=RETRIEVAL)
app.command("ask", rich_help_panel=RETRIEVAL)(ask.ask)
app.command("plot", rich_help_panel=RETRIEVAL)(plot.plot)
app.command("serve", rich_help_panel=RETRIEVAL)(serve.serve)
app.command("export", rich_help_panel=RETRIEVAL)(transfer.export_command)
app.command("import", rich_help_panel=RETRIEVAL)(transfer.import_command)
app.command("embed", rich_help_panel=VECTORS)(embed.embed_command)
app.command("embed-dataset", rich_help_panel=VECTORS)(distributed.embed_dataset_command)
app.add_typer(tokenize.app, name="tokenize", rich_help_panel=VECTORS)
app.add_typer(words.app, name="words", rich_help_panel=VECTORS)
app.add_typer(images.app, name="images", rich_help_panel=VECTORS)
app.add_typer(graph.app, name="graph", rich_help_panel=VECTORS)
app.add_typer(models.app, name="models", rich_help_panel=VECTORS)
app.add_typer(contextual.app, name="contextual", rich_help_panel=INSIDE)
app.command("fill", rich_help_panel=INSIDE)(bert_heads.fill)
app.command("nsp", rich_help_panel=INSIDE)(bert_heads.nsp)
app.command("score", rich_help_panel=INSIDE)(score.score)
app.add_typer(train.app, name="train", rich_help_panel=INSIDE)
app.add_typer(eval_cli.app, name="eval", rich_help_panel=QUALITY)
app.add_typer(datasets.app, name="datasets", rich_help_panel=QUALITY)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"embedrag {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Local-first embeddings toolkit for RAG.

    Example: embedrag tokenize "Hello world" --tokenizer cl100k_base
    """


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 user error, 130 interrupted)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("EMBEDRAG_DEBUG", "") not in ("", "0")
    if not debug:
        _quiet_libraries()
    command = typer.main.get_command(app)
    try:
        with notes_for_warnings():
            result = command.main(args=args, prog_name="embedrag", standalone_mode=False)
    except (typer.Abort, KeyboardInterrupt):
        print_error("interrupted")
        return 130
    except TyperException as exc:
        if debug:
            raise
        print_error(getattr(exc, "format_message", exc.__str__)())
        return 1
    except (EmbedragError, OSError) as exc:
        if debug:
            raise
        print_error(str(exc))
        return 1
    except UnicodeEncodeError as exc:  # an argument that is not UTF-8 reached a file name, SQLite or the terminal
        if debug:
            raise
        print_error(f"an argument is not valid Unicode: {exc}")
        return 1
    return result if isinstance(result, int) else 0


def _quiet_libraries() -> None:
    """Keep transformers' own loading bars and load reports, and pypdf's warnings about damaged files
    ("EOF marker not found"), off the terminal (--debug shows them).

    Our commands check what those reports say (a missing head is a clear error; a PDF that cannot be
    read is reported as skipped, with pypdf's reason) and draw their own progress bars. Environment
    variables the user set win; transformers reads them on import.
    """
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    logging.getLogger("pypdf").setLevel(logging.ERROR)


if __name__ == "__main__":
    sys.exit(main())
