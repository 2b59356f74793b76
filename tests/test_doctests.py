"""Every docstring example in the package runs, module by module, as a test."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import embedrag

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(embedrag.__path__, prefix="embedrag.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
