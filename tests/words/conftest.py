"""Shared fixtures for the word-vector tests: GloVe loaded once, gensim's bundled test data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from embedrag.words import WordVectors
from embedrag.words.evaluate import gensim_test_file


def _gensim_file(name: str) -> Path:
    path = gensim_test_file(name)
    if path is None:
        pytest.skip("gensim's test data is not installed")
    return path


@pytest.fixture(scope="session")
def gensim_file() -> Callable[[str], Path]:
    """``gensim_file("wordsim353.tsv")``: a file of gensim's test data (gensim is in the dev extra)."""
    return _gensim_file


@pytest.fixture(scope="session")
def glove() -> WordVectors:
    """The shipped GloVe 6B 50d, loaded (and normalised) once per session."""
    vectors = WordVectors.load()
    _ = vectors.unit
    return vectors


@pytest.fixture(scope="session")
def glove_kv(glove: WordVectors) -> Any:
    """The same GloVe vectors in a gensim ``KeyedVectors``, the reference implementation."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(glove.dims)
    kv.add_vectors(glove.words, glove.vectors)
    return kv


@pytest.fixture
def shared_glove(monkeypatch: pytest.MonkeyPatch, glove: WordVectors) -> WordVectors:
    """Make ``WordVectors.load()`` of the default name return the session's copy (fast CLI tests)."""
    real = WordVectors.load.__func__  # type: ignore[attr-defined]

    def load(cls: type[WordVectors], name_or_path: Any = "glove-6B-50d", **kwargs: Any) -> WordVectors:
        return glove if name_or_path == "glove-6B-50d" else real(cls, name_or_path, **kwargs)

    monkeypatch.setattr(WordVectors, "load", classmethod(load))
    return glove
