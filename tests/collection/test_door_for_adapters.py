"""What the LangChain and LlamaIndex adapters need of the door: put (a vector store's add), the chunks of
given documents, and a dense search by a vector already embedded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from embedrag.collection import Collection
from embedrag.embed import Embedder
from embedrag.errors import InputError
from embedrag.types import Document


@pytest.fixture(scope="module")
def static() -> Embedder:
    return Embedder("tokenlearn-static-64")


@pytest.fixture
def col(tmp_path: Path, static: Embedder) -> Iterator[Collection]:
    with Collection.open(tmp_path / "c", embedder=static) as collection:
        yield collection


def test_put_stores_the_same_text_under_two_ids(col: Collection) -> None:
    assert col.put([Document("a", "cats purr", "a"), Document("b", "cats purr", "b")]) == 2
    assert [d.id for d in col.documents()] == ["a", "b"]


def test_put_replaces_metadata_of_unchanged_text(col: Collection) -> None:
    col.put([Document("a", "cats purr", "a", {"v": 1})])
    col.put([Document("a", "cats purr", "a", {"v": 2})])
    assert [d.metadata for d in col.documents()] == [{"v": 2}]


def test_put_refuses_an_id_given_twice_and_stores_nothing(col: Collection) -> None:
    with pytest.raises(InputError, match="given twice: 'a'"):
        col.put([Document("a", "one", "a"), Document("b", "two", "b"), Document("a", "three", "a")])
    assert col.documents() == []


def test_put_refuses_a_document_without_text_and_stores_nothing(col: Collection) -> None:
    with pytest.raises(InputError, match="without any text to index: 'blank'"):
        col.put([Document("a", "one", "a"), Document("blank", "   ", "blank")])
    assert col.documents() == []


def test_put_with_bad_metadata_stores_nothing(col: Collection) -> None:
    with pytest.raises(InputError, match="JSON"):
        col.put([Document("a", "one", "a"), Document("b", "two", "b", {"when": object()})])
    assert col.documents() == []


def test_chunks_of_follows_the_order_given_and_skips_unknown_ids(col: Collection) -> None:
    col.put([Document("a", "apples", "a", {"k": 1}), Document("b", "bananas", "b")])
    chunks = col.chunks_of(["b", "missing", "a"], with_vectors=True)
    assert [(c.id, c.text, c.metadata) for c in chunks] == [("b#0", "bananas", {}), ("a#0", "apples", {"k": 1})]
    assert chunks[0].vector is not None and chunks[0].vector.shape == (64,)
    assert col.chunks_of(["a"])[0].vector is None


def test_chunks_of_a_long_document_come_in_position_order(tmp_path: Path, static: Embedder) -> None:
    text = " ".join(f"word{i}" for i in range(300))
    with Collection.open(tmp_path / "long", embedder=static, chunk_tokens=64, overlap_tokens=8) as col:
        col.put([Document("long", text, "long")])
        chunks = col.chunks_of(["long"])
    assert len(chunks) > 2
    assert [c.id for c in chunks] == [f"long#{i}" for i in range(len(chunks))]
    assert all(text[c.start : c.end] == c.text for c in chunks)  # type: ignore[misc]


def test_search_by_vector_finds_the_text_of_that_vector(col: Collection, static: Embedder) -> None:
    col.put([Document("cats", "cats purr and hunt mice", "cats"), Document("stocks", "stock markets fell", "s")])
    vector = static.encode(["stock markets fell"])[0]
    assert [h.doc_id for h in col.search_by_vector(vector, k=1)] == ["stocks"]
    assert [h.doc_id for h in col.search_by_vector(vector, k=2, filters={"doc_id": "cats"})] == ["cats"]


def test_search_by_vector_refuses_a_vector_of_another_width(col: Collection) -> None:
    col.put([Document("a", "apples", "a")])
    with pytest.raises(InputError, match="3 dims, the collection has 64"):
        col.search_by_vector(np.ones(3, np.float32), k=1)


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_a_query_the_model_embeds_as_zero_is_an_error_not_arbitrary_hits(col: Collection, mode: str) -> None:
    # The static model drops a zero-width space: its vector was zero and every chunk scored 0.0.
    col.put([Document("a", "apples", "a"), Document("b", "pears", "b")])
    with pytest.raises(InputError, match="nothing tokenlearn-static-64 can read"):
        col.search("\u200b", k=1, mode=mode)


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_a_query_with_no_word_pieces_is_an_error_not_arbitrary_hits(tmp_path: Path, mode: str) -> None:
    # MiniLM reads "\u200b\x00" as no word piece at all: [CLS] [SEP] alone ranked every chunk.
    with Collection.open(tmp_path / "m", model="all-MiniLM-L6-v2") as minilm:
        minilm.put([Document("a", "apples are red", "a"), Document("b", "pears are green", "b")])
        with pytest.raises(InputError, match="nothing all-MiniLM-L6-v2 can read"):
            minilm.search("\u200b\x00", k=2, mode=mode)
        assert minilm.search("\u200b\x00", k=2, mode="bm25") == []
