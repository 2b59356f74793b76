"""EmbedragVectorStore beyond the standard suite: how documents map to collection documents, our filters
and modes through LangChain's calls and retrievers, MMR, from_texts, and clear errors."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from integration_parts import open_collection, static_embedder
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import DeterministicFakeEmbedding

from embedrag.collection import Collection
from embedrag.errors import ConfigError, InputError, MissingDependencyError
from embedrag.integrations.langchain import EmbedragEmbeddings, EmbedragVectorStore

TEXTS = ["Cats purr and chase mice.", "Dogs bark at strangers.", "Stock markets fell sharply today."]
META = [{"kind": "animal", "year": 2001}, {"kind": "animal", "year": 2010}, {"kind": "finance", "year": 2004}]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbedragVectorStore]:
    vs = EmbedragVectorStore(open_collection(tmp_path / "c"))
    vs.add_texts(TEXTS, META, ids=["cats", "dogs", "stocks"])
    yield vs
    vs.close()


def test_embeddings_are_the_embedders_vectors() -> None:
    embeddings = EmbedragEmbeddings(static_embedder())
    expected = static_embedder().encode(TEXTS)
    assert np.allclose(embeddings.embed_documents(TEXTS), expected)
    assert np.allclose(embeddings.embed_query(TEXTS[0]), expected[0])
    assert embeddings.embed_documents([]) == []


async def test_async_embeddings_match_the_sync_ones() -> None:
    embeddings = EmbedragEmbeddings(static_embedder())
    assert await embeddings.aembed_documents(TEXTS) == embeddings.embed_documents(TEXTS)
    assert await embeddings.aembed_query("cats") == embeddings.embed_query("cats")


def test_a_langchain_document_is_a_collection_document(store: EmbedragVectorStore) -> None:
    infos = store.collection.documents()
    assert [(d.id, d.metadata) for d in infos] == [("cats", META[0]), ("dogs", META[1]), ("stocks", META[2])]


def test_metadata_source_becomes_the_documents_source(tmp_path: Path) -> None:
    with open_collection(tmp_path / "c") as col:
        EmbedragVectorStore(col).add_documents([LCDocument("Cats purr.", metadata={"source": "pets/cats.txt"})])
        assert [d.source for d in col.documents()] == ["pets/cats.txt"]


def test_a_long_text_is_chunked_found_once_and_returned_whole(tmp_path: Path) -> None:
    long_text = " ".join(f"Sentence {i} is about gardening and tomatoes." for i in range(120))
    col = open_collection(tmp_path / "c", chunk_tokens=64, overlap_tokens=8)
    store = EmbedragVectorStore(col)
    store.add_texts([long_text, "Stock markets fell."], ids=["garden", "stocks"])
    assert len(col.chunks_of(["garden"])) > 3
    found = store.similarity_search("tomatoes", k=2)
    assert [d.id for d in found] == ["garden", "stocks"]  # one result per document, though many chunks match
    assert found[0].page_content in long_text and found[0].page_content != long_text
    assert store.get_by_ids(["garden"]) == [LCDocument(id="garden", page_content=long_text, metadata={})]
    store.close()


def test_filters_and_modes_reach_the_collection(store: EmbedragVectorStore) -> None:
    assert [d.id for d in store.similarity_search("animals", k=3, filter={"kind": "finance"})] == ["stocks"]
    assert [d.id for d in store.similarity_search("animals", k=3, filter=["year>=2004"], mode="bm25")] == []
    assert [d.id for d in store.similarity_search("strangers", k=1, mode="bm25")] == ["dogs"]
    hybrid = store.similarity_search_with_score("markets fell", k=1, mode="hybrid")
    assert [d.id for d, _ in hybrid] == ["stocks"]


def test_a_retriever_takes_our_filters_and_modes(store: EmbedragVectorStore) -> None:
    retriever = store.as_retriever(search_kwargs={"k": 2, "filter": {"year": {"gte": 2004}}, "mode": "hybrid"})
    assert sorted(d.id for d in retriever.invoke("cats and dogs")) == ["dogs", "stocks"]
    mmr = store.as_retriever(search_type="mmr", search_kwargs={"k": 2, "filter": ["kind=animal"]})
    assert sorted(d.id for d in mmr.invoke("pets")) == ["cats", "dogs"]


def test_dense_scores_are_cosine_similarities(store: EmbedragVectorStore) -> None:
    vectors = static_embedder().encode([TEXTS[2], "markets"])
    [(doc, score)] = store.similarity_search_with_score("markets", k=1)
    assert doc.id == "stocks" and score == pytest.approx(float(vectors[0] @ vectors[1]), abs=1e-5)
    [(_, relevance)] = store.similarity_search_with_relevance_scores("markets", k=1)
    assert relevance == pytest.approx(score)
    with pytest.raises(InputError, match="mode='dense'"):
        store.similarity_search_with_relevance_scores("markets", k=1, mode="hybrid")


def test_search_by_vector_and_mmr(store: EmbedragVectorStore) -> None:
    vector = store.embeddings.embed_query(TEXTS[1])
    assert [d.id for d in store.similarity_search_by_vector(vector, k=1)] == ["dogs"]
    picked = store.max_marginal_relevance_search("cats", k=2, fetch_k=3, lambda_mult=0.0)
    assert picked[0].id == "cats" and len({d.id for d in picked}) == 2


def test_mmr_prefers_a_different_document_over_a_near_copy(tmp_path: Path) -> None:
    texts = ["cats purr and chase mice", "cats purr and chase mice at night", "stock markets fell"]
    with open_collection(tmp_path / "c") as col:
        store = EmbedragVectorStore(col)
        store.add_texts(texts, ids=["a", "a2", "b"])
        plain = store.similarity_search("cats purr and chase mice", k=2)
        diverse = store.max_marginal_relevance_search("cats purr and chase mice", k=2, fetch_k=3, lambda_mult=0.1)
    assert [d.id for d in plain] == ["a", "a2"]
    assert [d.id for d in diverse] == ["a", "b"]


def test_from_texts_into_a_path_keeps_the_collection(tmp_path: Path) -> None:
    embeddings = EmbedragEmbeddings(static_embedder())
    store = EmbedragVectorStore.from_texts(TEXTS, embeddings, META, ids=["c", "d", "s"], path=tmp_path / "kept")
    store.close()
    with open_collection(tmp_path / "kept") as col:
        assert [d.id for d in col.documents()] == ["c", "d", "s"]


def test_from_documents_without_a_path_uses_a_temporary_collection() -> None:
    embeddings = EmbedragEmbeddings(static_embedder())
    store = EmbedragVectorStore.from_documents([LCDocument("Cats purr.", id="cats")], embeddings)
    folder = store.collection.path
    assert folder.is_dir() and store.get_by_ids(["cats"])[0].page_content == "Cats purr."
    store.close()
    assert not folder.exists()


def test_from_texts_refuses_embeddings_of_another_library(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pass EmbedragEmbeddings, not DeterministicFakeEmbedding"):
        EmbedragVectorStore.from_texts(TEXTS, DeterministicFakeEmbedding(size=6), path=tmp_path / "c")
    assert not Collection.exists(tmp_path / "c")


def test_bad_input_is_a_clear_error_and_stores_nothing(store: EmbedragVectorStore) -> None:
    with pytest.raises(InputError, match="2 texts, 1 metadatas and 2 ids"):
        store.add_texts(["a", "b"], [{}], ids=["x", "y"])
    with pytest.raises(InputError, match="given twice"):
        store.add_texts(["a", "b"], ids=["x", "x"])
    with pytest.raises(InputError, match="without any text"):
        store.add_texts(["fine", "  "], ids=["x", "y"])
    with pytest.raises(InputError, match="JSON"):
        store.add_texts(["fine"], [{"when": object()}], ids=["x"])
    assert [d.id for d in store.collection.documents()] == ["cats", "dogs", "stocks"]


def test_unknown_options_and_delete_all_are_refused(store: EmbedragVectorStore) -> None:
    with pytest.raises(InputError, match="does not take 'where'"):
        store.similarity_search("cats", k=1, where={"kind": "animal"})
    with pytest.raises(InputError, match="needs the ids"):
        store.delete()
    with pytest.raises(InputError, match="unknown mode"):
        store.similarity_search("cats", mode="sparse")
    assert len(store.collection.documents()) == 3


def test_importing_without_the_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "langchain_core", None)
    monkeypatch.delitem(sys.modules, "embedrag.integrations.langchain")
    with pytest.raises(MissingDependencyError, match=r"embedrag.*\[langchain\]"):
        importlib.import_module("embedrag.integrations.langchain")
