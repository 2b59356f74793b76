"""EmbedragEmbedding and EmbedragVectorStore with the real llama-index-core: nodes in through a
VectorStoreIndex, retrieval with filters and modes, delete by ref_doc_id, filters LlamaIndex can say
and we cannot refused by name; and llama-index-embeddings-openai-like pointed at embedrag serve."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from integration_parts import STATIC, open_collection, static_embedder
from llama_index.core import Document as LIDocument
from llama_index.core import StorageContext, VectorStoreIndex
from llama_index.core.schema import TextNode
from llama_index.core.vector_stores.types import (
    FilterCondition,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
    VectorStoreQueryMode,
)

from embedrag.collection import Collection
from embedrag.errors import InputError, MissingDependencyError
from embedrag.integrations.llamaindex import EmbedragEmbedding, EmbedragVectorStore, as_filters, node_parser

NODES = [
    ("cats", "Cats purr and chase mice.", {"kind": "animal", "year": 2001}),
    ("dogs", "Dogs bark at strangers.", {"kind": "animal", "year": 2010}),
    ("stocks", "Stock markets fell sharply today.", {"kind": "finance", "year": 2004}),
]


def _nodes() -> list[TextNode]:
    return [TextNode(id_=node_id, text=text, metadata=meta) for node_id, text, meta in NODES]


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    with open_collection(tmp_path / "c") as collection:
        yield collection


@pytest.fixture
def index(col: Collection) -> VectorStoreIndex:
    context = StorageContext.from_defaults(vector_store=EmbedragVectorStore(col))
    embedding = EmbedragEmbedding(static_embedder())
    splitter = node_parser(col)
    return VectorStoreIndex(_nodes(), storage_context=context, embed_model=embedding, transformations=[splitter])


def _ids(index: VectorStoreIndex, query: str, **options: object) -> list[str]:
    return [n.node.node_id for n in index.as_retriever(**options).retrieve(query)]


def test_embedding_is_the_embedders_vectors() -> None:
    embedding = EmbedragEmbedding(static_embedder())
    texts = [text for _, text, _ in NODES]
    assert embedding.model_name == STATIC
    assert np.allclose(embedding.get_text_embedding_batch(texts), static_embedder().encode(texts))
    assert np.allclose(embedding.get_query_embedding(texts[0]), static_embedder().encode(texts[:1])[0])


async def test_async_embedding_matches_the_sync_one() -> None:
    embedding = EmbedragEmbedding(static_embedder())
    assert await embedding.aget_query_embedding("cats") == embedding.get_query_embedding("cats")


def test_a_node_is_a_collection_document(index: VectorStoreIndex, col: Collection) -> None:
    assert [(d.id, d.source, d.metadata["kind"]) for d in col.documents()] == [
        ("cats", "cats", "animal"),
        ("dogs", "dogs", "animal"),
        ("stocks", "stocks", "finance"),
    ]
    [found] = index.as_retriever(similarity_top_k=1).retrieve("markets fell")
    assert (found.node.node_id, found.node.get_content(), found.node.metadata) == ("stocks", NODES[2][1], NODES[2][2])


def test_retrieval_takes_metadata_filters(index: VectorStoreIndex) -> None:
    before_2005 = MetadataFilters(filters=[MetadataFilter(key="year", value=2005, operator="<")])
    assert sorted(_ids(index, "animals", similarity_top_k=3, filters=before_2005)) == ["cats", "stocks"]
    animal_after_2005 = MetadataFilters(
        filters=[
            MetadataFilter(key="kind", value="animal"),
            MetadataFilters(filters=[MetadataFilter(key="year", value=[2010, 2011], operator="in")]),
        ]
    )
    assert _ids(index, "pets", similarity_top_k=3, filters=animal_after_2005) == ["dogs"]


def test_query_modes_map_to_ours(col: Collection, index: VectorStoreIndex) -> None:
    store = EmbedragVectorStore(col)
    text = VectorStoreQuery(query_str="strangers", similarity_top_k=1, mode=VectorStoreQueryMode.TEXT_SEARCH)
    assert store.query(text).ids == ["dogs"]
    hybrid = VectorStoreQuery(query_str="markets fell", similarity_top_k=1, mode=VectorStoreQueryMode.HYBRID)
    assert store.query(hybrid).ids == ["stocks"]
    vector = static_embedder().encode(["Cats purr and chase mice."])[0].tolist()
    by_vector = store.query(VectorStoreQuery(query_embedding=vector, similarity_top_k=1))
    assert by_vector.ids == ["cats"] and by_vector.similarities == [pytest.approx(1.0, abs=1e-5)]


def test_doc_and_node_ids_restrict_a_query(col: Collection, index: VectorStoreIndex) -> None:
    store = EmbedragVectorStore(col)
    assert store.query(VectorStoreQuery(query_str="animals", similarity_top_k=3, node_ids=["dogs"])).ids == ["dogs"]
    assert store.query(VectorStoreQuery(query_str="animals", similarity_top_k=3, doc_ids=["cats"])).ids == ["cats"]


def test_documents_split_by_our_node_parser_fit_one_chunk_and_delete_by_ref_doc_id(col: Collection) -> None:
    long_text = " ".join(f"Sentence {i} tells how tomatoes grow in a small garden." for i in range(150))
    context = StorageContext.from_defaults(vector_store=EmbedragVectorStore(col))
    embedding = EmbedragEmbedding(static_embedder())
    documents = [LIDocument(id_="garden", text=long_text), LIDocument(id_="money", text="Stock markets fell.")]
    index = VectorStoreIndex.from_documents(
        documents, storage_context=context, embed_model=embedding, transformations=[node_parser(col)]
    )
    stored = col.documents()
    assert len([d for d in stored if d.source == "garden"]) > 2 and all(d.chunks == 1 for d in stored)
    found = index.as_retriever(similarity_top_k=1).retrieve("tomatoes")[0].node
    assert found.ref_doc_id == "garden" and found.get_content() in long_text
    index.delete_ref_doc("garden")
    assert [d.source for d in col.documents()] == ["money"]


def test_a_node_longer_than_a_chunk_comes_back_whole(tmp_path: Path) -> None:
    text = " ".join(f"word{i}" for i in range(200))
    with open_collection(tmp_path / "c", chunk_tokens=64, overlap_tokens=8) as col:
        store = EmbedragVectorStore(col)
        store.add([TextNode(id_="long", text=text)])
        assert len(col.chunks_of(["long"])) > 2
        [node] = store.query(VectorStoreQuery(query_str="word150", similarity_top_k=3, mode="text_search")).nodes
        assert node.get_content() == text
        assert store.get_nodes(["long", "missing"])[0].get_content() == text


def test_delete_nodes_and_clear(col: Collection, index: VectorStoreIndex) -> None:
    store = EmbedragVectorStore(col)
    store.delete_nodes(["cats"])
    assert [d.id for d in col.documents()] == ["dogs", "stocks"]
    store.clear()
    assert col.documents() == []


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (MetadataFilters(filters=[MetadataFilter(key="kind", value="animal", operator="!=")]), "'!=' .* not supported"),
        (MetadataFilters(filters=[MetadataFilter(key="kind", value="an", operator="text_match")]), "'text_match'"),
        (
            MetadataFilters(
                filters=[MetadataFilter(key="kind", value="animal"), MetadataFilter(key="year", value=2004)],
                condition=FilterCondition.OR,
            ),
            "condition 'or' is not supported",
        ),
        (
            MetadataFilters(filters=[MetadataFilter(key="year", value=1), MetadataFilter(key="year", value=2)]),
            "two '==' filters on 'year'",
        ),
    ],
)
def test_filters_we_cannot_express_are_refused_by_name(filters: MetadataFilters, message: str) -> None:
    with pytest.raises(InputError, match=message):
        as_filters(filters)


def test_unsupported_queries_are_refused(col: Collection, index: VectorStoreIndex) -> None:
    store = EmbedragVectorStore(col)
    with pytest.raises(InputError, match="'mmr' is not supported"):
        store.query(VectorStoreQuery(query_str="cats", mode=VectorStoreQueryMode.MMR))
    with pytest.raises(InputError, match="alpha"):
        store.query(VectorStoreQuery(query_str="cats", mode=VectorStoreQueryMode.HYBRID, alpha=0.3))
    with pytest.raises(InputError, match="needs query_str"):
        store.query(VectorStoreQuery(query_embedding=[0.0] * 64, mode=VectorStoreQueryMode.TEXT_SEARCH))
    with pytest.raises(InputError, match="filters are not supported"):
        store.get_nodes(filters=MetadataFilters(filters=[]))


def test_importing_without_the_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_index.core", None)
    monkeypatch.delitem(sys.modules, "embedrag.integrations.llamaindex")
    with pytest.raises(MissingDependencyError, match=r"embedrag.*\[llamaindex\]"):
        importlib.import_module("embedrag.integrations.llamaindex")


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    from embedrag.server import ServerSettings, serve_in_thread

    with serve_in_thread(ServerSettings(port=0, models=(STATIC,))) as url:
        yield url


def test_openai_like_embeddings_against_embedrag_serve(served: str) -> None:
    from llama_index.embeddings.openai_like import OpenAILikeEmbedding

    client = OpenAILikeEmbedding(model_name=STATIC, api_base=f"{served}/v1", api_key="unused", max_retries=0)
    texts = [text for _, text, _ in NODES]
    assert np.allclose(client.get_text_embedding_batch(texts), static_embedder().encode(texts), atol=1e-5)
    assert np.allclose(client.get_query_embedding(texts[0]), static_embedder().encode(texts[:1])[0], atol=1e-5)
