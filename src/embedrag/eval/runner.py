"""Retrieval evaluation end to end: build (and cache) a collection for a BEIR corpus, run its
queries through :meth:`Collection.search`, map chunks back to corpus ids, score the rankings.

The whole pipeline is measured, not just the encoder: documents are chunked as in any
collection, and a document's score is its best chunk's. Corpus documents with the same
text are stored once by the collection; the runner ranks every copy where the stored one ranks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from embedrag._identity import content_hash
from embedrag.errors import InputError
from embedrag.eval.beir import BeirDataset, find_file, load_beir
from embedrag.eval.metrics import DEFAULT_MEASURES, evaluate_run
from embedrag.models.cache import cache_dir, hash_files
from embedrag.search.modes import Mode
from embedrag.types import Document, Hit

if TYPE_CHECKING:
    from embedrag.collection import Collection

__all__ = ["DEPTH", "MODES", "RERANK_DEPTH", "RetrievalReport", "RunSpec", "evaluate_retrieval", "open_collection"]

MODES: tuple[str, ...] = get_args(Mode)
DEPTH = 100
"""Documents ranked per query: enough for recall@100 and map@100."""
RERANK_DEPTH = 50
"""Chunks a reranker rescored per query (as :data:`embedrag.search.modes.CANDIDATES`)."""
_MARKER = "embedrag-eval.json"
Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: ``stage`` is ``index`` or a run label."""


@dataclass(frozen=True)
class RunSpec:
    """One way of searching: a mode, an optional reranker, an optional fusion method for hybrid."""

    mode: str
    rerank: str | None = None
    fusion: str | None = None

    @property
    def label(self) -> str:
        """``hybrid``, ``hybrid/weighted``, ``dense+late``: how results and timings are keyed."""
        name = self.mode if self.fusion is None else f"{self.mode}/{self.fusion}"
        return name if self.rerank is None else f"{name}+{Path(self.rerank).name}"


