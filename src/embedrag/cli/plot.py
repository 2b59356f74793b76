"""``embedrag plot``: a 2-D map of a collection's vectors, as PNG or as HTML with the text on hover."""

from __future__ import annotations

from pathlib import Path

import typer

from embedrag.cli._output import out_console


def plot(
    collection: Path = typer.Option(
        ..., "--collection", "-c", envvar="EMBEDRAG_COLLECTION", help="The collection directory ($EMBEDRAG_COLLECTION)."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="map.png (or .svg, .pdf) or map.html (hover shows text)."),
    color_by: str = typer.Option("folder", "--color-by", help="A metadata field, or 'folder' (of the source file)."),
    method: str = typer.Option("pca", "--method", help="pca, or umap (needs the umap extra)."),
    limit: int = typer.Option(5000, "--limit", help="At most this many chunks, spread over the collection."),
) -> None:
    """Draw the chunks of a collection in 2-D, coloured by a metadata field.

    Example: embedrag plot -c my-collection -o map.html --color-by category
    """
    from embedrag.collection import Collection
    from embedrag.errors import InputError
    from embedrag.plot import collection_map, write_map

    if limit < 3:
        raise InputError("--limit must be at least 3")
    with Collection.open(collection, create=False) as col:
        cmap = collection_map(col, color_by=color_by, method=method, limit=limit)
    write_map(cmap, output)
    out_console.print(f"{output}: {len(cmap.ids)} chunks, {len(set(cmap.labels))} colours by {color_by}")
