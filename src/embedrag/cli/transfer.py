"""``embedrag export | import``: a collection to and from Parquet (DuckDB, Polars, pandas, LanceDB)."""

from __future__ import annotations

from pathlib import Path

import typer

from embedrag.cli._output import out_console, print_json

COLLECTION = typer.Option(
    ..., "--collection", "-c", envvar="EMBEDRAG_COLLECTION", help="The collection directory ($EMBEDRAG_COLLECTION)."
)


def export_command(
    collection: Path = COLLECTION,
    output: Path = typer.Option(..., "--output", "-o", help="The Parquet file to write."),
) -> None:
    """Write every chunk (ids, text, offsets, metadata, vector) and the embedding spec to a Parquet file.

    Example: embedrag export -c my-collection -o chunks.parquet
    """
    from embedrag.collection import Collection

    with Collection.open(collection, create=False) as col:
        rows = col.export_parquet(output)
    out_console.print(f"{output}: {rows} chunks of {col.spec.model} ({col.spec.dims} dims)")


def import_command(
    path: Path = typer.Argument(..., help="The Parquet file to read."),
    collection: Path = COLLECTION,
    model: str | None = typer.Option(None, "--model", "-m", help="Encoder for a new collection (default: the file's)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Add a Parquet file's documents; its vectors are kept when its model matches, re-embedded otherwise.

    Importing the same file again changes nothing. A bad file changes nothing either.
    Example: embedrag import chunks.parquet -c my-copy
    """
    from embedrag.collection import Collection
    from embedrag.collection.parquet import file_spec

    if model is None and not Collection.exists(collection) and (spec := file_spec(path)) is not None:
        model = spec.model
    with Collection.open(collection, model=model) as col:
        report = col.import_parquet(path)
    if json_out:
        print_json(report.as_dict())
        return
    out_console.print(
        f"{collection}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged; "
        f"{report.chunks} chunks"
    )
