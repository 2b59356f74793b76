"""The collection's default tokenizer, loaded once, and a helper writing small files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from embedrag.ingest import Loaded, Skipped, load_path
from embedrag.tokenize import Tokenizer, load_tokenizer
from embedrag.types import Document

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def minilm() -> Tokenizer:
    return load_tokenizer("all-MiniLM-L6-v2")


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """``write("a/b.txt", "text")``: a file under ``tmp_path`` (folders created)."""

    def make(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return make


@pytest.fixture
def load_one() -> Callable[..., Loaded]:
    """``load_one(path, **options)``: the single item ``load_path`` yields for ``path``."""

    def one(path: Path, **options: object) -> Loaded:
        [item] = list(load_path(path, **options))  # type: ignore[arg-type]
        return item

    return one


def split(items: list[Loaded]) -> tuple[list[Document], list[Skipped]]:
    """Documents and skip reports, each in load order."""
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, Skipped)]


@pytest.fixture(name="split")
def split_fixture() -> Callable[[list[Loaded]], tuple[list[Document], list[Skipped]]]:
    return split
