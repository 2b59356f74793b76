"""Import optional dependencies with a one-line hint naming the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from embedrag.errors import MissingDependencyError


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` saying how to get it.

    The hint names our distribution, embedrag-toolkit: where it is installed, pip adds only the
    extra's packages (the registry's ``embedrag`` is an unrelated project).

    >>> require("json", extra="none", purpose="testing").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{purpose} needs the '{module}' package: pip install 'embedrag-toolkit[{extra}]'"
        ) from exc
