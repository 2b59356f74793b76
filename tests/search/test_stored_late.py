"""Late rerank from kept token vectors: what an ingest keeps, what a delete or a replace removes,
that it ranks as encoding every candidate does, and what check says of damaged vectors.

One collection of all-MiniLM-L6-v2 per module (it encodes in seconds); tests that change it
work on their own copy.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from embedrag.collection import Collection
from embedrag.errors import ConfigError
from embedrag.index.token_vectors import decode, encode
from embedrag.search.late import maxsim_many, maxsim_stored
from embedrag.search.rerank import make_reranker
from embedrag.types import Document

DOCS = [
    Document("cats", "Cats purr, sleep most of the day and hunt mice at night.", "cats"),
    Document("dogs", "Dogs bark at strangers and love long walks in the park.", "dogs"),
    Document("stocks", "Stock markets fell sharply today as investors sold bank shares.", "stocks"),
    Document("rates", "The central bank raised interest rates to slow inflation.", "rates"),
    Document("bread", "Bake bread with flour, water, salt and yeast for forty minutes.", "bread"),
]
QUERIES = ["Which animal hunts mice?", "why did the bank raise rates", "how to bake a loaf"]
TOLERANCE = 0.01
"""How far a MaxSim score from int8 token vectors may be from the float32 one (measured: under 0.002)."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("late") / "col"
    with Collection.open(root, token_vectors=True) as col:
        col.add(DOCS)
    return root


@pytest.fixture
def col(built: Path, tmp_path: Path) -> Iterator[Collection]:
    shutil.copytree(built, tmp_path / "col")
    with Collection.open(tmp_path / "col") as collection:
        yield collection


def _kept(root: Path) -> dict[str, int]:
    """Document id -> stored token-vector rows, read from the database itself."""
    conn = sqlite3.connect(root / "collection.db")
    try:
        sql = "SELECT c.doc_id, COUNT(*) FROM token_vectors t JOIN chunks c ON c.id = t.chunk_id GROUP BY c.doc_id"
        rows = dict(conn.execute(sql).fetchall())
        assert conn.execute("SELECT COUNT(*) FROM token_vectors").fetchone()[0] == sum(rows.values())  # no strays
        return rows
    finally:
        conn.close()


def test_int8_bytes_round_trip_within_half_a_step() -> None:
    rows = np.random.default_rng(0).normal(size=(5, 16)).astype(np.float32)
    values, scales = decode(encode(rows, 16, "x#0"), 5, 16)
    assert values.dtype == np.int8 and len(encode(rows, 16, "x#0")) == 5 * (16 + 4)
    assert np.abs(values * scales[:, None] - rows).max() <= scales.max() / 2 + 1e-6


def test_stored_maxsim_equals_the_float_one_document_by_document() -> None:
    rng = np.random.default_rng(1)
    unit = lambda a: (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)  # noqa: E731
    query, docs = unit(rng.normal(size=(4, 8))), [unit(rng.normal(size=(n, 8))) for n in (3, 1, 6)]
    parts = [decode(encode(d, 8, "x#0"), len(d), 8) for d in docs]
    starts = np.array([0, 3, 4])
    scores = maxsim_stored(query, np.concatenate([v for v, _ in parts]), np.concatenate([s for _, s in parts]), starts)
    np.testing.assert_allclose(scores, maxsim_many(query, docs), atol=TOLERANCE)


def test_an_ingest_keeps_the_token_vectors_of_every_chunk(built: Path) -> None:
    with Collection.open(built) as col:
        stats = col.stats()
        assert stats["token_vectors"] == "int8" and col.check().ok
        chunks = {d.id: d.chunks for d in col.documents()}
    assert _kept(built) == chunks
    assert stats["token_vector_bytes"] > 0 and stats["token_vector_bytes"] % (384 + 4) == 0


def test_a_replace_and_a_delete_take_the_token_vectors_with_their_chunks_and_put_keeps_them(col: Collection) -> None:
    col.add([Document("cats", "Cats purr loudly. " * 60 + "They hunt mice at night.", "cats")])  # now 2 chunks
    col.delete(["stocks"])
    col.put([Document("tea", "Brew green tea for three minutes.", "tea")])  # a vector store's add keeps them too
    chunks = {d.id: d.chunks for d in col.documents()}
    assert chunks["cats"] == 2 and "stocks" not in chunks and chunks["tea"] == 1
    assert _kept(col.path) == chunks


