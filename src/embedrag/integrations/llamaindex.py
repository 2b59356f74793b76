"""LlamaIndex over embedrag: :class:`EmbedragEmbedding` (a ``BaseEmbedding``) and :class:`EmbedragVectorStore`
(a ``BasePydanticVectorStore`` over a :class:`~embedrag.collection.Collection`). Needs ``embedrag[llamaindex]``.

One node is one collection document: its id is the node id, its source the node's ``ref_doc_id`` (the
document LlamaIndex split it from), its metadata the node's metadata, plus ``_node_content`` and
``_node_type`` (the node itself as JSON, without its text, as LlamaIndex's own stores keep it). The
collection embeds the node's text with its own model, so stored vectors and queries are always of one
space: embeddings LlamaIndex computed for the nodes are not used, and a query is embedded from its
text (``is_embedding_query`` is False, so a retriever does not embed it first). A node longer than one
chunk is chunked; a query returns each node once, whole, scored by its best chunk.

``MetadataFilters`` become embedrag's filters: ``==``, ``>``, ``>=``, ``<``, ``<=`` and ``in``, joined by
``and``. Any other operator or condition is an :class:`~embedrag.errors.InputError` naming it, never
ignored. Query modes: ``default`` (dense), ``hybrid`` and ``text_search`` (BM25).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from embedrag._optional import require

require("llama_index.core", extra="llamaindex", purpose="embedrag.integrations.llamaindex")

from llama_index.core.bridge.pydantic import PrivateAttr  # noqa: E402
from llama_index.core.embeddings import BaseEmbedding  # noqa: E402
from llama_index.core.node_parser import SentenceSplitter  # noqa: E402
from llama_index.core.schema import BaseNode, MetadataMode  # noqa: E402
from llama_index.core.vector_stores.types import (  # noqa: E402
    BasePydanticVectorStore,
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
    VectorStoreQueryMode,
    VectorStoreQueryResult,
)
from llama_index.core.vector_stores.utils import metadata_dict_to_node  # noqa: E402

from embedrag.collection import Collection, StoredChunk  # noqa: E402
from embedrag.embed import Embedder  # noqa: E402
from embedrag.errors import InputError  # noqa: E402
from embedrag.integrations._shared import joined, no_options, one_per_document  # noqa: E402
from embedrag.types import Document  # noqa: E402

__all__ = ["MODES", "OPERATORS", "EmbedragEmbedding", "EmbedragVectorStore", "as_filters", "node_parser"]

NODE_KEYS = ("_node_content", "_node_type")
"""Metadata keys that hold the node itself (LlamaIndex's names), besides the node's own metadata."""

OPERATORS: dict[FilterOperator, str] = {
    FilterOperator.EQ: "eq",
    FilterOperator.GT: "gt",
    FilterOperator.GTE: "gte",
    FilterOperator.LT: "lt",
    FilterOperator.LTE: "lte",
    FilterOperator.IN: "in",
}
"""LlamaIndex filter operators -> embedrag's (see :mod:`embedrag.index.filters`); the others are refused."""

MODES: dict[VectorStoreQueryMode, str] = {
    VectorStoreQueryMode.DEFAULT: "dense",
    VectorStoreQueryMode.HYBRID: "hybrid",
    VectorStoreQueryMode.TEXT_SEARCH: "bm25",
}
"""LlamaIndex query modes -> embedrag's search modes; the others are refused."""


class EmbedragEmbedding(BaseEmbedding):
    """LlamaIndex ``BaseEmbedding`` from an :class:`Embedder` (or a model name or folder to load one)."""

    _embedder: Embedder = PrivateAttr()

    def __init__(self, model: Embedder | str | Path | None = None, *, embed_batch_size: int = 256) -> None:
        embedder = model if isinstance(model, Embedder) else Embedder(model) if model else Embedder()
        super().__init__(model_name=embedder.name, embed_batch_size=embed_batch_size)
        self._embedder = embedder

    @classmethod
    def class_name(cls) -> str:
        return "EmbedragEmbedding"

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embeddings([query])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = self._embedder.encode(list(texts)).tolist()
        return vectors


class EmbedragVectorStore(BasePydanticVectorStore):
    """A LlamaIndex vector store over a :class:`Collection` (see the module's docstring for the mapping)."""

    stores_text: bool = True
    is_embedding_query: bool = False
    flat_metadata: bool = False
    _collection: Collection = PrivateAttr()

    def __init__(self, collection: Collection) -> None:
        super().__init__(stores_text=True)
        self._collection = collection

    @classmethod
    def class_name(cls) -> str:
        return "EmbedragVectorStore"

    @property
    def client(self) -> Collection:
        """The collection."""
        return self._collection

    def add(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[str]:
        """Store nodes (each replacing a stored one of its id) in one transaction; returns their ids."""
        no_options(kwargs, "add")
        self._collection.put([_document(node) for node in nodes])
        return [node.node_id for node in nodes]

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Delete every node split from the document ``ref_doc_id``."""
        no_options(delete_kwargs, "delete")
        self._collection.delete([d.id for d in self._collection.documents() if d.source == ref_doc_id])

    def delete_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **delete_kwargs: Any
    ) -> None:
        """Delete nodes by id (deleting by filters is refused)."""
        no_options(delete_kwargs, "delete_nodes")
        if filters is not None or node_ids is None:
            raise InputError("delete_nodes takes node ids; filters are not supported")
        self._collection.delete(node_ids)

    def clear(self) -> None:
        """Delete every node."""
        self._collection.delete([d.id for d in self._collection.documents()])

    def get_nodes(self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None) -> list[BaseNode]:
        """The stored nodes of these ids, whole, in the order given; unknown ids are left out."""
        if filters is not None or node_ids is None:
            raise InputError("get_nodes takes node ids; filters are not supported")
        return self._nodes(node_ids)

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """The ``similarity_top_k`` nodes best matching the query's text (or, without text, its embedding)."""
        no_options(kwargs, "query")
        mode = MODES.get(query.mode)
        if mode is None:
            raise InputError(f"query mode {query.mode.value!r} is not supported; use one of {_names(MODES)}")
        if query.alpha is not None:
            raise InputError("alpha is not supported: embedrag fuses hybrid results by itself (fusion='adaptive')")
        filters = as_filters(query.filters)
        # An empty list restricts nothing: VectorStoreIndex passes its (empty) node list for stores that keep text.
        if query.doc_ids:
            filters["source"] = {"in": list(query.doc_ids)}
        if query.node_ids:
            filters["doc_id"] = {"in": list(query.node_ids)}
        k = query.similarity_top_k
        if query.query_str:
            text = query.query_str
            hits = one_per_document(lambda n: self._collection.search(text, k=n, mode=mode, filters=filters), k)
        elif query.query_embedding is not None and mode == "dense":
            vector = query.query_embedding
            hits = one_per_document(lambda n: self._collection.search_by_vector(vector, k=n, filters=filters), k)
        else:
            raise InputError(f"a {mode} query needs query_str" + (" or query_embedding" if mode == "dense" else ""))
        nodes = {node.node_id: node for node in self._nodes([hit.doc_id for hit in hits])}
        return VectorStoreQueryResult(
            nodes=[nodes[hit.doc_id] for hit in hits],
            similarities=[hit.score for hit in hits],
            ids=[hit.doc_id for hit in hits],
        )

    def _nodes(self, node_ids: Sequence[str]) -> list[BaseNode]:
        by_node: dict[str, list[StoredChunk]] = {}
        for chunk in self._collection.chunks_of(list(node_ids)):
            by_node.setdefault(chunk.doc_id, []).append(chunk)
        return [metadata_dict_to_node(chunks[0].metadata, text=joined(chunks)) for chunks in by_node.values()]


def node_parser(collection: Collection) -> SentenceSplitter:
    """LlamaIndex's ``SentenceSplitter`` sized to the collection's chunks, in its model's tokens.

    Each node then fits one chunk, so a query returns just the passage that matched; and LlamaIndex's
    default splitter, which counts in tiktoken's cl100k (a file it may have to download), is not needed.
    """
    return SentenceSplitter(
        chunk_size=collection.chunk_tokens,
        chunk_overlap=collection.overlap_tokens,
        tokenizer=collection.tokenizer.encode,
    )


def as_filters(filters: MetadataFilters | None) -> dict[str, Any]:
    """LlamaIndex ``MetadataFilters`` as embedrag's filters; what these cannot say is an :class:`InputError`.

    >>> f = MetadataFilters(filters=[MetadataFilter(key="year", value=2004, operator=">="),
    ...                              MetadataFilter(key="kind", value="news")])
    >>> as_filters(f)
    {'year': {'gte': 2004}, 'kind': {'eq': 'news'}}
    """
    out: dict[str, dict[str, Any]] = {}
    for item in _and_ed(filters) if filters is not None else []:
        op = OPERATORS.get(item.operator)
        if op is None:
            raise InputError(
                f"filter operator {item.operator.value!r} (on {item.key!r}) is not supported; "
                f"use one of {_names(OPERATORS)}"
            )
        ops = out.setdefault(item.key, {})
        if op in ops:
            raise InputError(f"two {item.operator.value!r} filters on {item.key!r}: give one")
        ops[op] = item.value
    return out


def _and_ed(filters: MetadataFilters) -> list[MetadataFilter]:
    """The filters of ``filters``, nested ``and`` groups flattened; ``or`` and ``not`` are refused."""
    condition = filters.condition or FilterCondition.AND
    if condition == FilterCondition.NOT or (condition != FilterCondition.AND and len(filters.filters) > 1):
        raise InputError(f"filter condition {condition.value!r} is not supported: embedrag's filters are and-ed")
    out: list[MetadataFilter] = []
    for item in filters.filters:
        out += _and_ed(item) if isinstance(item, MetadataFilters) else [item]
    return out


def _names(table: dict[Any, str]) -> str:
    return ", ".join(repr(key.value) for key in table)


def _document(node: BaseNode) -> Document:
    """A node as a collection document: its text, its metadata and the node itself as JSON (without text)."""
    text = node.get_content(metadata_mode=MetadataMode.NONE)
    dumped = node.model_dump(mode="json")
    dumped["text"], dumped["embedding"] = "", None
    dumped.pop("text_resource", None)
    metadata = {**node.metadata, "_node_content": json.dumps(dumped, ensure_ascii=False)}
    metadata["_node_type"] = node.class_name()
    return Document(node.node_id, text, node.ref_doc_id or node.node_id, metadata)
