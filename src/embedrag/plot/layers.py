"""One word across sentences, layer by layer: the curves behind ``embedrag contextual compare --plot``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedrag.plot._mpl import TABLEAU, pyplot, save

if TYPE_CHECKING:
    from embedrag.embed.contextual import WordComparison

__all__ = ["layer_figure", "plot_layers"]

SENTENCE_CHARS = 80
"""Sentences listed under the chart are cut to this many characters."""


def _pairs(n: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(n) for b in range(a + 1, n)]


def _short(text: str, limit: int = SENTENCE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def layer_figure(result: WordComparison, *, model: str = "", static: str = "") -> Any:
    """A matplotlib figure: one line per sentence pair (x = layer, 0 = embeddings; y = cosine of the
    word's vectors in the two sentences), the static vector's similarity as a dashed line, and the
    sentences listed underneath. ``model`` and ``static`` name the encoder and the static vectors."""
    plt = pyplot()
    n = len(result.sentences)
    fig, ax = plt.subplots(figsize=(8.5, 4.6 + 0.24 * n))
    layers = list(range(len(result.layers)))
    lowest = 1.0
    for k, (a, b) in enumerate(_pairs(n)):
        values = [float(m[a, b]) for m in result.layers]
        lowest = min(lowest, *values)
        colour = TABLEAU[k % len(TABLEAU)]
        ax.plot(layers, values, marker="o", markersize=4, lw=2, color=colour, label=f"s{a + 1}-s{b + 1}")
    if result.static is not None:
        value = float(result.static[0, 1])
        ax.axhline(value, ls="--", lw=1.5, color="0.3")
        ax.text(
            layers[-1], value, f"static {static or 'vector'}: {value:.2f} (one vector, whatever the sentence)",
            ha="right", va="bottom", fontsize="small", color="0.3",
        )  # fmt: skip
    top = max(1.0, float(result.static.max())) if result.static is not None else 1.0
    ax.set(ylim=(lowest - 0.05, top + 0.04), xlim=(-0.2, layers[-1] + 0.2), ylabel="cosine similarity")
    ax.set_xticks(layers, ["0\nembeddings", *(str(i) for i in layers[1:])])
    ax.set_xlabel("layer")
    ax.grid(alpha=0.3)
    ax.legend(title="sentence pair", loc="best", fontsize="small", ncol=1 if n <= 4 else 2)
    where = f" by {model}" if model else ""
    ax.set_title(f"{result.word!r} in {n} sentences: its contextual vectors{where}, compared layer by layer")
    listed = "\n".join(f"s{i + 1}: {_short(s)}" for i, s in enumerate(result.sentences))
    fig.text(0.01, 0.01, listed, ha="left", va="bottom", fontsize="small", family="monospace")
    fig.tight_layout(rect=(0, (0.05 + 0.16 * n) / (4.6 + 0.24 * n), 1, 1))
    return fig


def plot_layers(result: WordComparison, path: str | Path, *, model: str = "", static: str = "") -> Path:
    """Save :func:`layer_figure` as an image (``.png``, ``.svg``, ``.pdf``, ... by suffix)."""
    return save(layer_figure(result, model=model, static=static), path)
