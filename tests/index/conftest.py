"""Tiny collections built in tmp_path: toy spec, documents with one chunk per paragraph."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedrag.index import Store
from embedrag.types import Chunk, Document, EmbeddingSpec

SPEC = EmbeddingSpec("toy-model", "static", "fp32", 8, None, "mean", True, "tok-hash")


def make_doc(doc_id: str, paragraphs: list[str], **metadata: Any) -> tuple[Document, list[Chunk], np.ndarray]:
    """A document whose chunks are its paragraphs, with vectors seeded by the document id."""
    text = "\n\n".join(paragraphs)
    chunks, start = [], 0
    for position, para in enumerate(paragraphs):
        chunks.append(Chunk(doc_id, position, para, start, start + len(para), len(para.split())))
        start += len(para) + 2
    source = str(metadata.pop("source", f"docs/{doc_id}.txt"))
    rng = np.random.default_rng(abs(hash(doc_id)) % 2**32)
    vectors = rng.standard_normal((len(paragraphs), SPEC.dims)).astype(np.float32)
    return Document(doc_id, text, source, metadata), chunks, vectors


def restore_database(backup: Path, root: Path) -> None:
    """Put a copy of ``collection.db`` taken earlier back in ``root`` (as restoring a backup does)."""
    for suffix in ("-wal", "-shm"):
        (root / f"collection.db{suffix}").unlink(missing_ok=True)
    shutil.copy(backup, root / "collection.db")


@pytest.fixture
def spec() -> EmbeddingSpec:
    return SPEC


@pytest.fixture
def make() -> Callable[..., tuple[Document, list[Chunk], np.ndarray]]:
    """``make(doc_id, paragraphs, **metadata)`` -> ``(document, chunks, vectors)``."""
    return make_doc


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "col", spec=SPEC, create=True)
    yield s
    s.close()


@pytest.fixture
def put(store: Store) -> Callable[..., None]:
    def put_doc(doc_id: str, paragraphs: list[str], **metadata: Any) -> None:
        store.put_document(*make_doc(doc_id, paragraphs, **metadata))

    return put_doc
