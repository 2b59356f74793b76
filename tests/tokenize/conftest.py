"""Tokenizers loaded once per session (loading o200k takes a second) and a tiny corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from gensim.test.utils import datapath

from embedrag.tokenize import Tokenizer, load_tokenizer


@pytest.fixture(scope="session")
def lee_text() -> str:
    """gensim's Lee background corpus: 360,082 characters of news text."""
    return Path(datapath("lee_background.cor")).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def bert() -> Tokenizer:
    return load_tokenizer("bert-base-uncased")


@pytest.fixture(scope="session")
def cl100k() -> Tokenizer:
    return load_tokenizer("cl100k_base")


@pytest.fixture(scope="session")
def o200k() -> Tokenizer:
    return load_tokenizer("o200k_base")


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A few hundred lines: trains a SentencePiece model in well under a second."""
    lines = Path(datapath("lee_background.cor")).read_text(encoding="utf-8").splitlines()[:40]
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
