from __future__ import annotations

import dataclasses
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import InputError
from embedrag.index import CollectionLockedError, SpecMismatchError, Store, StoreError
from embedrag.index.hnsw import lineage_problem
from embedrag.index.schema import FORMAT_VERSION
from embedrag.types import EmbeddingSpec

Make = Callable[..., tuple]


def test_reopening_without_spec_reads_the_stored_one(
    store: Store, put: Callable[..., None], spec: EmbeddingSpec
) -> None:
    put("a", ["hello world"])
    store.close()
    with Store.open(store.root) as again:
        assert again.spec == spec
        assert again.stats().documents == 1


def test_opening_with_another_model_says_what_was_expected_and_given(store: Store, spec: EmbeddingSpec) -> None:
    other = dataclasses.replace(spec, model="other-model", dims=16)
    with pytest.raises(SpecMismatchError, match=r"toy-model.*other-model.*dims: expected 8, given 16"):
        Store.open(store.root, spec=other)


def test_variant_is_compared_strictly(store: Store, spec: EmbeddingSpec) -> None:
    with pytest.raises(SpecMismatchError, match="variant: expected 'fp32', given 'int8'"):
        Store.open(store.root, spec=dataclasses.replace(spec, variant="int8"))


def test_max_tokens_is_not_compared(store: Store, spec: EmbeddingSpec) -> None:
    Store.open(store.root, spec=dataclasses.replace(spec, max_tokens=128)).close()


def test_missing_collection_is_an_error_unless_created(tmp_path: Path, spec: EmbeddingSpec) -> None:
    with pytest.raises(StoreError, match="no collection"):
        Store.open(tmp_path / "nothing", spec=spec)


def test_creating_needs_a_spec(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="needs an embedding spec"):
        Store.open(tmp_path / "new", create=True)


def test_a_garbage_database_file_gives_a_clear_error(tmp_path: Path, spec: EmbeddingSpec) -> None:
    (tmp_path / "collection.db").write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="damaged or not a SQLite database"):
        Store.open(tmp_path, spec=spec)


def test_a_foreign_sqlite_database_is_not_a_collection(tmp_path: Path, spec: EmbeddingSpec) -> None:
    sqlite3.connect(tmp_path / "collection.db").execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="not an embedrag collection"):
        Store.open(tmp_path, spec=spec)


def test_every_write_transaction_bumps_the_generation(store: Store, put: Callable[..., None], make: Make) -> None:
    assert store.generation() == 0
    put("a", ["one"])
    with store.write() as w:
        w.put_document(*make("b", ["two"]))
        w.put_document(*make("c", ["three"]))
    store.delete_documents(["a"])
    assert store.generation() == 3


def test_replacing_a_document_replaces_its_chunks_vectors_and_postings(store: Store, put: Callable[..., None]) -> None:
    put("a", ["apples and pears", "old paragraph"])
    put("a", ["bananas ripen"])
    with store.read() as conn:
        texts = [r[0] for r in conn.execute("SELECT text FROM chunks")]
        terms = {r[0] for r in conn.execute("SELECT t.term FROM postings p JOIN terms t ON t.id = p.term_id")}
    assert texts == ["bananas ripen"]
    assert terms == {"banana", "ripen"}
    assert store.check().ok


def test_deleting_removes_chunks_and_postings(store: Store, put: Callable[..., None]) -> None:
    put("a", ["apples"])
    put("b", ["pears"])
    assert store.delete_documents(["a", "missing"]) == 1
    with store.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM postings").fetchone()[0] == 1
    assert [d.id for d in store.documents()] == ["b"]


def test_document_hash_is_the_text_hash_or_the_callers(store: Store, make: Make) -> None:
    doc, chunks, vectors = make("a", ["x"])
    store.put_document(doc, chunks, vectors)
    assert store.document_hash("a") is not None
    store.put_document(doc, chunks, vectors, content_hash="file-sha")
    assert store.document_hash("a") == "file-sha"
    assert store.document_hash("zzz") is None


def test_vectors_of_the_wrong_shape_are_refused(store: Store, make: Make) -> None:
    doc, chunks, _ = make("a", ["x", "y"])
    with pytest.raises(InputError, match=r"shape \(2, 3\), expected \(2, 8\)"):
        store.put_document(doc, chunks, np.zeros((2, 3)))


