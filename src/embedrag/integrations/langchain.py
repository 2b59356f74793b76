"""LangChain over embedrag: :class:`EmbedragEmbeddings` (an ``Embeddings``) and :class:`EmbedragVectorStore`
(a ``VectorStore`` over a :class:`~embedrag.collection.Collection`). Needs ``embedrag[langchain]``.

One LangChain ``Document`` is one collection document: its ``id`` is the document id, its ``metadata``
the document's metadata (``metadata["source"]``, when a string, is also its source). The collection
chunks a text longer than one chunk as it chunks any document, so:

- a search returns each matching document once, as the passage (chunk) that matched best, with the
  document's id and metadata; for a text that fits one chunk the passage is the text itself;
- :meth:`EmbedragVectorStore.get_by_ids` returns whole documents, their chunks joined again;
- :meth:`EmbedragVectorStore.delete` deletes whole documents.

Surrounding whitespace is not kept (chunks start and end at tokens). Adding a document whose id is
stored replaces it, and the same text may be stored under several ids (see :meth:`Collection.put`).
The store embeds with its collection's model, so its vectors and its queries are always of one space.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embedrag._optional import require

require("langchain_core", extra="langchain", purpose="embedrag.integrations.langchain")

from langchain_core.documents import Document as LCDocument  # noqa: E402
from langchain_core.embeddings import Embeddings  # noqa: E402
from langchain_core.vectorstores import VectorStore  # noqa: E402
from langchain_core.vectorstores.utils import maximal_marginal_relevance  # noqa: E402

from embedrag.collection import Collection, FilterSpec, StoredChunk  # noqa: E402
from embedrag.embed import Embedder  # noqa: E402
from embedrag.errors import ConfigError, InputError  # noqa: E402
from embedrag.integrations._shared import joined, no_options, one_per_document  # noqa: E402
from embedrag.types import Document, Hit  # noqa: E402

__all__ = ["EmbedragEmbeddings", "EmbedragVectorStore"]


class EmbedragEmbeddings(Embeddings):
    """LangChain ``Embeddings`` from an :class:`Embedder` (or a model name or folder to load one).

    The async variants (``aembed_documents``, ``aembed_query``) run these in a worker thread.
    """

    def __init__(self, model: Embedder | str | Path | None = None) -> None:
        self.embedder = model if isinstance(model, Embedder) else Embedder(model) if model else Embedder()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order."""
        vectors: list[list[float]] = self.embedder.encode(list(texts)).tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """The vector of one query."""
        if not isinstance(text, str):
            raise InputError(f"a query must be a string, got {type(text).__name__}")
        return self.embed_documents([text])[0]


