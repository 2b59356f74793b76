"""The BM25 postings file is derived from one exact database: restored, damaged or stale, it never answers wrongly."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from conftest import restore_database
from embedrag.errors import IndexRebuiltWarning
from embedrag.index import Store
from embedrag.index.bm25 import CorpusStats
from embedrag.index.derived import UnreadableFile, open_arrays, verify_arrays, write_arrays
from embedrag.index.lexical import POSTINGS_FILE, LexicalIndex
from embedrag.index.retrieval import Index
from embedrag.types import EmbeddingSpec

Make = Callable[..., tuple]
WORDS = ["apple", "banana", "cherry", "date", "elder", "fig", "grape", "honey", "iris", "juniper", "kiwi", "lemon"]
QUERIES = ["apple fig", "banana", "cherry grape kiwi", "mango lemon apple", "honey", "nothing here"]


def _fill(store: Store, make: Make, prefix: str, docs: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    with store.write() as w:
        for d in range(docs):
            paragraphs = [" ".join(rng.choice(WORDS, int(rng.integers(2, 9)))) for _ in range(3)]
            w.put_document(*make(f"{prefix}{d}", paragraphs))


def _from_database(store: Store) -> list[list[tuple[int, float]]]:
    """The answers of an index that never saw the file: what the database alone says."""
    index = LexicalIndex(store)
    index._loaded = True  # skip the file: read every posting from SQLite
    return [index.search(q, k=10) for q in QUERIES]


def _answers(index: LexicalIndex) -> list[list[tuple[int, float]]]:
    return [index.search(q, k=10) for q in QUERIES]


def _identity(root: Path) -> tuple[int, int]:
    stat = (root / POSTINGS_FILE).stat()
    return stat.st_ino, stat.st_mtime_ns


@pytest.fixture
def saved(tmp_path: Path, spec: EmbeddingSpec, make: Make) -> Path:
    """A collection of 40 documents whose postings file a writer published."""
    root = tmp_path / "col"
    with Store.open(root, spec=spec, create=True) as store:
        _fill(store, make, "a", 40)
        Index(store).prepare()
    assert (root / POSTINGS_FILE).exists()
    return root


def test_answers_are_identical_with_and_without_the_file(saved: Path) -> None:
    with Store.open(saved) as store:
        mapped = LexicalIndex(store)
        answers = _answers(mapped)
        assert mapped.problem is None and isinstance(mapped._segments[0].cols, np.memmap)
        assert answers == _from_database(store)
        assert any(answers)


def test_a_stale_file_is_caught_up_by_a_reader_that_does_not_write_it(saved: Path, make: Make) -> None:
    before = _identity(saved)
    with Store.open(saved) as store:
        _fill(store, make, "b", 5, seed=1)
        store.delete_documents(["a3", "a7"])
        _fill(store, make, "a", 2, seed=2)  # a0 and a1 replaced: new chunk ids, old ones dead
        reader = Index(store)
        hits = reader.lexical("apple banana", k=50)
        assert reader._lexical.problem is None  # the file was used, then caught up
        assert reader._lexical.generation == store.generation()
        assert _answers(reader._lexical) == _from_database(store)
        assert {c for c, _ in hits} <= set(reader._lexical.chunk_ids[reader._lexical._alive_columns].tolist())
        reader.save()  # what Collection.close() does in a reader
    assert _identity(saved) == before


def test_a_writer_republishes_a_file_that_lags_many_changes(saved: Path, make: Make) -> None:
    with Store.open(saved) as store:
        _fill(store, make, "c", 400, seed=3)  # 1,200 chunks: more than SAVE_AFTER_CHANGES
        writer = Index(store)
        writer.prepare()
        opened = open_arrays(saved / POSTINGS_FILE, "bm25-postings")
        assert opened.meta["generation"] == store.generation()
        assert _answers(LexicalIndex(store)) == _from_database(store)


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage"])
def test_a_damaged_file_is_detected_and_never_trusted(saved: Path, damage: str) -> None:
    path = saved / POSTINGS_FILE
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-len(data) // 5] ^= 0x04  # inside the postings' bytes, under a valid header
    elif damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data = bytearray(b"x" * len(data))
    path.write_bytes(bytes(data))
    with pytest.raises(UnreadableFile, match="damaged"):
        open_arrays(path, "bm25-postings")
    with Store.open(saved) as store:
        expected = _from_database(store)
        reader = LexicalIndex(store)
        with pytest.warns(IndexRebuiltWarning, match="damaged"):
            assert _answers(reader) == expected
        assert path.read_bytes() == bytes(data)  # a reader leaves it alone ...
        Index(store).prepare()  # ... a writer rebuilds and publishes it
        again = LexicalIndex(store)
        assert _answers(again) == expected and again.problem is None


def test_a_restored_database_beside_a_newer_file_rebuilds_it(tmp_path: Path, spec: EmbeddingSpec, make: Make) -> None:
    root = tmp_path / "col"
    with Store.open(root, spec=spec, create=True) as store:
        _fill(store, make, "old", 10)
    backup = tmp_path / "backup.db"
    shutil.copy(root / "collection.db", backup)  # closed cleanly: the WAL is checkpointed
    with Store.open(root) as store:
        _fill(store, make, "newer", 10, seed=4)
        Index(store).prepare()
    restore_database(backup, root)
    with Store.open(root) as store:
        _fill(store, make, "other", 10, seed=5)  # the same generation and chunk ids, other texts
        reader = LexicalIndex(store)
        with pytest.warns(IndexRebuiltWarning, match="another copy of the database"):
            assert _answers(reader) == _from_database(store)


def test_a_file_written_for_another_kind_is_not_read_as_postings(saved: Path) -> None:
    write_arrays(saved / POSTINGS_FILE, "faiss-hnsw", {"generation": 1, "token": "x"}, {"a": np.arange(3)})
    with Store.open(saved) as store, pytest.warns(IndexRebuiltWarning, match="expected bm25-postings"):
        assert _answers(LexicalIndex(store)) == _from_database(store)


def test_the_checksum_covers_every_byte(saved: Path) -> None:
    opened = open_arrays(saved / POSTINGS_FILE, "bm25-postings")
    assert verify_arrays(opened) is None
    tampered = {**opened.meta, "arrays": {**opened.meta["arrays"]}}
    tampered["arrays"]["s0.tf"] = {**tampered["arrays"]["s0.tf"], "sha256": "0" * 64}
    assert "s0.tf does not match" in str(verify_arrays(type(opened)(opened.path, tampered, opened.arrays)))


def test_scoring_with_the_statistics_of_two_halves_equals_scoring_the_whole(
    tmp_path: Path, spec: EmbeddingSpec, make: Make
) -> None:
    """The hook a sharded collection uses: statistics passed in as a value."""
    whole, halves = tmp_path / "whole", [tmp_path / "h0", tmp_path / "h1"]
    with Store.open(whole, spec=spec, create=True) as store:
        _fill(store, make, "d", 30)
    for i, root in enumerate(halves):
        with Store.open(root, spec=spec, create=True) as store:
            rng_docs = [d for d in range(30) if d % 2 == i]
            _fill(store, make, "d", 30)
            store.delete_documents([f"d{d}" for d in range(30) if d not in rng_docs])
    with Store.open(whole) as w, Store.open(halves[0]) as h0, Store.open(halves[1]) as h1:
        parts = [LexicalIndex(h0), LexicalIndex(h1)]
        for query in QUERIES[:4]:
            terms = w.analyzer.terms(query)
            stats = CorpusStats.merged(p.corpus_stats(terms) for p in parts)
            assert stats == LexicalIndex(w).corpus_stats(terms)
            sharded = sorted((s for p in parts for s in p.search(query, k=100, stats=stats)), key=lambda x: -x[1])
            assert [round(s, 6) for _, s in sharded] == [round(s, 6) for _, s in LexicalIndex(w).search(query, k=100)]


def test_check_finds_a_damaged_file_and_repair_rebuilds_it(saved: Path) -> None:
    path = saved / POSTINGS_FILE
    data = bytearray(path.read_bytes())
    data[-100] ^= 0x01
    path.write_bytes(bytes(data))
    with Store.open(saved) as store:
        assert store.check().ok is False
        assert any(POSTINGS_FILE in p and "damaged" in p for p in store.check().problems)
        report = store.check(repair=True)
        assert report.ok and any(POSTINGS_FILE in r for r in report.repaired)
        assert store.check().ok
        assert _answers(LexicalIndex(store)) == _from_database(store)
