"""Collection files written by earlier formats open after an upgrade in place; newer ones are refused.

The fixtures are real files: ``format1`` was written by embedrag at d616e1e (before vector
checksums and commit tokens), ``format2`` before prompts joined the spec, ``format3`` before
token vectors (its spec names e5-style prompts), ``format4`` by today's code
(``fixtures/make_format4.py``: it keeps int8 token vectors); all hold the documents ``cats`` and
``bread`` (``stocks`` was added, then deleted), with toy 8-dimensional vectors.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import StoreError
from embedrag.index import Store, schema
from embedrag.index.retrieval import Index
from embedrag.index.schema import FORMAT_VERSION

FIXTURES = Path(__file__).parent / "fixtures"


def _copy(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def _meta(root: Path, key: str) -> str:
    conn = sqlite3.connect(root / "collection.db")
    try:
        return str(conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])
    finally:
        conn.close()


def _answers_as_before(store: Store) -> None:
    assert [d.id for d in store.documents()] == ["bread", "cats"]
    index = Index(store)
    assert index.hits(index.lexical("mice", 1))[0].doc_id == "cats"
    assert index.hits(index.dense(np.eye(8)[1], 1))[0].doc_id == "bread"
    assert store.check().ok


def test_a_format_1_collection_is_upgraded_in_place_with_a_note(tmp_path: Path) -> None:
    root = _copy("format1", tmp_path)
    with Store.open(root) as store:
        _answers_as_before(store)
        with store.write() as w:  # and it takes writes in the new format
            w.delete_documents(["bread"])
    assert _meta(root, "format_version") == str(FORMAT_VERSION)
    [note] = json.loads(_meta(root, "upgrades"))
    assert (note["from"], note["to"]) == (1, FORMAT_VERSION) and note["by"].startswith("embedrag ")


def test_a_format_2_collection_gains_empty_prompts_in_its_spec(tmp_path: Path) -> None:
    root = _copy("format2", tmp_path)
    with Store.open(root) as store:
        _answers_as_before(store)
        assert (store.spec.query_prompt, store.spec.passage_prompt) == ("", "")
    spec = json.loads(_meta(root, "spec"))
    assert (spec["query_prompt"], spec["passage_prompt"], spec["model"]) == ("", "", "toy-model")
    [note] = json.loads(_meta(root, "upgrades"))
    assert (note["from"], note["to"]) == (2, FORMAT_VERSION)


def test_a_format_3_collection_gains_a_token_vectors_table_and_keeps_none(tmp_path: Path) -> None:
    root = _copy("format3", tmp_path)
    with Store.open(root) as store:
        _answers_as_before(store)
        assert store.token_vectors == "none"
        assert store.token_vectors_of([("cats", 0)]) == {}
        store.delete_documents(["cats"])  # a delete reaches the new table
    assert _meta(root, "token_vectors") == "none"
    [note] = json.loads(_meta(root, "upgrades"))
    assert (note["from"], note["to"]) == (3, FORMAT_VERSION)


def test_the_format_4_fixture_opens_with_its_token_vectors(tmp_path: Path) -> None:
    root = _copy("format4", tmp_path)
    with Store.open(root) as store:
        _answers_as_before(store)
        assert store.token_vectors == "int8"
        values, scales = store.token_vectors_of([("cats", 0), ("bread", 0)])[("cats", 0)]
        assert values.shape == (7, 8) and values.dtype == np.int8
        np.testing.assert_allclose(values[0] * scales[0], np.eye(8)[0], atol=0.01)  # its first row is its vector


def test_todays_collection_opens_after_a_version_bump(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy("format4", tmp_path)
    ran = []

    def step(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE later (x INTEGER)")
        ran.append(True)

    monkeypatch.setattr("embedrag.index.store.FORMAT_VERSION", FORMAT_VERSION + 1)
    monkeypatch.setitem(schema.UPGRADES, FORMAT_VERSION, step)
    with Store.open(root) as store:
        _answers_as_before(store)
        assert (store.spec.query_prompt, store.spec.passage_prompt) == ("query: ", "passage: ")
    assert ran == [True]
    assert _meta(root, "format_version") == str(FORMAT_VERSION + 1)
    with Store.open(root):  # upgraded once only
        assert ran == [True]


def test_a_failed_upgrade_leaves_the_old_format_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy("format4", tmp_path)

    def step(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE later (x INTEGER)")
        raise RuntimeError("disk full, say")

    monkeypatch.setattr("embedrag.index.store.FORMAT_VERSION", FORMAT_VERSION + 1)
    monkeypatch.setitem(schema.UPGRADES, FORMAT_VERSION, step)
    with pytest.raises(RuntimeError, match="disk full"):
        Store.open(root)
    monkeypatch.undo()
    assert _meta(root, "format_version") == str(FORMAT_VERSION)
    with Store.open(root) as store:
        _answers_as_before(store)


def test_a_newer_format_is_refused_naming_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy("format4", tmp_path)
    monkeypatch.setattr("embedrag.index.store.FORMAT_VERSION", FORMAT_VERSION - 1)
    with pytest.raises(StoreError, match=rf"format version {FORMAT_VERSION} \(written by a newer embedrag\); .* up to"):
        Store.open(root)
