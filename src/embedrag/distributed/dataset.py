"""``embedrag embed-dataset``: a data set of documents embedded on a Ray cluster, written as Parquet.

Ray Data reads the input (JSONL or Parquet records, or a folder of files that the ingest loaders
read on the workers), an actor pool of :class:`~embedrag.distributed.encode.ChunkEncoder` cuts and
embeds it, and this process writes the chunk rows in input order to one Parquet file with the
layout and schema metadata of ``embedrag export`` (:mod:`embedrag.collection.parquet`), so
``embedrag import`` stores the vectors as they are.

Why nothing is lost or written twice when a worker dies: Ray Data restarts a dead actor and runs
the batch it held again (``max_restarts`` / ``max_task_retries``), a batch's output counts only when
it has come back whole, and the order is kept (``preserve_order``), so each input row is written
exactly once, where it stood. The file is written aside and renamed at the end: a failed job leaves
no file.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import pyarrow as pa
import pyarrow.parquet as pq

from embedrag._atomic import publish
from embedrag._identity import chunk_id
from embedrag.collection.parquet import COLUMNS, FILE_FORMAT
from embedrag.distributed.cluster import connected
from embedrag.distributed.encode import DOCUMENT_COLUMNS, ChunkEncoder, Recipe
from embedrag.embed import Embedder
from embedrag.embed.embedder import Variant
from embedrag.errors import EmbedragError, InputError
from embedrag.ingest import Skipped
from embedrag.ingest.files import FileRef
from embedrag.ingest.load import load_file
from embedrag.ingest.passages import DEFAULT_PASSAGE_CONTEXT
from embedrag.ingest.walk import walk_files
from embedrag.models import DEFAULT_MODEL
from embedrag.types import EmbeddingSpec

__all__ = [
    "DatasetReport",
    "Workers",
    "documents_dataset",
    "embed_dataset",
    "embed_documents",
    "new_collection_recipe",
    "read_dataset",
]

RECORD_SUFFIXES = {".jsonl": "json", ".ndjson": "json", ".json": "json", ".parquet": "parquet"}
"""Inputs Ray Data reads as records; anything else (a folder of files) goes through the ingest loaders."""
LIGHT = {"num_cpus": 0}
"""Reading and loading reserve no CPU: the encoders take every CPU, and a read task waiting for one
that an encoder holds would wait for ever."""


@dataclass(frozen=True)
class Workers:
    """The actor pool: how many encoders, and the CPUs (threads) each one takes."""

    count: int | None = None
    """``None``: as many as the cluster's CPUs allow."""
    cpus: int = 1
    batch_documents: int = 64
    """Documents per batch sent to an actor: the unit that is redone when a worker dies."""


@dataclass
class DatasetReport:
    """What an embedding job wrote."""

    documents: int = 0
    chunks: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    workers: int = 0

    def as_dict(self) -> dict[str, object]:
        skipped = [{"source": s.source, "reason": s.reason} for s in self.skipped]
        return {"documents": self.documents, "chunks": self.chunks, "skipped": skipped, "workers": self.workers}


def read_dataset(
    ray: ModuleType,
    path: Path,
    *,
    text_field: str = "text",
    id_field: str | None = "id",
    metadata_fields: tuple[str, ...] = (),
) -> Any:
    """A Ray dataset of :data:`DOCUMENT_COLUMNS` rows read from ``path``, in the order of the input."""
    if not path.exists():
        raise InputError(f"{path} does not exist")
    refs = [r for r in walk_files(path) if isinstance(r, FileRef)] if path.is_dir() else [FileRef(path, path.name)]
    kinds = {RECORD_SUFFIXES.get(r.path.suffix.lower()) for r in refs}
    files = [str(r.path) for r in refs]
    if kinds in ({"json"}, {"parquet"}):
        kind = kinds.pop()
        read = ray.data.read_json if kind == "json" else ray.data.read_parquet
        extra = {"lines": True, "file_extensions": None} if kind == "json" else {}
        raw = read(files, **LIGHT, **extra)
        names = raw.schema().names
        if text_field not in names:
            raise InputError(f"{path} has no column {text_field!r} for the text; it has {', '.join(names)}")
        fields = (text_field, id_field if id_field in names else None, metadata_fields)
        return raw.map_batches(_records, fn_args=fields, batch_format="pyarrow", batch_size=None, **LIGHT)
    if not refs:
        raise InputError(f"{path} holds no file to read")
    table = pa.table({"path": files, "id": [r.doc_id for r in refs]})
    return ray.data.from_arrow(_blocks(table, 8)).map_batches(_files, batch_format="pyarrow", batch_size=1, **LIGHT)


