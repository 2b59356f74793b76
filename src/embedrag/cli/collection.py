"""``embedrag ingest | search | similar | recommend | stats | check``: collections from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from embedrag.cli._output import QUIET, err_console, out_console, print_json, progress_bar

if TYPE_CHECKING:
    from embedrag.collection import Collection, IngestProgress, IngestReport
    from embedrag.types import Hit

COLLECTION = typer.Option(
    ..., "--collection", "-c", envvar="EMBEDRAG_COLLECTION", help="The collection directory ($EMBEDRAG_COLLECTION)."
)
FILTERS = typer.Option(
    None, "--filter", "-f", help="key=value, key=a|b, key>=n, key<n, key^=prefix (repeatable; 'source' is the path)."
)
JSON = typer.Option(False, "--json", help="Print JSON.")
_SHOW_SKIPPED = 5


def _open(
    path: Path,
    *,
    create: bool = False,
    model: str | None = None,
    variant: str = "fp32",
    token_vectors: bool = False,
    passage_context: str | None = None,
) -> Collection:
    from embedrag.collection import Collection

    kept = True if token_vectors else None  # without the flag: as the collection is
    return Collection.open(
        path,
        create=create,
        model=model,
        variant=variant,  # type: ignore[arg-type]
        token_vectors=kept,
        passage_context=passage_context,
    )


def ingest(
    paths: list[Path] = typer.Argument(..., help="Files and folders to ingest."),
    collection: Path = COLLECTION,
    model: str | None = typer.Option(None, "--model", "-m", help="Encoder for a new collection."),
    variant: str = typer.Option("fp32", "--variant", help="fp32 or int8, for a new collection."),
    token_vectors: bool = typer.Option(
        False, "--token-vectors", help="A new collection keeps each chunk's token vectors: a fast --rerank late."
    ),
    passage_context: str | None = typer.Option(
        None,
        "--passage-context",
        help="What a new collection embeds before each chunk: title-headings (the default) or none.",
    ),
    include: list[str] = typer.Option([], "--include", help="Glob of files to take inside folders."),
    exclude: list[str] = typer.Option([], "--exclude", help="Glob of files or folders to leave out."),
    sync: bool = typer.Option(False, "--sync", help="Delete documents whose files are gone."),
    text_field: str = typer.Option("text", "--text-field", help="JSONL/CSV: the text field."),
    id_field: str | None = typer.Option(None, "--id-field", help="JSONL/CSV: the id field."),
    metadata_field: list[str] = typer.Option([], "--metadata-field", help="JSONL/CSV: fields to keep."),
    ray_address: str | None = typer.Option(
        None, "--ray", help="Chunk and embed on a Ray cluster: auto, local or host:port (docs/scaling.md)."
    ),
    json_out: bool = JSON,
    quiet: bool = QUIET,
) -> None:
    """Load, chunk, embed and store documents; re-running skips unchanged files.

    Example: embedrag ingest docs/ notes.md -c my-collection --include "*.md"
    """
    import time

    col = _open(
        collection,
        create=True,
        model=model,
        variant=variant,
        token_vectors=token_vectors,
        passage_context=passage_context,
    )
    if ray_address is not None:
        from embedrag.cli.distributed import ingest_on_ray_command

        with col:
            options = (include, exclude, text_field, id_field, metadata_field)
            report = ingest_on_ray_command(col, paths, ray_address, sync, *options)
        _report(report, collection, json_out)
        return
    with col, progress_bar("ingesting", unit="files", quiet=quiet or json_out) as show:
        started = time.perf_counter()

        def progress(at: IngestProgress) -> None:
            rate = at.chunks / max(time.perf_counter() - started, 1e-9)
            show(
                at.files,
                total=at.files_total,
                note=f"{at.documents} documents, {at.chunks} chunks, {rate:.1f} chunks/s",
            )

        report = col.ingest(
            paths,
            include=include,
            exclude=exclude,
            sync=sync,
            progress=progress,
            text_field=text_field,
            id_field=id_field,
            metadata_fields=metadata_field,
        )
    _report(report, collection, json_out)


def _report(report: IngestReport, collection: Path, json_out: bool) -> None:
    from rich.markup import escape

    if json_out:
        print_json(report.as_dict())
        return
    for skip in report.skipped[:_SHOW_SKIPPED]:
        err_console.print(f"[yellow]skipped[/] {escape(skip.reason)}")
    if len(report.skipped) > _SHOW_SKIPPED:
        err_console.print(f"[yellow]skipped[/] ... and {len(report.skipped) - _SHOW_SKIPPED} more (--json lists all)")
    rate = report.chunks / report.seconds if report.seconds else 0.0
    out_console.print(
        f"{collection}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.removed} removed, {len(report.skipped)} skipped; {report.chunks} chunks in "
        f"{report.seconds:.1f} s ({rate:.1f} chunks/s)"
    )


def search(
    query: str = typer.Argument(..., help="What to look for."),
    collection: Path = COLLECTION,
    mode: str = typer.Option("hybrid", "--mode", help="dense, bm25 or hybrid."),
    k: int = typer.Option(5, "--k", "-k", help="Number of results."),
    filters: list[str] | None = FILTERS,
    rerank: str | None = typer.Option(None, "--rerank", help="late (MaxSim) or a cross-encoder model folder."),
    exact: bool = typer.Option(False, "--exact", help="Exact vector search (no HNSW)."),
    json_out: bool = JSON,
) -> None:
    """Search a collection.

    Example: embedrag search "mobile phone sales" -c my-collection --filter "source^=news/" --json
    """
    with _open(collection) as col:
        hits = col.search(query, k=k, mode=mode, filters=filters, rerank=rerank, exact=exact)
    _show_hits(hits, json_out)


def similar(
    doc_id: str = typer.Argument(..., help="A document id (see --json output of search)."),
    collection: Path = COLLECTION,
    k: int = typer.Option(5, "--k", "-k", help="Number of results."),
    filters: list[str] | None = FILTERS,
    json_out: bool = JSON,
) -> None:
    """Documents most like one document (the best chunk of each).

    Example: embedrag similar tech/001.txt -c my-collection
    """
    with _open(collection) as col:
        hits = col.similar(doc_id, k=k, filters=filters)
    _show_hits(hits, json_out)


def recommend(
    liked: list[str] = typer.Option(..., "--like", help="A document id you like (repeatable)."),
    disliked: list[str] = typer.Option([], "--dislike", help="A document id you do not like (repeatable)."),
    collection: Path = COLLECTION,
    k: int = typer.Option(5, "--k", "-k", help="Number of results."),
    filters: list[str] | None = FILTERS,
    json_out: bool = JSON,
) -> None:
    """Documents like these and unlike those.

    Example: embedrag recommend --like sport/001.txt --dislike business/002.txt -c my-collection
    """
    with _open(collection) as col:
        hits = col.recommend(liked, disliked, k=k, filters=filters)
    _show_hits(hits, json_out)


def delete(
    doc_ids: list[str] = typer.Argument(None, help="Ids of the documents to delete."),
    collection: Path = COLLECTION,
    under: Path | None = typer.Option(None, "--under", help="Also every document whose file lies in this folder."),
    json_out: bool = JSON,
) -> None:
    """Delete documents by id, or every document ingested from a folder; nothing if one id is unknown.

    Example: embedrag delete tech/001.txt tech/002.txt -c my-collection; embedrag delete --under old-docs/ -c col
    """
    from embedrag.errors import InputError

    if not doc_ids and under is None:
        raise InputError("say which documents to delete: their ids, or --under FOLDER")
    with _open(collection) as col:
        unknown = [doc_id for doc_id in doc_ids or [] if not col.has_document(doc_id)]
        if unknown:
            shown = ", ".join(map(repr, unknown[:10]))
            raise InputError(f"no such document(s) in {collection}: {shown}; nothing was deleted")
        in_folder = [info.id for info in col.documents(under=under)] if under is not None else []
        chosen = list(dict.fromkeys([*(doc_ids or []), *in_folder]))
        removed = col.delete(chosen)
    if json_out:
        print_json({"removed": removed, "ids": chosen})
    else:
        out_console.print(f"{collection}: {removed} removed")


def stats(collection: Path = COLLECTION, json_out: bool = JSON) -> None:
    """Counts and the embedding model of a collection.

    Example: embedrag stats -c my-collection --json
    """
    with _open(collection) as col:
        numbers = col.stats()
    if json_out:
        print_json(numbers)
        return
    for key, value in numbers.items():
        out_console.print(f"{key:>11}  {value}")


def check(
    collection: Path = COLLECTION,
    repair: bool = typer.Option(False, "--repair", help="Fix what can be fixed."),
    json_out: bool = JSON,
) -> None:
    """Verify the database and derived indexes (exit code 1 if problems remain).

    Example: embedrag check -c my-collection --repair
    """
    with _open(collection) as col:
        report = col.check(repair=repair)
    if json_out:
        print_json({"ok": report.ok, "problems": report.problems, "repaired": report.repaired, "notes": report.notes})
    else:
        for line in report.repaired:
            out_console.print(f"[green]repaired[/] {line}")
        for line in report.notes:
            out_console.print(f"note: {line}")
        for line in report.problems:
            err_console.print(f"[red]problem[/] {line}")
        out_console.print("[green]ok[/]" if report.ok else f"{len(report.problems)} problem(s)")
    if not report.ok:
        raise typer.Exit(1)


def hit_json(hit: Hit) -> dict[str, Any]:
    """The CLI's JSON shape of a hit: ``{"id", "score", "text", "source", "metadata", "start", "end"}``."""
    from embedrag.collection import hit_dict

    return {key: value for key, value in hit_dict(hit).items() if key != "doc_id"}


def _show_hits(hits: list[Hit], json_out: bool) -> None:
    from rich.markup import escape

    if json_out:
        print_json([hit_json(h) for h in hits])
        return
    if not hits:
        out_console.print("no results")
    for rank, hit in enumerate(hits, start=1):
        snippet = " ".join(hit.text.split())
        snippet = snippet if len(snippet) <= 240 else snippet[:237] + "..."
        out_console.print(
            f"[bold]{rank}.[/] [cyan]{escape(hit.id)}[/]  score {hit.score:.4f}  [dim]{escape(hit.source)}[/]"
        )
        out_console.print(f"   {snippet}", markup=False)


def register(app: typer.Typer, *, panel: str) -> None:
    """Add the collection commands to the root app, under the help panel ``panel``."""
    for command in (ingest, search, similar, recommend, delete, stats, check):
        app.command(command.__name__, rich_help_panel=panel)(command)
