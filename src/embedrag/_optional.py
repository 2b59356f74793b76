"""Import optional dependencies with a one-line hint naming the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from embedrag.errors import MissingDependencyError


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` saying how to get it.

    >>> require("json", extra="none", purpose="testing").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{purpose} needs the '{module}' package: pip install 'embedrag[{extra}]'"
        ) from exc
