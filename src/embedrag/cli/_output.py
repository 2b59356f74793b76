"""Shared CLI output: consoles, JSON printing, and the one-line error format."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

__all__ = [
    "err_console",
    "notes_for_warnings",
    "out_console",
    "print_error",
    "print_json",
    "print_note",
    "progress_bar",
]

out_console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(payload: Any) -> None:
    """Print ``payload`` as JSON on stdout, untouched by rich (for pipes and ``jq``)."""
    out_console.out(json.dumps(payload, ensure_ascii=False), highlight=False)


def print_error(message: str) -> None:
    """One red line on stderr: the CLI's whole answer to a user error."""
    _one_line("[bold red]error:[/]", message)


def print_note(message: str) -> None:
    """One yellow line on stderr: something the user should know that did not stop the command."""
    _one_line("[yellow]note:[/]", message)


def _one_line(label: str, message: str) -> None:
    from rich.markup import escape

    line = " ".join(str(message).split())
    # escaped: messages quote user text and install hints such as 'embedrag-toolkit[server]', not markup,
    # and words between colons ('man:woman::king:queen') are not emoji codes
    err_console.print(f"{label} {escape(line)}", markup=True, highlight=False, emoji=False)


@contextmanager
def notes_for_warnings() -> Iterator[None]:
    """Show embedrag's warnings (a query cut to the model's limit) as notes, each once, for the ``with`` block.

    Python would print them as two raw lines naming a source file; other libraries' warnings go on as before.
    """
    import warnings

    from embedrag.errors import EmbedragWarning

    shown: set[str] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("always", EmbedragWarning)  # our handler says each text once
        python_show = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
            if not issubclass(category, EmbedragWarning):
                python_show(message, category, *args, **kwargs)
            elif str(message) not in shown:
                shown.add(str(message))
                print_note(str(message))

        warnings.showwarning = show
        yield


@contextmanager
def progress_bar(label: str, total: float | None = None) -> Iterator[Callable[..., None]]:
    """A transient rich bar on stderr; yields ``report(done, total=..., note=...)`` for library callbacks.

    ``note`` is a short text shown after the bar (e.g. the current loss).
    """
    columns = (
        TextColumn(label),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[note]}"),
    )
    with Progress(*columns, console=err_console, transient=True, disable=not err_console.is_terminal) as bar:
        task = bar.add_task(label, total=total, note="")

        def report(done: float, total: float | None = None, note: str | None = None) -> None:
            bar.update(task, completed=done, total=total if total is not None else bar.tasks[0].total)
            if note is not None:
                bar.update(task, note=note)

        yield report
