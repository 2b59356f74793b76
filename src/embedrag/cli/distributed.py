"""``embedrag embed-dataset`` and the ``--ray`` options: embedrag's work spread over a Ray cluster."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from embedrag.cli._output import QUIET, err_console, out_console, print_json, progress_bar

if TYPE_CHECKING:
    from embedrag.collection import Collection, IngestReport

RAY = typer.Option(
    ..., "--ray", help="The Ray cluster: auto (a running one), local (start one here for this command), or host:port."
)


def embed_dataset_command(
    source: Path = typer.Argument(..., help="A JSONL or Parquet file, a folder of them, or a folder of documents."),
    output: Path = typer.Argument(..., help="The Parquet file to write (the layout of embedrag export)."),
    ray_address: str = RAY,
    model: str = typer.Option("all-MiniLM-L6-v2", "--model", "-m", help="Catalogue name or model folder."),
    variant: str = typer.Option("fp32", "--variant", help="fp32 or int8."),
    workers: int | None = typer.Option(None, "--workers", help="Encoder actors (default: the cluster's CPUs)."),
    cpus: int = typer.Option(1, "--cpus-per-worker", help="CPUs (threads) of each encoder actor."),
    batch: int = typer.Option(64, "--batch-documents", help="Documents per batch sent to an actor."),
    text_field: str = typer.Option("text", "--text-field", help="Records: the text field."),
    id_field: str = typer.Option("id", "--id-field", help="Records: the id field (else numbered)."),
    metadata_field: list[str] = typer.Option([], "--metadata-field", help="Records: fields to keep as metadata."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    quiet: bool = QUIET,
) -> None:
    """Cut and embed a data set on a Ray cluster, in input order, into a Parquet file for embedrag import.

    Example: embedrag embed-dataset corpus.jsonl chunks.parquet --ray auto && embedrag import chunks.parquet -c notes
    """
    from rich.markup import escape

    from embedrag.distributed import DatasetReport, Workers, embed_dataset

    pool = Workers(count=workers, cpus=cpus, batch_documents=batch)
    with progress_bar("embedding", unit="docs", quiet=quiet or json_out) as show:

        def progress(at: DatasetReport) -> None:
            show(at.documents, note=f"{at.chunks} chunks")

        report = embed_dataset(
            source,
            output,
            address=ray_address,
            model=model,
            variant=variant,
            workers=pool,
            text_field=text_field,
            id_field=id_field,
            metadata_fields=tuple(metadata_field),
            progress=progress,
        )
    if json_out:
        print_json(report.as_dict())
        return
    for skip in report.skipped[:5]:
        err_console.print(f"[yellow]skipped[/] {escape(skip.reason)}")
    out_console.print(
        f"{output}: {report.documents} documents, {report.chunks} chunks, {len(report.skipped)} skipped "
        f"({report.workers} workers)"
    )


def ingest_on_ray_command(
    col: Collection,
    paths: list[Path],
    address: str,
    sync: bool,
    include: list[str],
    exclude: list[str],
    text_field: str,
    id_field: str | None,
    metadata_fields: list[str],
) -> IngestReport:
    """``embedrag ingest --ray``: the options of ``ingest`` passed on to :func:`embedrag.distributed.ingest_on_ray`."""
    from embedrag.distributed import ingest_on_ray
    from embedrag.errors import InputError

    if sync:
        raise InputError("--sync is not available with --ray yet: run embedrag ingest --sync without --ray")
    return ingest_on_ray(
        col,
        paths,
        address=address,
        include=include,
        exclude=exclude,
        text_field=text_field,
        id_field=id_field,
        metadata_fields=metadata_fields,
    )
