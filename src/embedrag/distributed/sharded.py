"""A sharded collection: N shards, each a normal collection owned by a Ray actor, ranked as one.

Writes go to the shard a hash of the document id names (:func:`shard_of`); each shard chunks,
embeds and stores its own documents under every rule of a collection. A search fans out and merges
so that the result equals what one collection over the same documents returns (ids, order, scores):

- ``dense``: the query is embedded once, here; each shard returns its ``n`` nearest chunks, and the
  ``n`` best of all of them are the ``n`` best overall.
- ``bm25``: first every shard counts its chunks, their length and the query terms' document
  frequencies (:meth:`Collection.corpus_stats`); the sums are sent back with the query, so each shard
  scores with the statistics of the whole corpus (Elasticsearch's ``dfs_query_then_fetch``).
- ``hybrid``: both lists, each as long as the fusion's window (:data:`embedrag.search.modes.CANDIDATES`),
  fused here by the same function, which reads the chunk count of all shards (the statistics' count).
  Two rounds to the shards: the dense lists and the statistics at once, then the BM25 lists.
- ``rerank``: the merged candidates (as many as one collection reranks) are reordered here by the
  same reranker; ``late`` reads each candidate's kept token vectors from its shard (a third round).

Exact equality holds where one collection searches exactly (dense search below its exact threshold,
or ``exact=True``; BM25 always). Content repeated under two ids is refused only inside a shard.

On disk: ``shards.json`` (the shard count, which never changes) and ``shard-000/`` ... beside it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from embedrag.collection import Collection
from embedrag.distributed.cluster import ray_module
from embedrag.errors import ConfigError, StoreError
from embedrag.index.bm25 import CorpusStats
from embedrag.index.filters import FilterSpec
from embedrag.index.token_vectors import Quantized
from embedrag.ingest import Skipped, load_path
from embedrag.ingest.pipeline import IngestReport
from embedrag.search.fusion import fuse
from embedrag.search.modes import CANDIDATES, check_search
from embedrag.types import Document, Hit

__all__ = ["LAYOUT", "ShardedCollection", "shard_of"]

LAYOUT = "shards.json"
_BATCH = 2048
"""Documents sent to the shards per round."""


def shard_of(doc_id: str, shards: int) -> int:
    """The shard of a document: a stable hash of its id (the same in every process and release).

    >>> shard_of("notes/a.md", 4), shard_of("notes/a.md", 4) == shard_of("notes/a.md", 4)
    (3, True)
    """
    digest = hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


class _Shard:
    """One shard's collection inside a Ray actor: the methods a coordinator calls."""

    def __init__(self, path: str, model: str | None, token_vectors: bool | None) -> None:
        self.collection = Collection.open(path, model=model, token_vectors=token_vectors)

    def add(self, documents: list[Document]) -> IngestReport:
        return self.collection.add(documents)

    def delete(self, doc_ids: list[str]) -> int:
        return self.collection.delete(doc_ids)

    def chunk_count(self) -> int:
        return int(self.collection.stats()["chunks"])

    def stats(self) -> dict[str, Any]:
        return self.collection.stats()

    def has_document(self, doc_id: str) -> bool:
        return self.collection.has_document(doc_id)

    def corpus_stats(self, query: str) -> CorpusStats:
        return self.collection.corpus_stats(query)

    def dense(self, vector: Any, n: int, filters: FilterSpec | None, exact: bool) -> list[Hit]:
        return self.collection.search_by_vector(vector, k=n, filters=filters, exact=exact)

    def bm25(self, query: str, n: int, filters: FilterSpec | None, stats: CorpusStats) -> list[Hit]:
        return self.collection.search(query, k=n, mode="bm25", filters=filters, corpus_stats=stats)

    def kept_token_vectors(self, chunks: list[tuple[str, int]]) -> dict[tuple[str, int], Quantized]:
        return self.collection.kept_token_vectors(chunks)

    def close(self, save: bool) -> None:
        self.collection.close(save=save)


_SUMMED = ("documents", "chunks", "generation", "token_vector_bytes")
"""The counts of :meth:`Collection.stats` that a sharded collection adds up over its shards."""