def test_a_failed_batch_leaves_nothing_behind(store: Store, make: Make) -> None:
    doc, chunks, _ = make("b", ["bad"])

    def batch() -> None:
        with store.write() as w:
            w.put_document(*make("a", ["fine"]))
            w.put_document(doc, chunks, np.full((1, 8), np.nan))

    with pytest.raises(InputError, match="NaN"):
        batch()
    assert store.stats().chunks == 0
    assert store.generation() == 0


def test_a_second_writer_gets_a_locked_error(store: Store, make: Make) -> None:
    other = Store.open(store.root, lock_timeout=0.1)
    with store.write() as w:
        w.put_document(*make("a", ["x"]))
        with pytest.raises(CollectionLockedError, match="is locked"), other.write():
            pass
    other.close()


def test_readers_see_the_old_or_the_new_state_never_half(store: Store, make: Make) -> None:
    reader = Store.open(store.root)
    seen: list[tuple[int, int]] = []
    stop = threading.Event()

    def read_loop() -> None:
        while not stop.is_set():
            with reader.read() as conn:
                docs = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
                chunks = conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
            seen.append((docs, chunks))

    thread = threading.Thread(target=read_loop)
    thread.start()
    for batch in range(20):
        with store.write() as w:
            for i in range(5):
                w.put_document(*make(f"d{batch}-{i}", ["p1", "p2", "p3"]))
    stop.set()
    thread.join()
    reader.close()
    assert seen
    assert all(chunks == 3 * docs and docs % 5 == 0 for docs, chunks in seen)


def test_reading_inside_a_write_sees_the_pending_changes(store: Store, make: Make) -> None:
    with store.write() as w:
        w.put_document(*make("a", ["x"]))
        assert store.document_hash("a") is not None


def test_interrupted_creation_is_not_mistaken_for_a_foreign_database(tmp_path: Path) -> None:
    root = tmp_path / "col"
    root.mkdir()
    conn = sqlite3.connect(root / "collection.db")
    conn.execute("PRAGMA journal_mode = WAL")  # what a writer killed before its first commit leaves
    conn.close()
    with pytest.raises(StoreError, match="creation was interrupted"):
        Store.open(root)


def test_a_format_1_file_is_upgraded_in_place_and_its_old_graph_is_not_trusted(
    store: Store, put: Callable[..., None]
) -> None:
    put("a", ["hello world"])
    with store.read() as conn:  # what embedrag 0.1 wrote: no commit tokens, no vector checksums
        conn.execute("DROP TABLE commits")
        conn.execute("ALTER TABLE chunks DROP COLUMN vector_crc")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'")
    store.close()
    with Store.open(store.root) as again:
        with again.read() as conn:
            version = conn.execute("SELECT value FROM meta WHERE key = 'format_version'").fetchone()[0]
            assert version == str(FORMAT_VERSION)
            assert conn.execute("SELECT generation FROM commits").fetchall() == [(1,)]
        assert again.stats().documents == 1
        assert again.check().ok  # the checksums were taken from the vectors as they were
        assert lineage_problem(again._conn, {"generation": 1}) is not None  # a graph without a token


def test_a_newer_format_is_refused_naming_both_versions(store: Store) -> None:
    with store.read() as conn:
        conn.execute("UPDATE meta SET value = '9' WHERE key = 'format_version'")
    store.close()
    newer = rf"format version 9 \(written by a newer embedrag\); .* up to {FORMAT_VERSION}"
    with pytest.raises(StoreError, match=newer):
        Store.open(store.root)


def test_opening_does_not_wait_for_a_writer(store: Store, make: Make) -> None:
    with store.write() as w:
        w.put_document(*make("a", ["x"]))
        with Store.open(store.root, lock_timeout=0.05) as reader:
            assert reader.stats().documents == 0  # the snapshot before the uncommitted write


def test_each_commit_records_its_own_token(store: Store, put: Callable[..., None]) -> None:
    put("a", ["x"])
    put("b", ["y"])
    with store.read() as conn:
        tokens = dict(conn.execute("SELECT generation, token FROM commits").fetchall())
    assert sorted(tokens) == [0, 1, 2] and len(set(tokens.values())) == 3
