"""``Collection``: documents in, the right passages out. A directory holding one SQLite store."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from embedrag.collection.pipeline import IngestReport, Progress, ingest_documents
from embedrag.collection.rerank import Reranker, make_reranker
from embedrag.collection.sync import Walk
from embedrag.embed import Embedder
from embedrag.errors import ConfigError, InputError, ModelNotFoundError, StoreError, TruncationWarning
from embedrag.index import FUSION, CheckReport, DocumentInfo, Index, Store
from embedrag.index.facade import check_k
from embedrag.index.filters import Filters
from embedrag.ingest import Skipped, load_path
from embedrag.search.recommend import rocchio
from embedrag.tokenize import Tokenizer, load_tokenizer
from embedrag.tokenize.protocol import check_text
from embedrag.types import Document, Hit

__all__ = ["DEFAULT_MODEL", "Collection", "Mode"]

DEFAULT_MODEL = "all-MiniLM-L6-v2"
Mode = Literal["dense", "bm25", "hybrid"]
Scored = list[tuple[int, float]]

CANDIDATES = 50
"""Results each retriever contributes before fusion or reranking (at least ``k``)."""


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
    ):
        self.store = store
        self.index = Index(store, hnsw_dtype=hnsw_dtype)
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
        create: bool = True,
        chunk_tokens: int | None = None,
        overlap_tokens: int = 32,
        hnsw_dtype: Literal["f32", "f16", "i8"] = "f32",
    ) -> Collection:
        """Open (or create) the collection at ``path``.

        A new collection uses ``model`` (default all-MiniLM-L6-v2). An existing one
        remembers its model; passing a different one is a :class:`SpecMismatchError`.
        ``chunk_tokens`` defaults to the model's limit minus its special tokens.
        ``hnsw_dtype`` is what the HNSW graph (used above 20,000 chunks) keeps per dimension:
        ``i8`` takes a quarter of the memory of ``f32`` and rescores its candidates in float32.
        """
        root = Path(path)
        embedder = None
        if model is not None or not (root / "collection.db").exists():
            embedder = Embedder(model or DEFAULT_MODEL, variant=variant)
        store = Store.open(root, spec=embedder.spec if embedder else None, create=create)
        return cls(
            store, embedder=embedder, chunk_tokens=chunk_tokens, overlap_tokens=overlap_tokens, hnsw_dtype=hnsw_dtype
        )

    def close(self) -> None:
        """Save derived files and close the database."""
        self.index.save()
        self.store.close()

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def embedder(self) -> Embedder:
        """The encoder the collection was built with, loaded on first use."""
        if self._embedder is None:
            spec = self.store.spec
            try:
                embedder = Embedder(spec.model, variant=spec.variant)  # type: ignore[arg-type]
            except ModelNotFoundError as exc:
                raise StoreError(
                    f"{self.store.root} was built with model {spec.model!r}, which is not available here; "
                    "pass model=<its folder>"
                ) from exc
            self.store.check_spec(embedder.spec)
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
        limit = self.embedder.max_tokens
        usable = None if limit is None else limit - self.embedder.special_tokens
        if self._chunk_tokens is None:
            return usable or 256
        if usable is not None and not 8 <= self._chunk_tokens <= usable:
            raise ConfigError(f"chunk_tokens must be between 8 and {usable} for {self.embedder.name}")
        return self._chunk_tokens

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
    ) -> IngestReport:
        self.store.require_writable()  # before loading and embedding anything
        ingest_documents(
            documents,
            store=self.store,
            embedder=self.embedder,
            tokenizer=self.tokenizer,
            chunk_tokens=self.chunk_tokens,
            overlap_tokens=self.overlap_tokens,
            report=report,
            progress=progress,
            deferred=deferred,
        )
        start = time.perf_counter()
        self.index.prepare()
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
        :mod:`embedrag.collection.sync`); a sync path that does not exist is an :class:`InputError`.
        """
        walk = Walk.of_existing(paths, include, exclude) if sync else None

        items = (item for path in paths for item in load_path(path, include=include, exclude=exclude, **load_options))
        if walk is None:
            return self.add(items, progress=progress)
        # A duplicate of a document this sync removes is stored after the removal, in this run.
        duplicates: list[Document] = []
        report = self._add(walk.tracked(items), IngestReport(), progress=progress, deferred=duplicates)
        report.removed = self._sync(walk)
        if duplicates:
            self._add(duplicates, report)
        return report

    def _sync(self, walk: Walk) -> int:
        files = [(d.id, _file_of(d)) for d in self.store.documents()]
        gone = [(doc_id, path) for doc_id, path in files if walk.removes(doc_id, path)]
        walk.refuse_emptied(gone)
        return self.delete([doc_id for doc_id, _ in gone]) if gone else 0

    def delete(self, doc_ids: Iterable[str]) -> int:
        """Delete documents by id; returns how many existed."""
        self.store.require_writable()
        return self.store.delete_documents(_checked_ids(doc_ids))

    def documents(self, *, under: str | Path | None = None) -> list[DocumentInfo]:
        """The stored documents (id, source, content hash, metadata, chunk count), ordered by id.

        ``under``: only those whose file lies inside this folder (or is this file).
        """
        infos = self.store.documents()
        if under is None:
            return infos
        root = Path(under)
        return [d for d in infos if (path := _file_of(d)) == root or root in path.parents]

    # -- reading ---------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: str = "hybrid",
        filters: Filters | None = None,
        rerank: str | None = None,
        fusion: str = "adaptive",
        exact: bool = False,
    ) -> list[Hit]:
        """The ``k`` best chunks for ``query``.

        ``mode``: ``dense`` (vectors), ``bm25`` (words) or ``hybrid`` (both, fused with
        ``fusion``: ``adaptive`` score fusion, ``rrf`` or ``weighted``; see docs/quality.md).
        ``filters`` restrict the candidates inside the search (see :mod:`embedrag.index.filters`).
        ``rerank``: ``late`` (MaxSim over token vectors) or a cross-encoder model, applied to
        the top candidates.
        """
        if not isinstance(query, str) or not query.strip():
            raise InputError("the query is empty")
        check_text(query, what="the query")  # bm25 alone would drop the bad characters and find nothing
        if mode not in get_args(Mode):
            raise InputError(f"unknown mode {mode!r}; choose one of {', '.join(get_args(Mode))}")
        if fusion not in FUSION:
            raise InputError(f"unknown fusion {fusion!r}; choose one of {', '.join(FUSION)}")
        check_k(k)
        wanted = max(k, CANDIDATES) if (mode == "hybrid" or rerank) else k
        scored = MODES[mode](self, _Request(query, wanted, filters, exact, fusion))
        hits = self.index.hits(scored[: wanted if rerank else k])
        if rerank:
            hits = self._reranker(rerank)(query, hits)
        return hits[:k]

    def _reranker(self, name: str) -> Reranker:
        if name not in self._rerankers:
            self._rerankers[name] = make_reranker(name, self.embedder)
        return self._rerankers[name]

    def similar(self, doc_id: str, *, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        """Chunks of other documents closest to document ``doc_id`` (the mean of its chunks)."""
        return self._nearest(self.index.document_vectors(_checked_ids([doc_id]))[0], k, filters, exclude={doc_id})

    def recommend(
        self, liked: Sequence[str], disliked: Sequence[str] = (), *, k: int = 10, filters: Filters | None = None
    ) -> list[Hit]:
        """Items like ``liked`` and unlike ``disliked`` (document ids), by Rocchio's formula."""
        if not liked:
            raise InputError("recommend needs at least one liked document id")
        vectors = self.index.document_vectors(_checked_ids([*liked, *disliked]))
        query = rocchio(vectors[: len(liked)], vectors[len(liked) :])
        return self._nearest(query, k, filters, exclude={*liked, *disliked})

    def _nearest(self, vector: Any, k: int, filters: Filters | None, exclude: set[str]) -> list[Hit]:
        check_k(k)
        wanted = k + 16
        while True:
            hits = [h for h in self.index.hits(self.index.dense(vector, wanted, filters)) if h.doc_id not in exclude]
            best: dict[str, Hit] = {}
            for hit in hits:  # one hit per document: its best chunk
                best.setdefault(hit.doc_id, hit)
            if len(best) >= k or wanted >= self.stats()["chunks"]:
                return list(best.values())[:k]
            wanted *= 4

    def stats(self) -> dict[str, Any]:
        """Counts and the embedding spec: ``documents``, ``chunks``, ``model``, ``dims``, ..."""
        stats = self.store.stats()
        spec = self.store.spec
        return {
            "documents": stats.documents,
            "chunks": stats.chunks,
            "model": spec.model,
            "dims": spec.dims,
            "variant": spec.variant,
            "max_tokens": spec.max_tokens,
            "generation": stats.generation,
            "path": str(self.store.root),
        }

    def check(self, *, repair: bool = False) -> CheckReport:
        """Verify the database and derived indexes; with ``repair``, fix what can be fixed."""
        return self.store.check(repair=repair)


@dataclass(frozen=True)
class _Request:
    query: str
    n: int
    filters: Filters | None
    exact: bool
    fusion: str


def _dense(col: Collection, r: _Request) -> Scored:
    result = col.embedder.embed([r.query])
    if result.truncated:  # BM25 reads the whole query; the encoder only its start: say so, once per search
        warnings.warn(
            TruncationWarning(
                f"the query has {int(result.tokens[0])} word pieces; {col.embedder.name} read the first "
                f"{col.embedder.max_tokens} for dense search (BM25 reads all of it)"
            ),
            stacklevel=4,
        )
    return col.index.dense(result.vectors[0], r.n, r.filters, exact=r.exact)


def _bm25(col: Collection, r: _Request) -> Scored:
    return col.index.lexical(r.query, r.n, r.filters)


def _hybrid(col: Collection, r: _Request) -> Scored:
    fused = FUSION[r.fusion]([_dense(col, r), _bm25(col, r)])
    return [(int(chunk_id), score) for chunk_id, score in fused]  # type: ignore[call-overload]


MODES: dict[str, Callable[[Collection, _Request], Scored]] = {"dense": _dense, "bm25": _bm25, "hybrid": _hybrid}


def _checked_ids(doc_ids: Iterable[str]) -> list[str]:
    """``doc_ids`` as a list; an id that is not valid Unicode is an :class:`InputError`, not SQLite's."""
    return [check_text(doc_id, what="the document id") for doc_id in doc_ids]


def _file_of(info: DocumentInfo) -> Path:
    """The file a stored document was loaded from (its ``path`` metadata, else its source)."""
    return Path(str(info.metadata.get("path", info.source)))
