from __future__ import annotations

from collections.abc import Callable

from embedrag.index import Store


def test_a_fresh_collection_checks_clean(store: Store, put: Callable[..., None]) -> None:
    put("a", ["apples and pears"])
    report = store.check()
    assert report.ok
    assert report.problems == []


def test_postings_that_disagree_with_the_text_are_found_and_rewritten(store: Store, put: Callable[..., None]) -> None:
    put("a", ["apples and pears"])
    with store.write() as w:
        w._conn.execute("DELETE FROM postings WHERE tf = 1 AND term_id = (SELECT MIN(term_id) FROM postings)")
    assert "disagree" in store.check().problems[0]
    assert store.check(repair=True).repaired
    assert store.check().problems == []


def test_orphan_chunks_are_found_and_deleted(store: Store, put: Callable[..., None]) -> None:
    put("a", ["apples"])
    with store.write() as w:
        w._conn.execute("DELETE FROM documents")
    assert "belong to no document" in store.check().problems[0]
    store.check(repair=True)
    assert store.check().ok
    assert store.stats().chunks == 0


def test_vectors_of_the_wrong_size_mark_the_document_for_reingest(store: Store, put: Callable[..., None]) -> None:
    put("a", ["apples"])
    with store.write() as w:
        w._conn.execute("UPDATE chunks SET vector = zeroblob(3)")
    assert "not 8 float32" in store.check().problems[0]
    store.check(repair=True)
    assert store.document_hash("a") == ""