@dataclass
class RetrievalReport:
    """Metrics per run label, timings, and the rankings themselves (for plots)."""

    dataset: str
    split: str
    model: str
    collection: str
    documents: int
    chunks: int
    queries: int
    scored_queries: int = 0
    """Queries with at least one relevant document: the averages are over these (see :func:`evaluate_run`)."""
    unknown_documents: int = 0
    """Judged documents that are not in the corpus: each relevant one counts as a miss."""
    results: dict[str, dict[str, float]] = field(default_factory=dict)
    timing: dict[str, float] = field(default_factory=dict)
    runs: dict[str, dict[str, list[str]]] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` shape: ``{"dataset", "split", "model", ..., "results", "timing"}``."""
        return {
            "dataset": self.dataset,
            "split": self.split,
            "model": self.model,
            "collection": self.collection,
            "documents": self.documents,
            "chunks": self.chunks,
            "queries": self.queries,
            "scored_queries": self.scored_queries,
            "unknown_documents": self.unknown_documents,
            "results": {label: {m: round(v, 6) for m, v in scores.items()} for label, scores in self.results.items()},
            "timing": {key: round(v, 3) for key, v in self.timing.items()},
        }


def open_collection(
    folder: Path,
    dataset: BeirDataset,
    *,
    model: str | None = None,
    chunk_tokens: int | None = None,
    cache: Path | None = None,
    progress: Progress | None = None,
    token_vectors: bool = False,
) -> tuple[Collection, float]:
    """The collection of ``dataset``'s corpus and the seconds its ingest took.

    Built once in ``cache`` (default: ``<embedrag cache>/eval/<name>-<key>``, keyed by the corpus
    bytes, model, chunk size and whether it keeps token vectors) and reused while that key holds.
    """
    from embedrag.collection import Collection
    from embedrag.models import DEFAULT_MODEL

    model_name = model or DEFAULT_MODEL
    extra = f"{model_name}|{chunk_tokens}" + ("|token-vectors" if token_vectors else "")
    key = hash_files([find_file(folder, "corpus.jsonl")], extra=extra)[:12]
    root = cache or cache_dir("eval", f"{dataset.name}-{key}")
    marker = root / _MARKER
    # An eighth of the chunk overlaps the next, as the default 32 of 256 tokens.
    sizes: dict[str, Any] = (
        {} if chunk_tokens is None else {"chunk_tokens": chunk_tokens, "overlap_tokens": chunk_tokens // 8}
    )
    if marker.is_file():
        col = Collection.open(root, model=model, create=False, **sizes)
        return col, float(json.loads(marker.read_text())["index_seconds"])
    col = Collection.open(root, model=model, token_vectors=token_vectors or None, **sizes)
    total = len(dataset.corpus)
    docs = (Document(doc_id, doc.full_text, doc_id, doc.metadata) for doc_id, doc in dataset.corpus.items())
    report = col.add(docs, progress=(lambda done: progress("index", done.documents, total)) if progress else None)
    marker.write_text(json.dumps({"index_seconds": report.seconds, "model": model_name, "corpus_key": key}))
    return col, report.seconds


def _copies(dataset: BeirDataset) -> dict[str, list[str]]:
    """Stored id -> every corpus id with the same text (the collection keeps the first of them)."""
    first: dict[str, str] = {}
    copies: dict[str, list[str]] = {}
    for doc_id, doc in dataset.corpus.items():
        owner = first.setdefault(content_hash(doc.full_text), doc_id)
        copies.setdefault(owner, []).append(doc_id)
    return copies


def documents_of(hits: Iterable[Hit], copies: dict[str, list[str]], depth: int) -> list[str]:
    """Corpus ids in the order of their best chunk (max score per document), at most ``depth``."""
    ranked: dict[str, None] = {}
    for hit in hits:
        for doc_id in copies.get(hit.doc_id, [hit.doc_id]):
            ranked.setdefault(doc_id)
        if len(ranked) >= depth:
            break
    return list(ranked)[:depth]


def search_documents(
    col: Collection, query: str, spec: RunSpec, *, depth: int, chunks: int, documents: int
) -> list[Hit]:
    """Enough chunk hits to cover ``depth`` documents: ``depth`` times the mean chunks per
    document at first, four times more while too few documents come back."""
    wanted = min(depth * max(1, -(-chunks // max(documents, 1))), chunks)
    options: dict[str, Any] = {"mode": spec.mode} if spec.fusion is None else {"mode": spec.mode, "fusion": spec.fusion}
    while True:
        hits = col.search(query, k=wanted, **options)
        if len({h.doc_id for h in hits}) >= depth or len(hits) < wanted or wanted >= chunks:
            return hits
        wanted = min(wanted * 4, chunks)


def _run(
    col: Collection, dataset: BeirDataset, spec: RunSpec, depth: int, progress: Progress | None
) -> dict[str, list[str]]:
    reranker = col.reranker(spec.rerank) if spec.rerank else None  # late reads kept token vectors
    copies, stats = _copies(dataset), col.stats()
    run: dict[str, list[str]] = {}
    for done, (query_id, query) in enumerate(dataset.queries.items(), start=1):
        hits = search_documents(col, query, spec, depth=depth, chunks=stats["chunks"], documents=stats["documents"])
        if reranker is not None:  # rescore the head, keep the tail below it
            hits = reranker(query, hits[:RERANK_DEPTH]) + hits[RERANK_DEPTH:]
        run[query_id] = documents_of(hits, copies, depth)
        if progress is not None:
            progress(spec.label, done, len(dataset.queries))
    return run


def evaluate_retrieval(
    folder: str | Path,
    specs: Sequence[RunSpec] = (RunSpec("dense"), RunSpec("bm25"), RunSpec("hybrid")),
    *,
    split: str = "test",
    model: str | None = None,
    chunk_tokens: int | None = None,
    cache: Path | None = None,
    max_queries: int | None = None,
    measures: Sequence[str] = DEFAULT_MEASURES,
    progress: Progress | None = None,
    token_vectors: bool = False,
) -> RetrievalReport:
    """Score each of ``specs`` on the BEIR data set in ``folder`` (its first ``max_queries`` queries if given).

    ``token_vectors``: the collection keeps its chunks' token vectors, which a ``late`` rerank reads.

    ``timing`` holds ``index_s`` (the ingest, when the collection was built; cached builds
    report the original figure) and ``<label>_ms_per_query``.
    """
    if not specs:
        raise InputError("nothing to evaluate: give at least one mode")
    dataset = load_beir(folder, split=split)
    if max_queries is not None:
        kept = dict(list(dataset.queries.items())[:max_queries])
        dataset = BeirDataset(dataset.name, split, dataset.corpus, kept, {q: dataset.qrels[q] for q in kept})
    col, index_seconds = open_collection(
        Path(folder),
        dataset,
        model=model,
        chunk_tokens=chunk_tokens,
        cache=cache,
        progress=progress,
        token_vectors=token_vectors,
    )
    with col:
        stats = col.stats()
        report = RetrievalReport(
            dataset.name,
            split,
            stats["model"],
            stats["path"],
            stats["documents"],
            stats["chunks"],
            len(dataset.queries),
            scored_queries=sum(any(grade > 0 for grade in dataset.qrels[q].values()) for q in dataset.queries),
            unknown_documents=sum(doc not in dataset.corpus for q in dataset.queries for doc in dataset.qrels[q]),
        )
        report.timing["index_s"] = index_seconds
        for spec in specs:
            started = time.perf_counter()
            run = _run(col, dataset, spec, DEPTH, progress)
            report.timing[f"{spec.label}_ms_per_query"] = 1000 * (time.perf_counter() - started) / len(run)
            report.runs[spec.label] = run
            report.results[spec.label] = evaluate_run(run, dataset.qrels, measures)
    return report