class EmbedragVectorStore(VectorStore):
    """A LangChain ``VectorStore`` over a :class:`Collection`; ``mode`` is the default search mode.

    Searches take ``filter`` (embedrag's filters: a dict such as ``{"year": {"gte": 2004}}`` or the CLI's
    expressions such as ``["year>=2004"]``) and ``mode`` (``dense``, ``bm25`` or ``hybrid``), also through
    ``as_retriever(search_kwargs={...})``; ``fusion`` and ``rerank`` as :meth:`Collection.search` takes them.
    Scores are cosine similarities in ``dense`` mode (then also the relevance scores), fused or BM25 scores
    otherwise.
    """

    def __init__(self, collection: Collection, *, mode: str = "dense") -> None:
        self.collection = collection
        self.mode = mode
        self._embeddings: EmbedragEmbeddings | None = None
        self._temporary: tempfile.TemporaryDirectory[str] | None = None

    @property
    def embeddings(self) -> EmbedragEmbeddings:
        """The collection's own encoder, as LangChain ``Embeddings``."""
        if self._embeddings is None:
            self._embeddings = EmbedragEmbeddings(self.collection.embedder)
        return self._embeddings

    def close(self) -> None:
        """Close the collection (and remove it, if :meth:`from_texts` made it in a temporary folder)."""
        self.collection.close()
        if self._temporary is not None:
            self._temporary.cleanup()

    # -- writing ---------------------------------------------------------------------------

    def add_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Store texts as documents (a new random id where none is given); returns their ids.

        A stored id is replaced. Nothing is stored when any text, metadata or id is refused.
        """
        no_options(kwargs, "add_texts")
        texts = list(texts)
        metadatas = [{} for _ in texts] if metadatas is None else list(metadatas)
        given = [None for _ in texts] if ids is None else list(ids)
        if len(metadatas) != len(texts) or len(given) != len(texts):
            raise InputError(f"{len(texts)} texts, {len(metadatas)} metadatas and {len(given)} ids: give one of each")
        new_ids = [doc_id or uuid.uuid4().hex for doc_id in given]
        documents = [_document(*row) for row in zip(new_ids, texts, metadatas, strict=True)]
        self.collection.put(documents)
        return new_ids

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> bool:
        """Delete these documents (unknown ids are ignored). Deleting everything (``ids=None``) is refused."""
        no_options(kwargs, "delete")
        if ids is None:
            raise InputError("delete needs the ids of the documents to delete")
        self.collection.delete(ids)
        return True

    # -- reading ---------------------------------------------------------------------------

    def get_by_ids(self, ids: Sequence[str], /) -> list[LCDocument]:
        """The stored documents of these ids, whole, in the order given; unknown ids are left out."""
        by_doc: dict[str, list[StoredChunk]] = {}
        for chunk in self.collection.chunks_of(list(ids)):
            by_doc.setdefault(chunk.doc_id, []).append(chunk)
        return [
            LCDocument(id=doc_id, page_content=joined(chunks), metadata=chunks[0].metadata)
            for doc_id, chunks in by_doc.items()
        ]

    def similarity_search(
        self, query: str, k: int = 4, filter: FilterSpec | None = None, **kwargs: Any
    ) -> list[LCDocument]:
        """The ``k`` documents best matching ``query``, best first."""
        return [doc for doc, _ in self.similarity_search_with_score(query, k, filter, **kwargs)]

    def similarity_search_with_score(
        self,
        query: str,
        k: int = 4,
        filter: FilterSpec | None = None,
        *,
        mode: str | None = None,
        fusion: str = "adaptive",
        rerank: str | None = None,
        **kwargs: Any,
    ) -> list[tuple[LCDocument, float]]:
        """The ``k`` documents best matching ``query`` with their scores, best first."""
        no_options(kwargs, "similarity_search")
        mode = mode or self.mode
        hits = one_per_document(
            lambda n: self.collection.search(query, k=n, mode=mode, filters=filter, fusion=fusion, rerank=rerank), k
        )
        return [(_lc_document(hit), hit.score) for hit in hits]

    def similarity_search_by_vector(
        self, embedding: list[float], k: int = 4, filter: FilterSpec | None = None, **kwargs: Any
    ) -> list[LCDocument]:
        """The ``k`` documents nearest a query vector of the collection's space, best first."""
        no_options(kwargs, "similarity_search_by_vector")
        return [_lc_document(hit) for hit in self._nearest(embedding, k, filter)]

    def _select_relevance_score_fn(self) -> Callable[[float], float]:
        return _cosine  # dense scores are cosine similarities already

    def _similarity_search_with_relevance_scores(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[LCDocument, float]]:
        if (kwargs.get("mode") or self.mode) != "dense":
            raise InputError("relevance scores are cosine similarities: they need mode='dense'")
        return super()._similarity_search_with_relevance_scores(query, k, **kwargs)

    def max_marginal_relevance_search(
        self,
        query: str,
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: FilterSpec | None = None,
        **kwargs: Any,
    ) -> list[LCDocument]:
        """``k`` documents relevant to ``query`` and unlike each other, picked among the ``fetch_k`` nearest."""
        no_options(kwargs, "max_marginal_relevance_search")
        vector = self.embeddings.embed_query(query)
        return self.max_marginal_relevance_search_by_vector(vector, k, fetch_k, lambda_mult, filter)

    def max_marginal_relevance_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: FilterSpec | None = None,
        **kwargs: Any,
    ) -> list[LCDocument]:
        """:meth:`max_marginal_relevance_search` for a query vector of the collection's space."""
        no_options(kwargs, "max_marginal_relevance_search_by_vector")
        if not 0.0 <= lambda_mult <= 1.0:
            raise InputError(f"lambda_mult must be between 0 and 1, got {lambda_mult}")
        hits = self._nearest(embedding, max(fetch_k, k), filter)
        if not hits:
            return []
        stored = {c.id: c.vector for c in self.collection.chunks_of([h.doc_id for h in hits], with_vectors=True)}
        vectors = [stored[hit.id] for hit in hits]
        picked = maximal_marginal_relevance(np.array(embedding, np.float32), vectors, lambda_mult, k)  # type: ignore[arg-type]
        return [_lc_document(hits[i]) for i in picked]

    def _nearest(self, vector: Sequence[float], k: int, filters: FilterSpec | None) -> list[Hit]:
        return one_per_document(lambda n: self.collection.search_by_vector(vector, k=n, filters=filters), k)

    # -- making one ------------------------------------------------------------------------

    @classmethod
    def from_texts(
        cls,
        texts: list[str],
        embedding: Embeddings,
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        path: str | Path | None = None,
        mode: str = "dense",
        **kwargs: Any,
    ) -> EmbedragVectorStore:
        """A store of ``texts`` in the collection at ``path`` (made if missing), or in a temporary one
        (removed by :meth:`close`). ``embedding`` must be :class:`EmbedragEmbeddings`: a collection
        embeds with its own model, whose vectors it can check.
        """
        no_options(kwargs, "from_texts")
        if not isinstance(embedding, EmbedragEmbeddings):
            raise ConfigError(
                f"EmbedragVectorStore embeds with its collection's model; pass EmbedragEmbeddings, "
                f"not {type(embedding).__name__}"
            )
        temporary = tempfile.TemporaryDirectory(prefix="embedrag-langchain-") if path is None else None
        root = Path(temporary.name if temporary is not None else path)  # type: ignore[arg-type]
        store = cls(Collection.open(root, embedder=embedding.embedder), mode=mode)
        store._embeddings, store._temporary = embedding, temporary
        store.add_texts(texts, metadatas, ids=ids)
        return store


def _document(doc_id: str, text: str, metadata: dict[str, Any] | None) -> Document:
    if not isinstance(text, str):
        raise InputError(f"document {doc_id!r}: the text must be a string, got {type(text).__name__}")
    metadata = dict(metadata or {})
    source = metadata.get("source")
    return Document(doc_id, text, source if isinstance(source, str) else doc_id, metadata)


def _lc_document(hit: Hit) -> LCDocument:
    return LCDocument(id=hit.doc_id, page_content=hit.text, metadata=dict(hit.metadata))


def _cosine(score: float) -> float:
    return score