def _records(batch: pa.Table, text_field: str, id_field: str | None, metadata_fields: tuple[str, ...]) -> pa.Table:
    rows = batch.to_pylist()
    ids = [None if id_field is None or row.get(id_field) in (None, "") else str(row[id_field]) for row in rows]
    texts = [row.get(text_field) if isinstance(row.get(text_field), str) else None for row in rows]
    metadata = [json.dumps({k: row.get(k) for k in metadata_fields if k in row}, default=str) for row in rows]
    columns = {"id": ids, "text": texts, "source": ids, "metadata": metadata, "skipped": [None] * len(rows)}
    return pa.table(columns, schema=pa.schema(DOCUMENT_COLUMNS))


def _files(batch: pa.Table) -> pa.Table:
    """Each file loaded by the ingest loader of its suffix (a JSONL file inside a folder gives its records)."""
    out: dict[str, list[Any]] = {name: [] for name in DOCUMENT_COLUMNS}
    for path, doc_id in zip(batch.column("path").to_pylist(), batch.column("id").to_pylist(), strict=True):
        for item in load_file(FileRef(Path(path), doc_id)):
            if isinstance(item, Skipped):
                values = [doc_id, None, item.source, "{}", item.reason]
            else:
                values = [item.id, item.text, item.source, json.dumps(dict(item.metadata), default=str), None]
            for name, value in zip(DOCUMENT_COLUMNS, values, strict=True):
                out[name].append(value)
    return pa.table(out, schema=pa.schema(DOCUMENT_COLUMNS))


def documents_dataset(ray: ModuleType, rows: list[dict[str, Any]], block: int = 64) -> Any:
    """A Ray dataset of documents already loaded (``id``, ``text``, ``source``, ``metadata`` JSON), in
    blocks of ``block`` rows: one block would go to one actor, and the others would wait."""
    return ray.data.from_arrow(_blocks(pa.Table.from_pylist(rows, schema=pa.schema(DOCUMENT_COLUMNS)), block))


def _blocks(table: pa.Table, size: int) -> list[pa.Table]:
    return [table.slice(start, size) for start in range(0, max(table.num_rows, 1), size)]


