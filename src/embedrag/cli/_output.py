"""Shared CLI output: consoles, JSON printing, and the one-line error format."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

__all__ = [
    "QUIET",
    "err_console",
    "notes_for_warnings",
    "out_console",
    "print_error",
    "print_json",
    "print_note",
    "progress_bar",
    "stage_bars",
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


QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar (none is drawn when stderr is not a terminal).")


class _Eta(ProgressColumn):
    """Time left at the average pace so far: an ingest reports once per committed batch (up to a
    minute apart), too seldom for rich's own estimate, which needs two reports within 30 s."""

    def render(self, task: Task) -> Text:
        if not task.total or not task.completed or task.elapsed is None or task.finished:
            return Text("eta -:--:--", style="progress.remaining")
        left = task.elapsed * (task.total - task.completed) / task.completed
        return Text(f"eta {timedelta(seconds=round(left))}", style="progress.remaining")


def _bars(*columns: ProgressColumn, quiet: bool) -> Progress:
    """A transient rich display on stderr, drawn only on a terminal and without ``quiet``: piped
    output and ``--quiet`` carry no bar and no control characters."""
    return Progress(
        *columns,
        console=err_console,
        transient=True,
        disable=quiet or not err_console.is_terminal,
    )


def _counts(unit: str | None) -> tuple[ProgressColumn, ...]:
    """done/total and the unit ("12/80 files"), or a percentage when ``unit`` is None; then time and ETA."""
    done = (TaskProgressColumn(),) if unit is None else (MofNCompleteColumn(), TextColumn(unit))
    return (*done, TimeElapsedColumn(), _Eta())


@contextmanager
def progress_bar(
    label: str, total: float | None = None, *, unit: str | None = None, quiet: bool = False
) -> Iterator[Callable[..., None]]:
    """A bar with done/total (given a ``unit``) or a percentage, elapsed time and an ETA; yields
    ``report(done, total=..., note=...)`` for library callbacks.

    ``note`` is a short text shown after the bar (e.g. the current loss).
    """
    with _bars(TextColumn(label), BarColumn(), *_counts(unit), TextColumn("{task.fields[note]}"), quiet=quiet) as bar:
        task = bar.add_task(label, total=total, note="")

        def report(done: float, total: float | None = None, note: str | None = None) -> None:
            bar.update(task, completed=done, total=total if total is not None else bar.tasks[0].total)
            if note is not None:
                bar.update(task, note=note)

        yield report


@contextmanager
def stage_bars(*, quiet: bool = False) -> Iterator[Callable[[str, int, int], None]]:
    """One bar per stage, with done/total, elapsed time and ETA, added when a stage first reports;
    yields ``report(stage, done, total)``."""
    with _bars(TextColumn("{task.description}"), BarColumn(), *_counts(""), quiet=quiet) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield report
