"""Shared parts of the adapter tests: one small static encoder and its tokenizer, loaded once (a test
collection then opens in milliseconds)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from embedrag.collection import Collection
from embedrag.embed import Embedder
from embedrag.tokenize import Tokenizer, load_tokenizer

STATIC = "tokenlearn-static-64"


@cache
def static_embedder() -> Embedder:
    """A static encoder (64 dims): loads in a moment, embeds in microseconds."""
    return Embedder(STATIC)


@cache
def static_tokenizer() -> Tokenizer:
    return load_tokenizer(static_embedder().model_path)


def open_collection(path: Path, **options: Any) -> Collection:
    """A collection at ``path`` over the shared static encoder and tokenizer."""
    return Collection.open(path, embedder=static_embedder(), tokenizer=static_tokenizer(), **options)