def embed_documents(ray: ModuleType, dataset: Any, recipe: Recipe, workers: Workers) -> tuple[Iterator[pa.Table], int]:
    """The chunk rows of ``dataset``'s documents, batch by batch in input order, and the pool's size."""
    total = int(ray.cluster_resources().get("CPU", 1))
    count = workers.count or max(1, total // workers.cpus)
    if count * workers.cpus > total:
        raise InputError(f"{count} workers of {workers.cpus} CPUs need {count * workers.cpus}; the cluster has {total}")
    dataset.context.execution_options.preserve_order = True
    dataset.context.enable_progress_bars = False  # the CLI draws its own
    logging.getLogger("ray.data").setLevel(logging.ERROR)  # Ray Data's per-job progress notes
    embedded = dataset.map_batches(
        ChunkEncoder,
        fn_constructor_args=(recipe, workers.cpus),
        batch_format="pyarrow",
        batch_size=workers.batch_documents,
        compute=ray.data.ActorPoolStrategy(size=count),
        num_cpus=workers.cpus,
        # Ray Data's actor pools restart a dead actor and retry its task by default (max_restarts and
        # max_task_retries -1); the killed-worker test holds it to that.
    )
    return _reported(ray, embedded.iter_batches(batch_format="pyarrow", batch_size=None)), count


def _reported(ray: ModuleType, batches: Iterator[pa.Table]) -> Iterator[pa.Table]:
    """The batches; a job that failed on the cluster is an :class:`EmbedragError` naming the cause."""
    try:
        yield from batches
    except ray.exceptions.RayError as e:
        cause = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
        raise EmbedragError(f"the Ray job failed: {cause}") from e


def write_chunks(
    batches: Iterable[pa.Table],
    output: Path,
    spec: EmbeddingSpec,
    report: DatasetReport,
    progress: Callable[[DatasetReport], None] | None = None,
) -> DatasetReport:
    """Write chunk rows to ``output`` as ``embedrag export`` does (written aside, renamed when whole).

    A document without an id is numbered by its place in the input (``"1"``, ``"2"``, ...); an id met
    again is skipped, as an ingest skips it.
    """
    schema = pa.schema(
        [*COLUMNS.items(), ("vector", pa.list_(pa.float32(), spec.dims))],
        metadata={"embedrag": json.dumps({"format": FILE_FORMAT, "spec": dataclasses.asdict(spec)})},
    )
    numbering = _Numbering(report)

    def write(temp: Path) -> None:
        with pq.ParquetWriter(temp, schema, write_page_checksum=True) as out:
            for batch in batches:
                table = numbering(batch)
                if table.num_rows:
                    out.write_table(table.select(schema.names).cast(schema))
                if progress is not None:
                    progress(report)

    try:
        publish(output, write)
    except OSError as e:
        raise InputError(f"cannot write {output}: {e}") from None
    return report


class _Numbering:
    """Gives each chunk row its document and chunk id, across batches (a document may span two)."""

    def __init__(self, report: DatasetReport) -> None:
        self.report = report
        self.seen: set[str] = set()
        self.current = ""
        self.dropping = False

    def __call__(self, batch: pa.Table) -> pa.Table:
        """The batch's rows to store, with their ids; skipped documents go to the report."""
        keep: list[int] = []
        doc_ids: list[str] = []
        columns = (batch.column(n).to_pylist() for n in ("doc_id", "position", "skipped", "source"))
        for i, (doc_id, position, skipped, source) in enumerate(zip(*columns, strict=True)):
            if skipped is not None or position == 0:  # a new document starts
                self._start(doc_id, skipped, source)
            if not self.dropping:
                keep.append(i)
                doc_ids.append(self.current)
        table = batch.take(pa.array(keep, pa.int64())).drop_columns(["skipped", "doc_id"])
        self.report.chunks += len(keep)
        ids = [chunk_id(d, p) for d, p in zip(doc_ids, table.column("position").to_pylist(), strict=True)]
        return table.append_column("doc_id", pa.array(doc_ids, pa.string())).append_column(
            "id", pa.array(ids, pa.string())
        )

    def _start(self, doc_id: str | None, skipped: str | None, source: str | None) -> None:
        report = self.report
        self.current = doc_id or str(report.documents + len(report.skipped) + 1)
        self.dropping = True
        if skipped is not None:
            report.skipped.append(Skipped(source or self.current, skipped))
        elif self.current in self.seen:
            reason = f"{source or self.current}: its id {self.current!r} is already taken in this input"
            report.skipped.append(Skipped(source or self.current, reason))
        else:
            self.seen.add(self.current)
            report.documents += 1
            self.dropping = False


def new_collection_recipe(model: str, variant: str = "fp32") -> tuple[Recipe, EmbeddingSpec]:
    """How a new collection of ``model`` cuts and embeds, and the spec its vectors carry."""
    embedder = Embedder(model, variant=cast(Variant, variant))
    spec = replace(embedder.spec, passage_context=DEFAULT_PASSAGE_CONTEXT)
    return Recipe(str(embedder.model_path), variant, passage_context=DEFAULT_PASSAGE_CONTEXT), spec


def embed_dataset(
    source: str | Path,
    output: str | Path,
    *,
    address: str,
    model: str = DEFAULT_MODEL,
    variant: str = "fp32",
    workers: Workers = Workers(),
    text_field: str = "text",
    id_field: str | None = "id",
    metadata_fields: tuple[str, ...] = (),
    progress: Callable[[DatasetReport], None] | None = None,
) -> DatasetReport:
    """Embed the documents of ``source`` on the Ray cluster at ``address``; write the Parquet file ``output``.

    Chunks are cut as a new collection of ``model`` cuts them, so ``embedrag import`` into such a
    collection stores the file's vectors as they are.
    """
    if Path(output).suffix != ".parquet":
        raise InputError(f"the output must be a .parquet file, got {output}")
    if not Path(source).exists():  # before starting or joining a cluster
        raise InputError(f"{source} does not exist")
    recipe, spec = new_collection_recipe(model, variant)
    with connected(address) as ray:
        dataset = read_dataset(
            ray, Path(source), text_field=text_field, id_field=id_field, metadata_fields=metadata_fields
        )
        batches, count = embed_documents(ray, dataset, recipe, workers)
        return write_chunks(batches, Path(output), spec, DatasetReport(workers=count), progress)
