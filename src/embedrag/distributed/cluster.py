"""Reaching a Ray cluster: an existing one by address, or a local one started for one command.

``ray`` is an optional extra (``embedrag-toolkit[ray]``): importing it goes through
:func:`embedrag._optional.require`, so a missing install is one line naming the extra. A command
that starts a cluster shuts it down when it ends; one that joins a running cluster leaves it running.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from embedrag._optional import require
from embedrag.errors import ConfigError

__all__ = ["LOCAL", "connected", "ray_module"]

LOCAL = "local"
"""``--ray local``: start a cluster on this machine for the command (``auto`` joins a running one)."""


def ray_module() -> ModuleType:
    """The ``ray`` package, or a :class:`MissingDependencyError` naming the ``ray`` extra."""
    return require("ray", extra="ray", purpose="running on Ray")


@contextmanager
def connected(address: str, *, num_cpus: int | None = None) -> Iterator[ModuleType]:
    """Ray, connected to ``address`` (``auto``, ``local`` or ``ray://host:port`` / ``host:port``).

    If this process is already connected (a test's cluster, a notebook's), that connection is used
    and left open. ``num_cpus`` sizes a ``local`` cluster (default: all CPUs).
    """
    ray = ray_module()
    if ray.is_initialized():
        yield ray
        return
    if not address:
        raise ConfigError("--ray needs an address: auto (a running cluster), local, or host:port")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves this machine
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "error")
    # Ray's own notes stay off the terminal: a command prints its result, or one line for an error.
    options: dict[str, object] = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR}
    if address == LOCAL:
        options["num_cpus"] = num_cpus
    else:
        options["address"] = address
    try:
        ray.init(**options)
    except ConnectionError as e:
        raise ConfigError(f"cannot reach a Ray cluster at {address!r}: {e}") from None
    try:
        yield ray
    finally:
        ray.shutdown()
