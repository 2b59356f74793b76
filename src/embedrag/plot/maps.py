"""2-D maps of a collection: chunk vectors projected by PCA (or UMAP), coloured by a field.

Written as PNG (matplotlib) or as one self-contained HTML file (inline SVG, no script and no
network), where hovering a point shows its chunk's text.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from embedrag._optional import require
from embedrag.errors import InputError
from embedrag.plot._mpl import TABLEAU, pyplot, save

if TYPE_CHECKING:
    from embedrag.collection import Collection

__all__ = ["MAP_METHODS", "CollectionMap", "collection_map", "pca", "project", "write_map"]

Points = npt.NDArray[np.float64]
MAX_COLOURS = 10
"""The most frequent values get a colour each; the rest are drawn as ``other``."""
FOLDER = "folder"
"""The default colour field: the name of the folder of each chunk's source file."""


def pca(vectors: npt.ArrayLike, *, seed: int = 0) -> Points:
    """The first two principal components (signs fixed so the result is deterministic).

    >>> pca([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0]])[:, 0].round(3).tolist()  # positions along the line
    [-1.886, -0.471, 2.357]
    """
    x = np.asarray(vectors, dtype=np.float64)
    x = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    components = vt[:2]
    components *= np.where(components[np.arange(len(components)), np.abs(components).argmax(axis=1)] < 0, -1, 1)[
        :, None
    ]
    out: Points = np.zeros((len(x), 2))
    out[:, : len(components)] = x @ components.T
    return out


def _umap(vectors: npt.ArrayLike, *, seed: int = 0) -> Points:
    umap = require("umap", extra="umap", purpose="UMAP maps")
    x = np.asarray(vectors, dtype=np.float64)
    reducer = umap.UMAP(n_components=2, n_neighbors=min(15, len(x) - 1), metric="cosine", random_state=seed)
    return np.asarray(reducer.fit_transform(x), dtype=np.float64)


MAP_METHODS: dict[str, Callable[..., Points]] = {"pca": pca, "umap": _umap}
"""Projections to 2-D by name."""


def project(vectors: npt.ArrayLike, method: str = "pca", *, seed: int = 0) -> Points:
    """``vectors`` (n, dims) -> (n, 2) by ``method`` (``pca``, or ``umap`` with the ``umap`` extra)."""
    if method not in MAP_METHODS:
        raise InputError(f"unknown projection {method!r}; choose one of {', '.join(MAP_METHODS)}")
    if len(np.asarray(vectors)) < 3:
        raise InputError("a map needs at least 3 chunks")
    return MAP_METHODS[method](vectors, seed=seed)


@dataclass(frozen=True)
class CollectionMap:
    """Projected chunks: 2-D points, a label (colour group), id and text each."""

    points: Points
    labels: list[str]
    ids: list[str]
    texts: list[str]
    title: str


def _label(field: str, source: str, metadata: dict[str, Any]) -> str:
    if field == FOLDER:
        return PurePath(source).parent.name or "(top)"
    value = metadata.get(field)
    return "(none)" if value is None else str(value)


def _grouped(labels: list[str]) -> list[str]:
    common = {value for value, _ in Counter(labels).most_common(MAX_COLOURS - 1)}
    return labels if len(set(labels)) <= MAX_COLOURS else [v if v in common else "other" for v in labels]


def collection_map(
    col: Collection, *, color_by: str = FOLDER, method: str = "pca", limit: int = 5000, seed: int = 0
) -> CollectionMap:
    """Project up to ``limit`` chunks (evenly spread over the collection) of ``col``."""
    rows = list(col.chunks(with_vectors=True))
    if limit < len(rows):
        rows = [rows[i] for i in np.linspace(0, len(rows) - 1, limit).round().astype(int)]
    vectors = np.array([r.vector for r in rows], dtype=np.float32).reshape(len(rows), -1)
    labels = [_label(color_by, r.source, r.metadata) for r in rows]
    model = col.stats()["model"]
    title = f"{col.path.name}: {len(rows)} chunks, {model}, {method.upper()}, by {color_by}"
    points = project(vectors, method, seed=seed)
    return CollectionMap(points, _grouped(labels), [r.id for r in rows], [r.text for r in rows], title)


def write_map(cmap: CollectionMap, path: str | Path) -> Path:
    """Save as ``.html`` (hover shows text) or as an image (``.png``, ``.svg``, ... by suffix)."""
    out = Path(path)
    if out.suffix.lower() in (".html", ".htm"):
        out.write_text(_html(cmap), encoding="utf-8")
        return out
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 7))
    for group, colour in _palette(cmap.labels).items():
        mask = np.array([label == group for label in cmap.labels])
        ax.scatter(cmap.points[mask, 0], cmap.points[mask, 1], s=9, alpha=0.7, color=colour, label=group)
    ax.set(title=cmap.title, xticks=[], yticks=[])
    ax.legend(loc="best", fontsize="small", markerscale=2)
    fig.tight_layout()
    return save(fig, out)


def _palette(labels: list[str]) -> dict[str, str]:
    groups = [g for g, _ in Counter(labels).most_common()]
    return {group: TABLEAU[i % len(TABLEAU)] for i, group in enumerate(groups)}


def _html(cmap: CollectionMap, size: int = 800, pad: int = 20) -> str:
    low, high = cmap.points.min(axis=0), cmap.points.max(axis=0)
    scaled = (cmap.points - low) / np.where(high > low, high - low, 1.0) * (size - 2 * pad) + pad
    colours = _palette(cmap.labels)
    dots = "\n".join(
        f'<circle cx="{x:.1f}" cy="{size - y:.1f}" r="4" fill="{colours[label]}">'
        f"<title>{html.escape(doc)} [{html.escape(label)}]\n{html.escape(_snippet(text))}</title></circle>"
        for (x, y), label, doc, text in zip(scaled, cmap.labels, cmap.ids, cmap.texts, strict=True)
    )
    legend = "".join(
        f'<li><span style="background:{colour}"></span>{html.escape(group)}</li>' for group, colour in colours.items()
    )
    return _PAGE.format(title=html.escape(cmap.title), size=size, dots=dots, legend=legend)


def _snippet(text: str, limit: int = 400) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1em; }}
svg {{ border: 1px solid #ccc; background: #fff; }}
circle {{ opacity: 0.75; }} circle:hover {{ opacity: 1; stroke: #000; stroke-width: 1.5; }}
ul {{ list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 1em; }}
li span {{ display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em; border-radius: 50%; }}
</style></head>
<body><h1 style="font-size: 1.1em">{title}</h1><p>Hover a point to read its chunk.</p>
<ul>{legend}</ul>
<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">
{dots}
</svg></body></html>
"""
