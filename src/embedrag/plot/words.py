"""Word vectors in 2-D: a PCA of the chosen words, with arrows for analogies (``embedrag words plot``).

An analogy *man is to woman as king is to queen* is drawn as two arrows, man -> woman and
king -> queen, in one colour: if the vectors hold the analogy, the arrows are parallel and
of equal length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from embedrag.errors import InputError
from embedrag.plot._labels import place_labels
from embedrag.plot._mpl import TABLEAU, module, pyplot, save
from embedrag.plot.maps import Points, pca
from embedrag.words.query import parse_analogy, parse_proportion

if TYPE_CHECKING:
    from embedrag.words import WordVectors

__all__ = ["Arrow", "WordMap", "plot_words", "read_analogy", "word_figure", "word_map"]

Proportion = tuple[str, str, str, str]


def read_analogy(wv: WordVectors, text: str) -> tuple[Proportion, str]:
    """``"man:woman::king:queen"`` as written, or ``"king - man + woman"`` completed by ``wv``'s
    best answer (3CosAdd, as ``embedrag words analogy``); with a label for the legend.

    ``"king - man + woman"`` is *man is to woman as king is to ?*: arrows man -> woman, king -> ?.
    """
    if ":" in text:
        found = parse_proportion(text)
        return found, f"{found[0]}:{found[1]} :: {found[2]}:{found[3]}"
    positive, negative = parse_analogy(text)
    if len(positive) != 2 or len(negative) != 1:
        raise InputError(f"an analogy to draw has three words, like 'king - man + woman'; got {text!r}")
    answer = wv.analogy(positive, negative, k=1)[0]
    found = (negative[0], positive[1], positive[0], answer.word)
    label = f"{found[0]}:{found[1]} :: {found[2]}:{found[3]}  ({positive[0]} - {negative[0]} + {positive[1]})"
    return found, label


@dataclass(frozen=True)
class Arrow:
    """From ``words[start]`` to ``words[end]``; arrows of one analogy share a ``group`` (and colour)."""

    start: int
    end: int
    group: int


@dataclass(frozen=True)
class WordMap:
    """Words projected to 2-D (``points[i]`` is ``words[i]``), the analogy arrows and their labels."""

    words: list[str]
    points: Points
    arrows: list[Arrow]
    analogies: list[str]
    title: str


def word_map(wv: WordVectors, words: Sequence[str] = (), analogies: Sequence[str] = ()) -> WordMap:
    """Project ``words`` and the words of ``analogies`` (see :func:`read_analogy`) with a PCA fitted
    on them alone; cosines are what the analogies use, so the unit-length vectors are projected."""
    wv.rows([*words, *(w for text in analogies for w in _written(text))])  # one error names every unknown word
    read = [read_analogy(wv, text) for text in analogies]
    wanted = [*words, *(w for found, _ in read for w in found)]
    rows: dict[int, int] = {}  # vocabulary row -> point: "King" and "king" are one point
    names: list[str] = []
    for word, row in zip(wanted, wv.rows(wanted).tolist(), strict=True):
        if row not in rows:
            rows[row] = len(names)
            names.append(word)
    if len(names) < 2:
        raise InputError("a word map needs at least two different words (give WORDS or --analogy)")
    where = [rows[row] for row in wv.rows(wanted).tolist()]
    first = len(words)  # analogy g's four words are wanted[first + 4g : first + 4g + 4]
    arrows = [
        Arrow(where[first + 4 * g + a], where[first + 4 * g + a + 1], g) for g in range(len(read)) for a in (0, 2)
    ]
    vectors = np.asarray(wv.unit[list(rows)], dtype=np.float64)
    share = _variance_share(vectors)
    title = f"{len(names)} words of {wv.name or 'word vectors'}: PCA, {share:.0%} of their variance in 2-D"
    return WordMap(names, pca(vectors), arrows, [label for _, label in read], title)


def _written(text: str) -> list[str]:
    """The words an analogy names (without the answer it may ask for)."""
    if ":" in text:
        return list(parse_proportion(text))
    positive, negative = parse_analogy(text)
    return [*positive, *negative]


def _variance_share(vectors: npt.NDArray[np.float64]) -> float:
    """How much of the points' variance the first two principal components keep."""
    spread = np.linalg.svd(vectors - vectors.mean(axis=0), compute_uv=False) ** 2
    return float(spread[:2].sum() / spread.sum()) if spread.sum() > 0 else 1.0