def test_rerank_from_kept_vectors_ranks_as_encoding_every_candidate(col: Collection) -> None:
    fresh = make_reranker("late", col.embedder)  # no kept vectors: encodes every candidate now
    for query in QUERIES:
        hits = col.search(query, k=5)
        kept, encoded = col.reranker("late")(query, hits), fresh(query, hits)
        assert [h.id for h in kept] == [h.id for h in encoded]
        np.testing.assert_allclose([h.score for h in kept], [h.score for h in encoded], atol=TOLERANCE)
    assert col.search(QUERIES[0], k=1, rerank="late")[0].doc_id == "cats"


def test_chunks_without_kept_vectors_are_encoded_at_query_time(col: Collection, tmp_path: Path) -> None:
    col.export_parquet(tmp_path / "all.parquet")
    with Collection.open(tmp_path / "imported", token_vectors=True) as imported:
        imported.import_parquet(tmp_path / "all.parquet")  # the file's vectors reused: no token vectors
        assert imported.stats()["token_vector_bytes"] == 0
        assert any("no stored token vectors" in note for note in imported.check().notes)
        hits = imported.search(QUERIES[1], k=5)
        reranked = imported.reranker("late")(QUERIES[1], hits)
        expected = col.reranker("late")(QUERIES[1], col.search(QUERIES[1], k=5))
    assert [h.id for h in reranked] == [h.id for h in expected]


def test_check_finds_a_damaged_token_vector_and_repair_restores_it(col: Collection) -> None:
    conn = sqlite3.connect(col.path / "collection.db")
    with conn:
        conn.execute(
            "UPDATE token_vectors SET data = zeroblob(length(data)) WHERE chunk_id ="
            " (SELECT id FROM chunks WHERE doc_id = 'bread')"
        )
    conn.close()
    report = col.check()
    assert not report.ok and any("damaged token vectors" in p for p in report.problems)
    assert col.search(DOCS[4].text, k=1, rerank="late")[0].doc_id == "bread"  # the damaged one is encoded instead
    assert col.check(repair=True).ok
    col.add([DOCS[4]])  # marked for re-ingest: stored again with its token vectors
    assert col.check().ok and _kept(col.path)["bread"] == 1


def test_a_static_model_cannot_keep_token_vectors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no contextual token vectors"):
        Collection.open(tmp_path / "static", model="tokenlearn-static-64", token_vectors=True)
    assert not (tmp_path / "static" / "collection.db").exists()


def test_an_existing_collection_keeps_what_it_was_created_with(built: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="keeps token vectors"):
        Collection.open(built, token_vectors=False)
    with Collection.open(tmp_path / "plain") as plain:
        plain.add(DOCS[:1])
    with pytest.raises(ConfigError, match="created without token vectors"):
        Collection.open(tmp_path / "plain", token_vectors=True)


def test_a_chunk_without_kept_vectors_is_encoded_as_the_ingest_embedded_it_title_included(tmp_path: Path) -> None:
    """A collection embeds each chunk under its document's title (``passage_context``): a chunk whose
    kept vectors are gone must be encoded under it again, or one rerank mixes two kinds of scores."""
    titles = ["Pets at home", "Walking the dog", "Markets today", "Central banking", "Kitchen basics"]
    with Collection.open(tmp_path / "titled", token_vectors=True) as col:
        col.add([Document(d.id, d.text, d.source, {"title": t}) for d, t in zip(DOCS, titles, strict=True)])
        assert col.stats()["passage_context"] == "title-headings"
        scored = {}
        for kept_rows in (True, False):
            if not kept_rows:
                with sqlite3.connect(col.path / "collection.db") as conn:
                    conn.execute("DELETE FROM token_vectors")
            scored[kept_rows] = [col.reranker("late")(q, col.search(q, k=5)) for q in QUERIES]
    for kept, encoded in zip(scored[True], scored[False], strict=True):
        assert [h.id for h in kept] == [h.id for h in encoded]
        np.testing.assert_allclose([h.score for h in kept], [h.score for h in encoded], atol=TOLERANCE)
