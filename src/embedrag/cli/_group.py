"""A command group that runs a default subcommand when none is named.

``embedrag tokenize "some text"`` runs ``embedrag tokenize show "some text"`` while
``embedrag tokenize train CORPUS`` still reaches ``train``.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup

__all__ = ["default_group"]


def default_group(default: str) -> type[TyperGroup]:
    """A ``TyperGroup`` class whose unknown first argument goes to the ``default`` command."""

    class DefaultGroup(TyperGroup):
        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
                args = [default, *args]
            return super().parse_args(ctx, args)

        def format_usage(self, ctx: Any, formatter: Any) -> None:
            formatter.write_usage(ctx.command_path, f"[{default}] ARGS... | COMMAND [ARGS]...")

    return DefaultGroup
