"""The ingest pipeline: documents in, chunks embedded and committed batch by batch.

Each batch is one transaction, so an interrupted ingest keeps every finished batch and
a re-run resumes: documents whose content hash is unchanged are skipped. A document
whose content duplicates another stored document is reported, not stored twice; so is one
whose id belongs to another file. Both are decided inside the batch's write transaction,
so two ingests at once cannot overwrite each other's documents. A stored document whose new
content duplicates another one loses its old text (its file no longer says it), counted as removed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embedrag._identity import content_hash
from embedrag.embed import Embedder
from embedrag.errors import EmbedragError
from embedrag.index import Store
from embedrag.index.writer import Lookups, Writer
from embedrag.ingest import Skipped
from embedrag.ingest.passages import Passages
from embedrag.ingest.structure import without_structure
from embedrag.ingest.walk import FileCount
from embedrag.types import Chunk, Document, EmbeddedDocument

__all__ = [
    "IngestProgress",
    "IngestReport",
    "Progress",
    "chunk_vectors",
    "embed_chunks",
    "ingest_documents",
    "ingest_embedded",
]

BATCH_CHUNKS = 2048
"""Chunks embedded and committed together: as many as ``Embedder.encode`` groups by length at once.
The encoder batches chunks of one length together, so a larger group fills its batches better
(fewer graph runs). A crash loses at most one batch (under a minute of all-MiniLM-L6-v2 on 2 cores)."""


@dataclass(frozen=True)
class IngestProgress:
    """Where an ingest stands, for a ``progress`` callback (see :data:`Progress`)."""

    documents: int
    """Inputs taken so far (documents and skipped inputs): each is committed, unchanged or skipped."""
    chunks: int
    """Chunks written so far."""
    files: int = 0
    """Input files read to the end so far (an ingest of paths; 0 for documents given directly)."""
    files_total: int | None = None
    """The files the ingest reads, counted by name before it started; ``None`` for documents given directly."""


Progress = Callable[[IngestProgress], None]
"""Called with an :class:`IngestProgress` once at the start (nothing done: the totals), after each
committed batch, and once at the end."""


@dataclass
class IngestReport:
    """What an ingest did, document by document counted."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    def count_stored(self, *, existed: bool, chunks: int) -> None:
        """Tally a document written with its ``chunks``: an update if its id ``existed``, else an addition."""
        self.chunks += chunks
        if existed:
            self.updated += 1
        else:
            self.added += 1

    def as_dict(self) -> dict[str, object]:
        counts = ("added", "updated", "unchanged", "removed", "chunks")
        return {
            **{name: getattr(self, name) for name in counts},
            "skipped": [{"source": s.source, "reason": s.reason, "record": s.record} for s in self.skipped],
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class _Verdict:
    """What to do with one document, as the collection stands: store it (a new one or an update), or not."""

    existed: bool
    unchanged: bool = False
    refusal: str | None = None
    duplicate: bool = False


@dataclass
class _Run:
    """One call's tally: the report, the ids and contents it took, and the duplicates it holds back."""

    report: IngestReport
    deferred: list[Document] | None
    ids: dict[str, str] = field(default_factory=dict)
    """Document id -> the source that first used it in this call."""
    hashes: dict[str, str] = field(default_factory=dict)
    """Content hash -> the id of the document in this call that holds it."""
    stale: list[tuple[Document, str]] = field(default_factory=list)
    """Stored documents (with their new content hash) whose new content duplicates another document."""

    def count(self, doc: Document, verdict: _Verdict, chunks: int = 0, digest: str = "") -> None:
        """Tally ``doc`` (of content hash ``digest``) by its verdict; ``chunks`` is how many it stored."""
        if verdict.duplicate and verdict.existed:
            self.stale.append((doc, digest))
        if verdict.unchanged:
            self.report.unchanged += 1
        elif verdict.refusal is not None and verdict.duplicate and self.deferred is not None:
            self.deferred.append(doc)
        elif verdict.refusal is not None:
            self.report.skipped.append(Skipped(doc.source, verdict.refusal))
        else:
            self.report.count_stored(existed=verdict.existed, chunks=chunks)


@dataclass
class _Batch:
    documents: list[tuple[Document, list[Chunk], str]] = field(default_factory=list)
    chunks: int = 0
    texts: list[str] = field(default_factory=list)
    """What is embedded for each chunk, in order (see :mod:`embedrag.ingest.passages`)."""


def ingest_documents(
    items: Iterable[Document | Skipped],
    *,
    store: Store,
    embedder: Embedder,
    passages: Passages,
    report: IngestReport,
    progress: Progress | None = None,
    deferred: list[Document] | None = None,
    files: FileCount | None = None,
) -> IngestReport:
    """Chunk, embed and store ``items`` (``passages`` cuts each and says what to embed); fill ``report``; return it.

    An id met twice in ``items`` is stored once, from its first document; the others are skipped.
    With ``deferred``, documents refused as duplicates of stored content go there instead of
    into the report, for a caller that is about to delete documents to offer them again.
    ``files`` is the count of input files that ``items`` reads (``load_path(..., files=)``), for ``progress``.
    """
    start, batch, done, run = time.perf_counter(), _Batch(), 0, _Run(report, deferred)
    if progress is not None:
        progress(_progress(done, report, files))
    for item in items:
        done += 1
        if isinstance(item, Skipped):
            report.skipped.append(item)
            continue
        if item.id in run.ids:
            reason = f"{item.source}: its id {item.id!r} is already taken by {run.ids[item.id]} in this input"
            report.skipped.append(Skipped(item.source, reason))
            continue
        run.ids[item.id] = item.source
        digest = content_hash(item.text)
        # A first look, to embed nothing that will be refused (one read transaction for its three
        # lookups); _commit decides again under the write lock.
        with store.read() as conn:
            verdict = _judge(item, digest, Lookups(conn), run.hashes)
        if verdict.unchanged or verdict.refusal is not None:
            run.count(item, verdict, digest=digest)
            continue
        run.hashes[digest] = item.id
        cut = passages.cut(item)
        chunks = [passage.chunk for passage in cut]
        if not chunks:
            report.skipped.append(Skipped(item.source, f"{item.source} has no text to index"))
            continue
        batch.documents.append((item, chunks, digest))
        batch.chunks += len(chunks)
        batch.texts += [passage.text for passage in cut]
        if batch.chunks >= BATCH_CHUNKS:
            _commit(batch, store, embedder, run)
            batch = _Batch()
            if progress is not None:
                progress(_progress(done, report, files))
    if batch.documents:
        _commit(batch, store, embedder, run)
    report.removed += _drop_stale(run.stale, store)
    if progress is not None:
        progress(_progress(done, report, files))
    report.seconds += time.perf_counter() - start
    return report


def ingest_embedded(items: Iterable[EmbeddedDocument], *, store: Store, report: IngestReport) -> IngestReport:
    """Store documents chunked and embedded elsewhere (a Parquet import), in one transaction, under
    the rules of an ingest: unchanged content is left as it is, and content stored under another id,
    or an id that belongs to another file, is reported in ``report.skipped`` and not stored; a stored
    document whose new content is stored under another id loses its old text (counted as removed)."""
    run, held = _Run(report, deferred=None), []
    with store.write() as writer:
        for item in items:
            verdict = _judge(item.document, item.content_hash, writer, run.hashes)
            if verdict.duplicate:  # tried again once the stale texts are gone (as ingest_documents does)
                held.append(item)
            else:
                _put_embedded(item, verdict, writer, run)
        report.removed += _drop_stale_in(writer, [(i.document, i.content_hash) for i in held])
        for item in held:
            _put_embedded(item, _judge(item.document, item.content_hash, writer, run.hashes), writer, run)
    return report


def _put_embedded(item: EmbeddedDocument, verdict: _Verdict, writer: Writer, run: _Run) -> None:
    """Store ``item`` unless ``verdict`` refuses it or finds it unchanged, and tally it."""
    if not verdict.unchanged and verdict.refusal is None:
        writer.put_document(item.document, item.chunks, item.vectors, content_hash=item.content_hash)
        run.hashes[item.content_hash] = item.document.id
    run.count(item.document, verdict, len(item.chunks), item.content_hash)


def _progress(done: int, report: IngestReport, files: FileCount | None) -> IngestProgress:
    if files is None:
        return IngestProgress(done, report.chunks)
    return IngestProgress(done, report.chunks, files.read, files.total)


def _judge(doc: Document, digest: str, lookup: Lookups, hashes: Mapping[str, str]) -> _Verdict:
    """Store ``doc`` unless its content is unchanged, its id belongs to another file, or its
    content is stored (or taken earlier in this call, ``hashes``) under another id."""
    previous = lookup.document_hash(doc.id)
    if previous == digest:
        return _Verdict(existed=True, unchanged=True)
    clash = _other_file(lookup.document_path(doc.id), doc) if previous is not None else None
    if clash is not None:
        return _Verdict(existed=True, refusal=f"{doc.source}: its id {doc.id!r} already belongs to {clash}")
    twin = hashes.get(digest) or lookup.find_by_hash(digest)
    if twin is not None and twin != doc.id:
        refusal = f"{doc.source} duplicates the content of {twin!r}"
        return _Verdict(existed=previous is not None, refusal=refusal, duplicate=True)
    return _Verdict(existed=previous is not None)


def _other_file(stored: str | None, doc: Document) -> str | None:
    """The stored file that owns ``doc.id`` if it is another file that still exists.

    Ids are paths relative to the ingested folder, so ``a/docs/x.md`` and ``b/docs/x.md``
    ingested separately would share one; replacing the first with the second would lose it.
    A stored file that is gone was moved or renamed: then the new one replaces it.
    """
    new = doc.metadata.get("path")
    if stored is None or new is None or Path(stored).resolve() == Path(str(new)).resolve():
        return None
    return stored if Path(stored).exists() else None


def _commit(batch: _Batch, store: Store, embedder: Embedder, run: _Run) -> None:
    vectors, tokens = chunk_vectors(batch.texts, embedder, store)
    offset, verdicts = 0, []
    with store.write() as writer:
        for doc, chunks, digest in batch.documents:
            # Decided again inside the transaction: another writer may have taken the id or the content
            # since the first look. A refused document's vectors are not stored.
            verdict = _judge(doc, digest, writer, {})
            if not verdict.unchanged and verdict.refusal is None:
                rows = vectors[offset : offset + len(chunks)]
                kept = None if tokens is None else tokens[offset : offset + len(chunks)]
                writer.put_document(_without_structure(doc), chunks, rows, content_hash=digest, token_vectors=kept)
            verdicts.append(verdict)
            offset += len(chunks)
    for (doc, chunks, digest), verdict in zip(batch.documents, verdicts, strict=True):
        run.count(doc, verdict, len(chunks), digest)


def _drop_stale(stale: list[tuple[Document, str]], store: Store) -> int:
    """Delete the stored text of documents whose new content is stored under another id; how many.

    Run after the last batch is committed, so a twin taken earlier in the call is stored; decided
    again under the write lock. Kept, the old text would be served as the file's, and never updated.
    """
    if not stale:
        return 0
    with store.write() as writer:
        return _drop_stale_in(writer, stale)


def _drop_stale_in(writer: Writer, candidates: list[tuple[Document, str]]) -> int:
    """Inside a write: delete each stored document of ``candidates`` (with its new content hash) whose new
    content is now stored under another id; how many."""
    gone = [doc.id for doc, digest in candidates if (v := _judge(doc, digest, writer, {})).duplicate and v.existed]
    return writer.delete_documents(gone) if gone else 0


def _without_structure(doc: Document) -> Document:
    """The outline and page starts served the chunker; hits carry the chunk's own headings and page."""
    return replace(doc, metadata=without_structure(doc.metadata))


def chunk_vectors(
    texts: list[str], embedder: Embedder, store: Store
) -> tuple[npt.NDArray[np.float32], list[npt.NDArray[np.float32]] | None]:
    """:func:`embed_chunks`, and for a ``store`` that keeps token vectors each text's token vectors
    from the same encoder pass (None when it keeps none)."""
    if store.token_vectors == "none":
        return embed_chunks(texts, embedder), None
    unique = list(dict.fromkeys(texts))
    result, tokens = embedder.embed_with_token_vectors(unique)  # raises for a chunk over the limit
    row = {text: i for i, text in enumerate(unique)}
    rows = [row[t] for t in texts]
    return result.vectors[rows], [tokens[i] for i in rows]


def embed_chunks(texts: list[str], embedder: Embedder) -> npt.NDArray[np.float32]:
    """Vectors of chunk texts, each distinct text embedded once (boilerplate chunks repeat across
    documents); a chunk over the model's limit is an error, as the chunker sized it to fit."""
    unique = list(dict.fromkeys(texts))
    result = embedder.embed(unique)
    if result.truncated:  # the chunker sizes chunks to the model's limit; this would be a bug
        raise EmbedragError(f"{len(result.truncated)} chunk(s) exceeded the model's limit of {embedder.max_tokens}")
    vectors = result.vectors
    if len(unique) == len(texts):
        return vectors
    row = {text: i for i, text in enumerate(unique)}
    return vectors[[row[t] for t in texts]]
