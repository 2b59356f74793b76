"""A collection.db damaged in the middle (not its header): a StoreError or a check problem, never
a raw sqlite3 error, and never an answer that differs from the undamaged database's."""

from __future__ import annotations

import contextlib
import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedrag.errors import StoreError
from embedrag.index import Store
from embedrag.index.retrieval import Index
from embedrag.types import Chunk, Document, EmbeddingSpec

WORDS = "apple pear river stone cloud tiger violin copper garden winter market engine silver forest".split()  # noqa: SIM905
DAMAGE_AT = (0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9)
"""Where, as a share of the file, 600 bytes are overwritten (page-aligned plus 1000 bytes: inside a page)."""

SPEC = EmbeddingSpec("toy-model", "static", "fp32", 8, None, "mean", True, "tok-hash")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 documents of three 31-word chunks each (about 300 KB), closed so the WAL is checkpointed."""
    rng, vectors = random.Random(1), np.random.default_rng(1)
    root = tmp_path_factory.mktemp("damaged") / "col"
    with Store.open(root, spec=SPEC, create=True) as store, store.write() as w:
        for i in range(300):
            texts = [" ".join(rng.choice(WORDS) for _ in range(30)) + f" doc{i}" for _ in range(3)]
            chunks = [Chunk(f"d{i}", p, t, 0, len(t), 31) for p, t in enumerate(texts)]
            doc = Document(f"d{i}", "\n\n".join(texts), f"docs/d{i}.txt", {})
            w.put_document(doc, chunks, vectors.standard_normal((3, 8)).astype(np.float32))
    return root


def answers(store: Store) -> dict[str, Any]:
    """What a reader gets from the store; each entry the value or the StoreError's message."""
    index = Index(store)
    queries: dict[str, Callable[[], Any]] = {
        "documents": lambda: [(d.id, d.content_hash, d.chunks) for d in store.documents()],
        "stats": lambda: store.stats(),
        "bm25": lambda: [(h.id, h.text) for h in index.hits(index.lexical("tiger violin doc7", 5))],
        "dense": lambda: [(h.id, h.text) for h in index.hits(index.dense(np.ones(8), 5))],
        "document vectors": lambda: index.document_vectors(["d3", "d150", "d299"]).round(5).tolist(),
    }
    out: dict[str, Any] = {}
    for name, query in queries.items():
        try:
            out[name] = query()
        except StoreError as exc:  # anything else (a raw sqlite3 error) fails the test
            out[name] = StoreError(str(exc))
    return out


def damage(built: Path, tmp_path: Path, offset: int, data: bytes) -> Path:
    root = tmp_path / "col"
    shutil.copytree(built, root)
    with open(root / "collection.db", "r+b") as fh:
        fh.seek(offset)
        fh.write(data)
    return root


@pytest.mark.parametrize("share", DAMAGE_AT)
def test_a_database_damaged_mid_file_is_a_store_error_or_a_check_problem_never_a_wrong_answer(
    built: Path, tmp_path: Path, share: float
) -> None:
    with Store.open(built) as store:
        expected = answers(store)
    size = (built / "collection.db").stat().st_size
    noise = random.Random(share).randbytes(600)
    root = damage(built, tmp_path, int(size * share) // 4096 * 4096 + 1000, noise)
    try:
        store = Store.open(root)
    except StoreError:
        return
    with store:
        try:
            problems = store.check().problems
        except StoreError as exc:
            problems = [str(exc)]
        got = answers(store)
    for name, value in got.items():  # an answer is refused or right, whatever check says
        assert isinstance(value, StoreError) or value == expected[name], f"{name} changed; check: {problems}"
    if any(isinstance(value, StoreError) for value in got.values()):
        assert problems, "a search failed on damage that check does not report"


def test_a_vector_damaged_in_the_file_is_a_check_problem(built: Path, tmp_path: Path) -> None:
    with contextlib.closing(sqlite3.connect(built / "collection.db")) as conn:
        blob = conn.execute("SELECT vector FROM chunks WHERE doc_id = 'd150' AND position = 1").fetchone()[0]
    offset = (built / "collection.db").read_bytes().index(blob) + 8
    root = damage(built, tmp_path, offset, np.array([9.0, -9.0], "<f4").tobytes())
    with Store.open(root) as store:
        assert any("do not match their checksum" in p for p in store.check().problems)  # was [] before format 2
