"""Node vectors: random walks read as sentences by Word2Vec (skip-gram), node ids as words."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from embedrag.graph.edges import Graph, read_edges
from embedrag.graph.walks import Walks, random_walks
from embedrag.words.train import fit_word2vec
from embedrag.words.vectors import WordVectors

__all__ = ["embed_graph"]

_WALK_SHARE = 0.2  # of the progress reported: walking, then training


def embed_graph(
    edges: Graph | str | Path,
    *,
    dims: int = 64,
    walk_length: int = 40,
    walks_per_node: int = 10,
    window: int = 5,
    p: float = 1.0,
    q: float = 1.0,
    epochs: int = 5,
    seed: int = 0,
    workers: int = 1,
    on_progress: Callable[[float], None] | None = None,
) -> WordVectors:
    """DeepWalk (``p = q = 1``) or node2vec vectors for every node of ``edges``.

    ``edges`` is a :class:`Graph` or an edge-list file (read as undirected; for a directed
    one pass ``read_edges(path, directed=True)``).

    The vectors' words are the node ids. ``on_progress(fraction)`` goes from 0 to 1: the
    walks are the first fifth, the Word2Vec passes (``epochs + 1``) the rest. The same
    ``seed`` gives the same vectors with ``workers=1`` (the default).
    """
    graph = edges if isinstance(edges, Graph) else read_edges(edges)
    name = Path("graph") if isinstance(edges, Graph) else Path(edges)
    walks = random_walks(
        graph,
        walk_length=walk_length,
        walks_per_node=walks_per_node,
        p=p,
        q=q,
        seed=seed,
        on_progress=None if on_progress is None else (lambda done: on_progress(done * _WALK_SHARE)),
    )
    sentences = _Sentences(walks, graph.nodes, passes=epochs + 1, on_progress=on_progress)
    vectors = fit_word2vec(
        sentences, dims=dims, window=window, min_count=1, epochs=epochs, workers=workers, seed=seed, name=name
    )
    if on_progress is not None:
        on_progress(1.0)
    return vectors


class _Sentences:
    """The walks as lists of node ids, once per ``iter()``, reporting progress by walks read."""

    def __init__(
        self, walks: Walks, nodes: list[str], *, passes: int, on_progress: Callable[[float], None] | None
    ) -> None:
        self.walks = walks
        self.names = np.array(nodes, dtype=object)
        self.passes = passes
        self.on_progress = on_progress
        self.done = 0

    def __iter__(self) -> Iterator[list[str]]:
        every = max(1, len(self.walks) // 100)
        for i, walk in enumerate(self.walks, start=1):
            yield self.names[walk[walk >= 0]].tolist()
            if self.on_progress is not None and i % every == 0:
                share = (self.done + i / len(self.walks)) / self.passes
                self.on_progress(_WALK_SHARE + (1 - _WALK_SHARE) * min(1.0, share))
        self.done += 1