class ShardedCollection:
    """``shards`` collections behind Ray actors, written and searched as one (see the module's notes)."""

    def __init__(self, root: Path, actors: list[Any], first: Collection) -> None:
        self.root = root
        self._actors = actors
        self._first = first
        """Shard 0 opened here too, read only: the shards' model for queries, and their reranker."""
        self._embedder = first.embedder
        self._ray = ray_module()

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        shards: int | None = None,
        model: str | None = None,
        cpus_per_shard: float = 1.0,
        token_vectors: bool | None = None,
    ) -> ShardedCollection:
        """Open (or create, given ``shards``) the sharded collection at ``path`` on the connected Ray cluster.

        Each shard's actor takes ``cpus_per_shard`` CPUs (its encoder's threads when it ingests).
        ``token_vectors``: as :meth:`Collection.open`'s, for every shard (kept for ``rerank="late"``).
        """
        ray, root = ray_module(), Path(path)
        if not ray.is_initialized():
            raise ConfigError("a sharded collection runs on Ray: connect first (ray.init, or --ray)")
        count = _layout(root, shards)
        remote = ray.remote(num_cpus=cpus_per_shard)(_Shard)
        actors = [remote.remote(str(root / f"shard-{i:03d}"), model, token_vectors) for i in range(count)]
        ray.get([actor.chunk_count.remote() for actor in actors])  # every shard is open (and created)
        return cls(root, actors, Collection.open(root / "shard-000", create=False))

    @property
    def shards(self) -> int:
        return len(self._actors)

    @staticmethod
    def exists(path: str | Path) -> bool:
        """Whether ``path`` holds a sharded collection (its ``shards.json``)."""
        return (Path(path) / LAYOUT).is_file()

    def stats(self) -> dict[str, Any]:
        """:meth:`Collection.stats` of the whole: counts summed over the shards, the spec (the same in
        every shard), ``path`` the sharded collection's folder and ``shards`` their number."""
        parts = self._ray.get([actor.stats.remote() for actor in self._actors])
        merged = {**parts[0], **{key: sum(part[key] for part in parts) for key in _SUMMED}}
        return {**merged, "path": str(self.root), "shards": self.shards}

    def has_document(self, doc_id: str) -> bool:
        """Whether a document with this id is stored (in the shard its id hashes to)."""
        return bool(self._ray.get(self._actors[shard_of(doc_id, self.shards)].has_document.remote(doc_id)))

    def __getattr__(self, name: str) -> Any:
        """What a collection offers that a sharded one does not yet: a clear error, not a missing attribute."""
        if name.startswith("_"):
            raise AttributeError(name)
        raise ConfigError(
            f"{name} is not available on a sharded collection yet; it offers search (dense, bm25, "
            "hybrid, rerank), add, ingest, delete, has_document and stats"
        )

    def close(self, *, save: bool = True) -> None:
        """Close every shard's collection (publishing derived files unless ``save=False``) and end the actors."""
        self._ray.get([actor.close.remote(save) for actor in self._actors])
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []
        self._first.close(save=save)

    def __enter__(self) -> ShardedCollection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, documents: Iterable[Document | Skipped]) -> IngestReport:
        """Send each document to its shard, which chunks, embeds and stores it (the shards work at once)."""
        report, batch = IngestReport(), list[Document]()
        for item in documents:
            if isinstance(item, Skipped):
                report.skipped.append(item)
                continue
            batch.append(item)
            if len(batch) >= _BATCH * self.shards:
                self._add(batch, report)
                batch = []
        if batch:
            self._add(batch, report)
        return report

    def ingest(self, paths: Sequence[str | Path], **load_options: Any) -> IngestReport:
        """Load files and folders here and :meth:`add` their documents."""
        return self.add(item for path in paths for item in load_path(path, **load_options))

    def _add(self, documents: list[Document], report: IngestReport) -> None:
        parts: list[list[Document]] = [[] for _ in self._actors]
        for doc in documents:
            parts[shard_of(doc.id, self.shards)].append(doc)
        calls = [actor.add.remote(part) for actor, part in zip(self._actors, parts, strict=True) if part]
        for part in self._ray.get(calls):
            report.added += part.added
            report.updated += part.updated
            report.unchanged += part.unchanged
            report.chunks += part.chunks
            report.skipped += part.skipped
            report.seconds = max(report.seconds, part.seconds)

    def delete(self, doc_ids: Iterable[str]) -> int:
        """Delete documents by id from their shards; returns how many existed."""
        parts: list[list[str]] = [[] for _ in self._actors]
        for doc_id in doc_ids:
            parts[shard_of(doc_id, self.shards)].append(doc_id)
        calls = [actor.delete.remote(part) for actor, part in zip(self._actors, parts, strict=True) if part]
        return sum(self._ray.get(calls))

    def chunk_count(self) -> int:
        return sum(self._ray.get([actor.chunk_count.remote() for actor in self._actors]))

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: str = "hybrid",
        filters: FilterSpec | None = None,
        fusion: str = "adaptive",
        exact: bool = False,
        rerank: str | None = None,
    ) -> list[Hit]:
        """The ``k`` best chunks of all shards, as :meth:`Collection.search` ranks them in one collection.

        ``rerank`` (``late`` or a cross-encoder) reorders the merged candidates, as one collection's
        search reorders its own; ``late`` reads each chunk's kept token vectors from its shard.
        """
        check_search(query, k, mode, fusion)
        n = max(k, CANDIDATES) if (mode == "hybrid" or rerank) else k
        found = self._candidates(query, n, mode, filters, fusion, exact)[: n if rerank else k]
        if rerank:
            found = self._first.reranker(rerank, kept=self._kept_token_vectors)(query, found)
        return found[:k]

    def _candidates(
        self, query: str, n: int, mode: str, filters: FilterSpec | None, fusion: str, exact: bool
    ) -> list[Hit]:
        """The ``n`` best chunks of all shards by ``mode``, merged."""
        ray, actors = self._ray, self._actors
        # Two rounds: the dense lists travel with BM25's statistics, then the BM25 lists.
        dense = []
        if mode != "bm25":
            vector = self._embedder.for_role("query").embed([query]).vectors[0]
            dense = [a.dense.remote(vector, n, filters, exact) for a in actors]
        if mode == "dense":
            return _best(ray.get(dense), n)
        stats = CorpusStats.merged(ray.get([a.corpus_stats.remote(query) for a in actors]))
        lexical = _best(ray.get([a.bm25.remote(query, n, filters, stats) for a in actors]), n)
        if mode == "bm25":
            return lexical
        # stats.chunks counts the live chunks of all shards: the chunk count adaptive fusion reads
        return self._fused(_best(ray.get(dense), n), lexical, fusion, stats.chunks)

    def _kept_token_vectors(self, chunks: Sequence[tuple[str, int]]) -> dict[tuple[str, int], Quantized]:
        """The kept token vectors of ``chunks`` (``(doc_id, position)``), each read from its document's shard."""
        parts: list[list[tuple[str, int]]] = [[] for _ in self._actors]
        for chunk in chunks:
            parts[shard_of(chunk[0], self.shards)].append(chunk)
        calls = [actor.kept_token_vectors.remote(part) for actor, part in zip(self._actors, parts, strict=True) if part]
        return {name: vectors for found in self._ray.get(calls) for name, vectors in found.items()}

    def _fused(self, dense: list[Hit], lexical: list[Hit], fusion: str, chunks: int) -> list[Hit]:
        lists = [[(h.id, h.score) for h in dense], [(h.id, h.score) for h in lexical]]
        fused = fuse(fusion, lists, chunks=lambda: chunks)
        hits = {h.id: h for h in (*dense, *lexical)}
        return [replace(hits[str(key)], score=score) for key, score in fused]


def _best(parts: list[list[Hit]], n: int) -> list[Hit]:
    """The ``n`` best hits of the shards' lists, best first."""
    return sorted((hit for part in parts for hit in part), key=lambda hit: -hit.score)[:n]


def _layout(root: Path, shards: int | None) -> int:
    """The shard count recorded at ``root``, writing it for a new sharded collection."""
    file = root / LAYOUT
    if file.is_file():
        recorded = int(json.loads(file.read_text())["shards"])
        if shards is not None and shards != recorded:
            raise ConfigError(f"{root} has {recorded} shards, not {shards}: the count is fixed at creation")
        return recorded
    if shards is None:
        raise StoreError(f"{root} is not a sharded collection (no {LAYOUT}); pass shards= to create one")
    if shards < 1:
        raise ConfigError(f"shards must be at least 1, got {shards}")
    root.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps({"format": 1, "shards": shards}) + "\n")
    return shards