def word_figure(wmap: WordMap) -> Any:
    """A matplotlib figure of ``wmap``: labelled points, one colour of arrows per analogy, equal axes."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 7), dpi=DPI)
    points = wmap.points
    ax.scatter(points[:, 0], points[:, 1], s=28, color="0.25", zorder=3)
    arrow_patch = module("matplotlib.patches").FancyArrowPatch
    for arrow in wmap.arrows:
        colour = TABLEAU[arrow.group % len(TABLEAU)]
        ax.add_patch(
            arrow_patch(
                points[arrow.start], points[arrow.end], arrowstyle="-|>", mutation_scale=18,
                lw=2, color=colour, shrinkA=5, shrinkB=5, zorder=2,
            )
        )  # fmt: skip
    if wmap.analogies:
        line = module("matplotlib.lines").Line2D
        handles = [line([], [], color=TABLEAU[g % len(TABLEAU)], lw=2) for g in range(len(wmap.analogies))]
        ax.legend(
            handles, wmap.analogies, loc="best", fontsize="small", title="a:b :: c:d, arrows a \u2192 b, c \u2192 d"
        )
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.15)
    ax.set(xticks=[], yticks=[], xlabel="principal component 1", ylabel="principal component 2")
    ax.set_title(wmap.title, fontsize="medium")
    fig.tight_layout()
    _label_points(fig, ax, wmap)
    return fig


DPI = 120
"""Figures are drawn and saved at this resolution, so measured label sizes stay true."""


def _label_points(fig: Any, ax: Any, wmap: WordMap) -> None:
    """Write each word beside its point, on the side that covers the least (see :mod:`._labels`)."""
    texts = [
        ax.annotate(w, p, xytext=(0, 0), textcoords="offset points", fontsize=11)
        for w, p in zip(wmap.words, wmap.points, strict=True)
    ]
    fig.canvas.draw()  # fixes the layout and the equal aspect: pixel positions are now final
    renderer = fig.canvas.get_renderer()
    pixels = ax.transData.transform(wmap.points)
    marker = [(0, 0), (-4, 0), (4, 0), (0, -4), (0, 4)]
    obstacles = [p + m for p in pixels for m in marker]
    for a in wmap.arrows:  # the shaft, and a band as wide as the arrow head around it
        along = pixels[a.end] - pixels[a.start]
        length = float(np.linalg.norm(along)) or 1.0
        across = np.array([-along[1], along[0]]) / length
        steps = np.linspace(0, 1, int(length / 2) + 2)  # every 2 pixels: no label slips between samples
        obstacles += [pixels[a.start] + t * along + w * across for t in steps for w in (-7, -3.5, 0, 3.5, 7)]
    sizes = [(b.width, b.height) for b in (t.get_window_extent(renderer) for t in texts)]
    frame = ax.get_window_extent(renderer)
    legend = ax.get_legend()
    if legend is not None:  # the legend box is an obstacle too: sample its area
        box = legend.get_window_extent(renderer)
        grid = np.stack(np.meshgrid(np.linspace(box.x0, box.x1, 20), np.linspace(box.y0, box.y1, 8)), -1)
        obstacles += list(grid.reshape(-1, 2))
    spots = place_labels(pixels, sizes, obstacles, (frame.x0, frame.y0, frame.x1, frame.y1))
    for text, spot in zip(texts, spots, strict=True):
        text.xyann = (spot.dx * 72 / fig.dpi, spot.dy * 72 / fig.dpi)
        text.set_horizontalalignment(spot.ha)
        text.set_verticalalignment(spot.va)


def plot_words(wmap: WordMap, path: str | Path) -> Path:
    """Save :func:`word_figure` as an image (``.png``, ``.svg``, ``.pdf``, ... by suffix)."""
    return save(word_figure(wmap), path, dpi=DPI)
