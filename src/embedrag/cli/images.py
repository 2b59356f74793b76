"""``embedrag images search``: find images in a folder by a text description, with a CLIP model ([hf] extra)."""

from __future__ import annotations

from pathlib import Path

import typer

from embedrag.cli._output import err_console, out_console, print_json, progress_bar

app = typer.Typer(help="Images and texts in one space: text-to-image search with a CLIP model.", no_args_is_help=True)


@app.command("search")
def search(
    folder: Path = typer.Argument(..., help="Folder of images, searched recursively."),
    query: str = typer.Argument(..., help="What to look for, in words."),
    model: str = typer.Option(..., "--model", "-m", help="A CLIP model folder ([hf] extra)."),
    top_k: int = typer.Option(5, "--top-k", "-k", help="Images to show."),
    cache: Path | None = typer.Option(
        None, "--cache", help="An .npz of image vectors, reused for unchanged files and rewritten."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Rank the images under FOLDER by cosine similarity to QUERY.

    Files without an image suffix (.jpg .jpeg .png .gif .bmp .webp .tif .tiff) are counted as
    skipped; image files that cannot be decoded are listed, not dropped.

    Example: embedrag images search ./photos "a dog on a beach" --model ./clip-vit-b32 --top-k 5
    """
    from rich.markup import escape
    from rich.table import Table

    from embedrag.embed import Embedder
    from embedrag.search.images import embed_image_folder

    embedder = Embedder(model)
    with progress_bar("embedding images") as report:
        images = embed_image_folder(embedder, folder, cache=cache, progress=lambda done, total: report(done, total))
    hits = images.search(embedder, query, k=top_k)
    if as_json:
        print_json(
            {
                "model": embedder.name,
                "query": query,
                "images": len(images.paths),
                "reused": images.reused,
                "skipped": len(images.skipped),
                "unreadable": [{"path": str(u.path), "reason": u.reason} for u in images.unreadable],
                "hits": [{"path": str(h.path), "score": round(h.score, 6)} for h in hits],
            }
        )
        return
    for bad in images.unreadable:
        err_console.print(f"[yellow]unreadable:[/] {escape(str(bad.path))}: {escape(bad.reason)}")
    cached = f" ({images.reused} from the cache)" if cache is not None else ""
    err_console.print(
        f"{len(images.paths)} images embedded{cached}; {len(images.skipped)} other files skipped; "
        f"{len(images.unreadable)} unreadable"
    )
    table = Table(title=f"{embedder.name}: images closest to {query!r}", title_justify="left")
    for column in ("#", "score", "image"):
        table.add_column(column, justify="right" if column != "image" else "left", overflow="fold")
    for rank, hit in enumerate(hits, start=1):
        table.add_row(str(rank), f"{hit.score:.4f}", escape(str(hit.path)))
    out_console.print(table)
