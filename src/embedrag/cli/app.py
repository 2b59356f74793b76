"""The ``embedrag`` command: a thin skin over the library.

Every subcommand lives in its own module under ``embedrag.cli`` and is registered
here. User errors (``EmbedragError``, bad options, unreadable files) become one line
on stderr and exit code 1; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

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
    embed,
    graph,
    images,
    models,
    plot,
    score,
    serve,
    tokenize,
    train,
    words,
)
from embedrag.cli import eval as eval_cli
from embedrag.cli._output import print_error
from embedrag.errors import EmbedragError

__all__ = ["app", "main"]

app = typer.Typer(
    name="embedrag",
    help="Local-first embeddings toolkit for RAG: tokenizers, word vectors, sentence embeddings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(models.app, name="models")
app.add_typer(tokenize.app, name="tokenize")
app.add_typer(words.app, name="words")
app.add_typer(eval_cli.app, name="eval")
app.add_typer(datasets.app, name="datasets")
app.command("plot")(plot.plot)
app.command("embed")(embed.embed_command)
collection.register(app)
app.command("ask")(ask.ask)
app.add_typer(contextual.app, name="contextual")
app.command("score")(score.score)
app.command("fill")(bert_heads.fill)
app.command("nsp")(bert_heads.nsp)
app.add_typer(train.app, name="train")
app.command("serve")(serve.serve)
app.add_typer(graph.app, name="graph")
app.add_typer(images.app, name="images")


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
        _quiet_transformers()
    command = typer.main.get_command(app)
    try:
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
    return result if isinstance(result, int) else 0


def _quiet_transformers() -> None:
    """Keep transformers' own loading bars and load reports off the terminal (--debug shows them).

    Our commands check what those reports say (a missing head is a clear error) and draw their own
    progress bars. Environment variables the user set win; transformers reads them on import.
    """
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


if __name__ == "__main__":
    sys.exit(main())
