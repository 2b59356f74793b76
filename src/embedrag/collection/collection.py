"""``Collection``: documents in, the right passages out. A directory holding one SQLite store."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np

from embedrag.collection.results import LLM, Answer, StoredChunk
from embedrag.collection.rows import all_chunks, checked_ids, chunks_of
from embedrag.collection.writing import put_documents, store_embedded
from embedrag.embed import Embedder
from embedrag.embed.embedder import Variant, pinned_variant
from embedrag.errors import ConfigError, InputError, ModelNotFoundError, SpecMismatchError, StoreError
from embedrag.index import CheckReport, DocumentInfo, Index, Store
from embedrag.index.bm25 import CorpusStats
from embedrag.index.filters import FilterSpec, as_filters
from embedrag.index.retrieval import check_k
from embedrag.index.schema import DB_NAME
from embedrag.index.token_vectors import Quantized
from embedrag.ingest import DEFAULT_OVERLAP_TOKENS, Skipped, load_path
from embedrag.ingest.passages import DEFAULT_PASSAGE_CONTEXT, Passages, check_passage_context
from embedrag.ingest.pipeline import IngestReport, Progress, ingest_documents
from embedrag.ingest.sync import Walk, absolute, file_of
from embedrag.ingest.walk import FileCount
from embedrag.models import DEFAULT_MODEL
from embedrag.rag.context import CONTEXT_TOKENIZER, build_context
from embedrag.rag.llm import chat
from embedrag.search.modes import CANDIDATES, MODES, Mode, Query, check_search
from embedrag.search.recommend import nearest_documents, rocchio
from embedrag.search.rerank import Reranker, StoredTokens, make_reranker
from embedrag.tokenize import Tokenizer, load_tokenizer
from embedrag.types import Document, EmbeddedDocument, EmbeddingSpec, Hit

__all__ = ["Collection", "FilterSpec", "Mode"]


class Collection:
    """A searchable set of documents: chunked, embedded, indexed for BM25 and vectors.

    >>> import tempfile
    >>> col = Collection.open(tempfile.mkdtemp())
    >>> col.add([Document("cats", "Cats purr and chase mice.", "cats"),
    ...          Document("stocks", "Stock markets fell sharply today.", "stocks")]).added
    2
    >>> [hit.doc_id for hit in col.search("what do cats hunt?", k=1)]
    ['cats']
    >>> col.close()
    """

    def __init__(
        self,
        store: Store,
        *,
        embedder: Embedder | None,
        chunk_tokens: int | None,
        overlap_tokens: int,
        hnsw_dtype: str = "f32",
        tokenizer: Tokenizer | None = None,
        exact_threshold: int | None = None,
    ):
        self._store = store
        self._index = Index(store, hnsw_dtype=hnsw_dtype, exact_threshold=exact_threshold)
        self._embedder = embedder
        self._tokenizer = tokenizer
        """The embedder's tokenizer, when the caller already has it loaded (a server sharing one)."""
        self._chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens
        self._rerankers: dict[str, Reranker] = {}

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        model: str | Path | None = None,
        variant: Literal["fp32", "int8"] = "fp32",
        embedder: Embedder | None = None,
        tokenizer: Tokenizer | None = None,
        create: bool = True,
        chunk_tokens: int | None = None,
        overlap_tokens: int = DEFAULT_OVERLAP_TOKENS,
        hnsw_dtype: Literal["f32", "f16", "i8", "b1"] = "f32",
        exact_threshold: int | None = None,
        passage_context: str | None = None,
        token_vectors: bool | None = None,
    ) -> Collection:
        """Open (or create) the collection at ``path``.

        A new collection uses ``model`` (default all-MiniLM-L6-v2). An existing one
        remembers its model; passing a different one is a :class:`SpecMismatchError`.
        ``embedder`` (instead of ``model``) and its ``tokenizer`` are parts already loaded,
        shared with other collections (a server); they are checked against the stored model.
        ``chunk_tokens`` defaults to the model's limit minus its special tokens.
        ``token_vectors=True`` makes a new collection keep each chunk's token vectors (int8, about
        ``dims + 4`` bytes per word piece: see :mod:`embedrag.index.token_vectors`), so that
        ``search(rerank="late")`` reads them instead of encoding every candidate; every later ingest
        keeps them. A model without token vectors (static, CLIP) cannot; an existing collection keeps
        what it was created with (``None``: as it is).
        ``hnsw_dtype`` is what the HNSW graph (used above ``exact_threshold`` chunks, default 20,000)
        keeps per dimension: ``i8`` takes a quarter of the memory of ``f32``, ``b1`` (sign bits) a
        thirty-second; both rescore their candidates in float32 (docs/scaling.md gives their recall).
        ``passage_context`` is what a new collection embeds before each chunk's text (see
        :mod:`embedrag.ingest.passages`; default ``title-headings``); an existing one keeps its own.
        """
        root = Path(path)
        if embedder is not None and model is not None:
            raise ConfigError("pass model= or an already loaded embedder=, not both")
        context = passage_context or DEFAULT_PASSAGE_CONTEXT
        if embedder is not None:  # shared parts: create with them, but never finish an interrupted creation
            store = Store.open(
                root,
                spec=_new_spec(embedder, context) if create else None,
                create=create,
                token_vectors=_kept(token_vectors, embedder),
            )
            try:
                store.check_spec(embedder.spec)
            except SpecMismatchError:
                store.close()
                raise
        elif not cls.exists(root):
            embedder = Embedder(model or DEFAULT_MODEL, variant=variant)
            store = Store.open(
                root, spec=_new_spec(embedder, context), create=create, token_vectors=_kept(token_vectors, embedder)
            )
        else:
            store = Store.open(root, create=create)
            if model is not None:  # checked against what the collection was written with
                try:
                    embedder = Embedder(model, variant=_variant_for(variant, store.spec))
                    store.check_spec(embedder.spec)
                except BaseException:
                    store.close()
                    raise
        if passage_context is not None and store.spec.passage_context != passage_context:
            store.close()
            raise ConfigError(
                f"{root} embeds its passages with passage_context {store.spec.passage_context!r}, not "
                f"{passage_context!r}: a collection keeps the one it was created with"
            )
        if token_vectors is not None and (store.token_vectors != "none") != token_vectors:
            store.close()
            kept = "keeps" if store.token_vectors != "none" else "was created without"
            raise ConfigError(f"{root} {kept} token vectors: a collection keeps what it was created with")
        return cls(
            store,
            embedder=embedder,
            tokenizer=tokenizer,
            chunk_tokens=chunk_tokens,
            overlap_tokens=overlap_tokens,
            hnsw_dtype=hnsw_dtype,
            exact_threshold=exact_threshold,
        )

    @staticmethod
    def exists(path: str | Path) -> bool:
        """Whether a collection lives at ``path`` (its database file is there)."""
        return (Path(path) / DB_NAME).is_file()

    @staticmethod
    def embedder_for(path: str | Path, embedders: Iterable[Embedder]) -> Embedder | None:
        """The first of ``embedders`` that encodes into the space of the collection at ``path``, if any.

        A server opens its collections with the encoder it already serves, when one fits.
        """
        with Store.open(Path(path)) as store:
            for embedder in embedders:
                try:
                    store.check_spec(embedder.spec)
                except SpecMismatchError:
                    continue
                return embedder
        return None

    @property
    def path(self) -> Path:
        """The collection's directory."""
        return Path(self._store.root)

    def close(self, *, save: bool = True) -> None:
        """Save derived files (the HNSW graph) and close the database.

        ``save=False`` closes without publishing them: before deleting the collection, or in a
        checker that must leave the files as it found them.
        """
        if save:
            self._index.save()
        self._store.close()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def embedder(self) -> Embedder:
        """The encoder the collection was built with, loaded on first use."""
        if self._embedder is None:
            spec = self._store.spec
            try:
                # The prompts it stored, whatever the model's config says today.
                prompts = {"query": spec.query_prompt, "document": spec.passage_prompt}
                embedder = Embedder(spec.model, variant=pinned_variant(spec.variant), prompts=prompts)
            except ModelNotFoundError as exc:
                raise StoreError(
                    f"{self._store.root} was built with model {spec.model!r}, which is not available here; "
                    "pass model=<its folder>"
                ) from exc
            self._store.check_spec(embedder.spec)
            self._embedder = embedder
        return self._embedder

    @property
    def tokenizer(self) -> Tokenizer:
        """The encoder's tokenizer: chunks are sized in its word pieces."""
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(self.embedder.model_path)
        return self._tokenizer

    @property
    def chunk_tokens(self) -> int:
        usable = self._room
        if self._chunk_tokens is None:
            return usable or 256
        if usable is not None and not 8 <= self._chunk_tokens <= usable:
            raise ConfigError(f"chunk_tokens must be between 8 and {usable} for {self.embedder.name}")
        return self._chunk_tokens

    @property
    def _passages(self) -> Passages:
        """How this collection cuts documents and what it embeds for each chunk (its spec says which context)."""
        context = self._store.spec.passage_context
        return Passages(self.tokenizer, self.chunk_tokens, self.overlap_tokens, context=context, room=self._room)

    @property
    def _room(self) -> int | None:
        """Word pieces the encoder takes in one passage: its limit less special tokens and prompt."""
        limit = self.embedder.max_tokens
        return None if limit is None else limit - self.embedder.for_role("document").special_tokens

    # -- writing ---------------------------------------------------------------------------

    def add(self, documents: Iterable[Document | Skipped], *, progress: Progress | None = None) -> IngestReport:
        """Chunk, embed and store documents; unchanged ones (same content hash) are skipped.

        A collection large enough for HNSW gets its graph built or caught up here, not at the next search.
        """
        return self._add(documents, IngestReport(), progress=progress)

    def _add(
        self,
        documents: Iterable[Document | Skipped],
        report: IngestReport,
        *,
        progress: Progress | None = None,
        deferred: list[Document] | None = None,
        files: FileCount | None = None,
    ) -> IngestReport:
        self._store.require_writable()  # before loading and embedding anything
        held: list[Document] = [] if deferred is None else deferred
        run = functools.partial(
            ingest_documents,
            store=self._store,
            embedder=self.embedder.for_role("document"),
            passages=self._passages,
            report=report,
        )
        run(documents, progress=progress, deferred=held, files=files)
        if deferred is None and held:
            # Duplicates are held back to the end: a stored twin whose own text went stale there (two
            # files that swapped their texts) has been dropped, and each is stored under its own id.
            run(held)
        start = time.perf_counter()
        self._index.prepare()
        report.seconds += time.perf_counter() - start
        return report

    def ingest(
        self,
        paths: Sequence[str | Path],
        *,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        sync: bool = False,
        progress: Progress | None = None,
        **load_options: Any,
    ) -> IngestReport:
        """Load files and folders and add them. With ``sync``, delete the documents whose files
        are gone from these paths, among those the include/exclude filters select (see
        :mod:`embedrag.ingest.sync`); a sync path that does not exist is an :class:`InputError`.
        ``progress`` gets the number of files to read (counted first, by name) and how many are read.
        """
        walk = Walk.of_existing(paths, include, exclude) if sync else None
        files = FileCount.of(paths, include=include, exclude=exclude) if progress is not None else None
        items = (
            item
            for path in paths
            for item in load_path(path, include=include, exclude=exclude, files=files, **load_options)
        )
        if walk is None:
            return self._add(items, IngestReport(), progress=progress, files=files)
        # A duplicate of a document this sync removes is stored after the removal, in this run.
        duplicates: list[Document] = []
        report = self._add(walk.tracked(items), IngestReport(), progress=progress, deferred=duplicates, files=files)
        report.removed += self._sync(walk)
        if duplicates:
            self._add(duplicates, report)
        return report

    def _sync(self, walk: Walk) -> int:
        files = [(d.id, file_of(d)) for d in self._store.documents()]
        gone = [(doc_id, path) for doc_id, path in files if walk.removes(doc_id, path)]
        walk.refuse_emptied(gone)
        return self.delete([doc_id for doc_id, _ in gone]) if gone else 0

    def put(self, documents: Sequence[Document]) -> int:
        """Store ``documents`` as given, in one transaction, each replacing a stored one of its id; returns how many.

        What a vector store's ``add`` means (the LangChain and LlamaIndex adapters): unlike :meth:`add`,
        nothing is skipped, so new metadata on unchanged text is stored, and a text stored under another
        id is stored again. An id given twice, or a document without text to index, is an
        :class:`InputError` and nothing is stored.
        """
        self._store.require_writable()
        put_documents(self._store, documents, cut=self._passages.cut, embedder=self.embedder.for_role("document"))
        self._index.prepare()
        return len(documents)

    def add_embedded(
        self, documents: Sequence[EmbeddedDocument], *, spec: EmbeddingSpec, report: IngestReport | None = None
    ) -> IngestReport:
        """Store documents chunked and embedded elsewhere by an encoder of ``spec``, in one transaction.

        ``spec`` must match the collection's (:class:`SpecMismatchError` otherwise). The ingest's rules
        hold: a document whose content hash is stored under its id is left unchanged; one whose content
        is stored under another id, or whose id belongs to another file, is reported in the report's
        ``skipped`` and not stored; the others replace what their id held.
        The HNSW graph catches up at the next :meth:`prepare_index` or search.
        """
        self._store.require_writable()
        return store_embedded(self._store, documents, spec=spec, report=report or IngestReport())

    def export_parquet(self, path: str | Path) -> int:
        """Write every chunk with its vector to a Parquet file (see :mod:`embedrag.collection.parquet`); the rows."""
        from embedrag.collection.parquet import export_parquet

        return export_parquet(self, path)

    def import_parquet(self, path: str | Path) -> IngestReport:
        """Add the documents of a Parquet file, reusing its vectors when its spec matches (see the module)."""
        from embedrag.collection.parquet import import_parquet

        return import_parquet(self, path)

    def delete(self, doc_ids: Iterable[str]) -> int:
        """Delete documents by id; returns how many existed."""
        self._store.require_writable()
        return self._store.delete_documents(checked_ids(doc_ids))

    def has_document(self, doc_id: str) -> bool:
        """Whether a document with this id is stored."""
        return self._store.document_hash(checked_ids([doc_id])[0]) is not None

    def documents(self, *, under: str | Path | None = None) -> list[DocumentInfo]:
        """The stored documents (id, source, content hash, metadata, chunk count), ordered by id.

        ``under``: only those whose file lies inside this folder (or is this file).
        """
        infos = self._store.documents()
        if under is None:
            return infos
        root = absolute(under)
        return [d for d in infos if (path := file_of(d)) == root or root in path.parents]

    # -- reading ---------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: str = "hybrid",
        filters: FilterSpec | None = None,
        rerank: str | None = None,
        fusion: str = "adaptive",
        exact: bool = False,
        corpus_stats: CorpusStats | None = None,
    ) -> list[Hit]:
        """The ``k`` best chunks for ``query``.

        ``mode``: ``dense`` (vectors), ``bm25`` (words) or ``hybrid`` (both, fused with
        ``fusion``: ``adaptive`` score fusion, ``rrf`` or ``weighted``; see docs/quality.md).
        ``filters`` restrict the candidates inside the search: a dict (see :mod:`embedrag.index.filters`)
        or the CLI's expressions (``["year>=2004", "source^=docs/"]``).
        ``rerank``: ``late`` (MaxSim over token vectors) or a cross-encoder model, applied to
        the top candidates. ``corpus_stats``: BM25 scores with these statistics instead of the
        collection's own (a shard of a sharded collection, given those of all shards).
        """
        check_search(query, k, mode, fusion)
        wanted = max(k, CANDIDATES) if (mode == "hybrid" or rerank) else k
        request = Query(query, wanted, as_filters(filters), exact, fusion, corpus_stats)
        scored = MODES[mode](self._index, lambda: self.embedder.for_role("query"), request)
        hits = self._index.hits(scored[: wanted if rerank else k])
        if rerank:
            hits = self.reranker(rerank)(query, hits)
        return hits[:k]

    def search_by_vector(
        self,
        vector: Sequence[float] | np.ndarray[Any, Any],
        *,
        k: int = 10,
        filters: FilterSpec | None = None,
        exact: bool = False,
    ) -> list[Hit]:
        """The ``k`` chunks nearest ``vector`` (cosine), best first: a dense search for a query already
        embedded in the collection's space (its width is checked, its model cannot be)."""
        check_k(k)
        return self._index.hits(self._index.dense(vector, k, as_filters(filters), exact=exact))

    def corpus_stats(self, query: str) -> CorpusStats:
        """BM25's statistics for ``query``'s terms (chunks, their total length, document frequencies):
        a sharded collection adds its shards' up and searches each with the sum."""
        return self._index.corpus_stats(query)

    def reranker(self, name: str, *, kept: StoredTokens | None = None) -> Reranker:
        """The reranker ``name`` (``late`` or a cross-encoder) as ``search(rerank=name)`` applies it:
        ``late`` reads the token vectors the collection keeps, if it keeps them, and encodes the others
        as the collection embedded them (under their title and headings: its ``passage_context``).

        ``kept``: where the kept token vectors are read instead of this collection (a sharded
        collection reads each chunk's from its shard); it is used only if this collection keeps them.
        """
        if kept is None and name in self._rerankers:
            return self._rerankers[name]
        keeps = self._store.token_vectors != "none"
        passages = self._passages
        reranker = make_reranker(
            name,
            self.embedder,
            stored=(kept or self.kept_token_vectors) if keeps else None,
            passage_text=lambda hit: passages.embedded_text(hit.text, hit.metadata),
        )
        if kept is None:
            self._rerankers[name] = reranker
        return reranker

    def kept_token_vectors(self, chunks: Sequence[tuple[str, int]]) -> dict[tuple[str, int], Quantized]:
        """The token vectors this collection keeps of chunks named ``(doc_id, position)`` (none if it
        keeps none; a chunk without any, or damaged, is left out)."""
        return self._store.token_vectors_of(chunks)

    def similar(self, doc_id: str, *, k: int = 10, filters: FilterSpec | None = None) -> list[Hit]:
        """Chunks of other documents closest to document ``doc_id`` (the mean of its chunks)."""
        vector = self._index.document_vectors(checked_ids([doc_id]))[0]
        return nearest_documents(self._index, vector, k, as_filters(filters), exclude={doc_id})

    def recommend(
        self, liked: Sequence[str], disliked: Sequence[str] = (), *, k: int = 10, filters: FilterSpec | None = None
    ) -> list[Hit]:
        """Items like ``liked`` and unlike ``disliked`` (document ids), by Rocchio's formula."""
        if not liked:
            raise InputError("recommend needs at least one liked document id")
        vectors = self._index.document_vectors(checked_ids([*liked, *disliked]))
        query = rocchio(vectors[: len(liked)], vectors[len(liked) :])
        return nearest_documents(self._index, query, k, as_filters(filters), exclude={*liked, *disliked})

    def ask(
        self,
        question: str,
        *,
        k: int = 8,
        budget: int = 3000,
        llm: LLM | None = None,
        context_tokenizer: Tokenizer | None = None,
        **search: Any,
    ) -> Answer:
        """Search for ``question``, number the ``k`` best passages that fit ``budget`` tokens, build the prompt.

        ``search`` takes :meth:`search`'s other options (``mode``, ``filters``, ``rerank``, ...).
        Tokens are counted by ``context_tokenizer`` (default: GPT-4's ``cl100k_base``; pass one
        already loaded to share it). Given an ``llm`` endpoint, the answer is its reply to the prompt.
        """
        hits = self.search(question, k=k, **search)
        counter = context_tokenizer or load_tokenizer(CONTEXT_TOKENIZER)
        context = build_context(question, hits, tokenizer=counter, budget=budget)
        if llm is None:
            return Answer(context)
        return Answer(context, chat(llm.url, context.messages, model=llm.model, api_key=llm.api_key))

    def chunks(self, *, with_vectors: bool = False) -> Iterator[StoredChunk]:
        """Every stored chunk in storage order, from one snapshot; with ``with_vectors``, their embeddings."""
        return all_chunks(self._store, with_vectors=with_vectors)

    def chunks_of(self, doc_ids: Sequence[str], *, with_vectors: bool = False) -> list[StoredChunk]:
        """The chunks of these documents, document by document in the order given, each in position order.

        Unknown ids give nothing; with ``with_vectors``, the chunks' embeddings too.
        """
        return chunks_of(self._store, doc_ids, with_vectors=with_vectors)

    @property
    def spec(self) -> EmbeddingSpec:
        """What the stored vectors mean: model, dims, pooling, prompts (see :class:`EmbeddingSpec`)."""
        return self._store.spec

    def prepare_index(self) -> None:
        """Build or catch up the HNSW graph now (an ingest does it; otherwise the next dense search would)."""
        self._index.prepare()

    def stats(self) -> dict[str, Any]:
        """Counts and the embedding spec: ``documents``, ``chunks``, ``model``, ``dims``, ..."""
        stats = self._store.stats()
        spec = self._store.spec
        return {
            "documents": stats.documents,
            "chunks": stats.chunks,
            "model": spec.model,
            "dims": spec.dims,
            "variant": spec.variant,
            "max_tokens": spec.max_tokens,
            "passage_context": spec.passage_context,
            "generation": stats.generation,
            "path": str(self._store.root),
            "token_vectors": stats.token_vectors,
            "token_vector_bytes": stats.token_vector_bytes,
        }

    def check(self, *, repair: bool = False) -> CheckReport:
        """Verify the database and derived indexes; with ``repair``, fix what can be fixed."""
        return self._store.check(repair=repair)


def _new_spec(embedder: Embedder, passage_context: str) -> EmbeddingSpec:
    """The spec a new collection records: its encoder's, and what it embeds before each chunk."""
    check_passage_context(passage_context)
    return replace(embedder.spec, passage_context=passage_context)


def _kept(token_vectors: bool | None, embedder: Embedder | None) -> str:
    """What a new collection keeps of its token vectors; a model without any cannot keep them."""
    if not token_vectors:
        return "none"
    if embedder is not None and not embedder.has_token_vectors:
        raise ConfigError(
            f"'{embedder.name}' has no contextual token vectors (a static or CLIP model): "
            "a collection of it cannot keep them for late rerank"
        )
    return "int8"


def _variant_for(asked: str, stored: EmbeddingSpec) -> Variant:
    """``int8`` asked of an int8 collection means the int8 build it was written with, not this CPU's."""
    if asked == "int8" and stored.variant.startswith("int8"):
        return pinned_variant(stored.variant)
    return cast(Variant, asked)
