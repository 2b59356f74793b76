"""``embedrag ingest --ray``: chunking and embedding on a Ray cluster, storing through the collection.

This process loads the files (the ingest loaders), drops what the collection already holds
unchanged (same content hash under the same id) and what the input repeats, and sends the rest to
the cluster's encoders (:func:`~embedrag.distributed.dataset.embed_documents`). Their chunk rows
come back in input order, are written to a Parquet file of the collection's spec, and imported
(:meth:`Collection.import_parquet`): the single writer, under the ingest's rules, one transaction per
batch. So the collection's guarantees hold as in a local ingest: incremental by content hash,
idempotent (a second run embeds nothing), and crash-safe (a crash keeps the batches committed and a
re-run resumes), one window of :data:`WINDOW` documents at a time.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from embedrag._identity import content_hash
from embedrag.collection import Collection
from embedrag.distributed.cluster import connected
from embedrag.distributed.dataset import DatasetReport, Workers, documents_dataset, embed_documents, write_chunks
from embedrag.distributed.encode import Recipe
from embedrag.embed.embedder import pinned_variant
from embedrag.ingest import Skipped, load_path
from embedrag.ingest.pipeline import IngestReport

__all__ = ["WINDOW", "ingest_on_ray", "recipe_of"]

WINDOW = 20_000
"""Documents sent to the cluster, then stored, at a time: what a crash can cost, and what this
process holds in memory."""


def recipe_of(collection: Collection) -> Recipe:
    """How ``collection`` cuts and embeds: its encoder (its own int8 build), chunk size, overlap, context."""
    spec = collection.spec
    return Recipe(
        model=str(collection.embedder.model_path),
        variant=pinned_variant(spec.variant),
        chunk_tokens=collection.chunk_tokens,
        overlap_tokens=collection.overlap_tokens,
        passage_context=spec.passage_context,
    )


def ingest_on_ray(
    collection: Collection,
    paths: Sequence[str | Path],
    *,
    address: str,
    workers: Workers = Workers(),
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    **load_options: Any,
) -> IngestReport:
    """Load ``paths`` here, cut and embed the new or changed documents on the cluster at ``address``,
    store them in ``collection``; the report counts as :meth:`Collection.ingest`'s does."""
    start, report = time.perf_counter(), IngestReport()
    stored = {info.id: info.content_hash for info in collection.documents()}
    recipe = recipe_of(collection)
    items = (item for path in paths for item in load_path(path, include=include, exclude=exclude, **load_options))
    with connected(address) as ray:
        for window in _windows(_new_documents(items, stored, report)):
            dataset = documents_dataset(ray, window, workers.batch_documents)
            batches, _ = embed_documents(ray, dataset, recipe, workers)
            with tempfile.TemporaryDirectory(prefix="embedrag-ray-") as folder:
                file = Path(folder) / "chunks.parquet"
                written = write_chunks(batches, file, collection.spec, DatasetReport())
                report.skipped += written.skipped
                _merge(report, collection.import_parquet(file))
    report.seconds = time.perf_counter() - start
    return report


def _new_documents(items: Any, stored: dict[str, str], report: IngestReport) -> Iterator[dict[str, Any]]:
    """Documents to embed, as rows; unchanged ones are counted, loader refusals and repeated ids reported."""
    taken: dict[str, str] = {}
    for item in items:
        if isinstance(item, Skipped):
            report.skipped.append(item)
            continue
        if item.id in taken:
            reason = f"{item.source}: its id {item.id!r} is already taken by {taken[item.id]} in this input"
            report.skipped.append(Skipped(item.source, reason))
            continue
        taken[item.id] = item.source
        if stored.get(item.id) == content_hash(item.text):
            report.unchanged += 1
            continue
        metadata = json.dumps(dict(item.metadata), ensure_ascii=False, default=str)
        yield {"id": item.id, "text": item.text, "source": item.source, "metadata": metadata, "skipped": None}


def _windows(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    window: list[dict[str, Any]] = []
    for row in rows:
        window.append(row)
        if len(window) == WINDOW:
            yield window
            window = []
    if window:
        yield window


def _merge(report: IngestReport, part: IngestReport) -> None:
    report.added += part.added
    report.updated += part.updated
    report.unchanged += part.unchanged
    report.chunks += part.chunks
    report.skipped += part.skipped
