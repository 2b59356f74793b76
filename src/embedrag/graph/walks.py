"""Random walks over a :class:`~embedrag.graph.edges.Graph`: DeepWalk (uniform) and node2vec (p, q).

All walkers of one round move together, one numpy step at a time. node2vec's second-order
bias is drawn by rejection: propose a neighbour by edge weight, accept it with probability
``bias / max_bias`` where the bias is ``1/p`` to go back, ``1`` to a neighbour of the
previous node and ``1/q`` further out (Grover & Leskovec 2016). ``p = q = 1`` is DeepWalk.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from embedrag.errors import ConfigError
from embedrag.graph.edges import Graph

__all__ = ["random_walks"]

Walks = npt.NDArray[np.int64]
Ints = npt.NDArray[np.int64]
_BATCH = 16_384


def random_walks(
    graph: Graph,
    *,
    walk_length: int = 40,
    walks_per_node: int = 10,
    p: float = 1.0,
    q: float = 1.0,
    seed: int = 0,
    on_progress: Callable[[float], None] | None = None,
) -> Walks:
    """``walks_per_node`` walks from every node, as node indices, one walk per row.

    Rows are ``walk_length`` long; a walk that reaches a node without (out-)neighbours
    stops there and the rest of its row is ``-1``. Each round starts from every node in
    a shuffled order. The same ``seed`` gives the same walks.
    """
    for option, value in (("walk_length", walk_length), ("walks_per_node", walks_per_node)):
        if value < 1:
            raise ConfigError(f"{option} must be at least 1, got {value}")
    if not (p > 0 and q > 0 and np.isfinite(p) and np.isfinite(q)):
        raise ConfigError(f"p and q must be positive numbers, got p={p}, q={q}")
    rng = np.random.default_rng(seed)
    walker = _Walker(graph, p, q, rng)
    n = len(graph.nodes)
    per_batch = max(1, _BATCH // n)  # small graphs walk several rounds at once: fewer, larger numpy steps
    batches = []
    for first in range(0, walks_per_node, per_batch):
        rounds = range(first, min(first + per_batch, walks_per_node))
        batches.append(walker.walk(np.concatenate([rng.permutation(n) for _ in rounds]), walk_length))
        if on_progress is not None:
            on_progress((rounds[-1] + 1) / walks_per_node)
    return np.concatenate(batches)


class _Walker:
    def __init__(self, graph: Graph, p: float, q: float, rng: np.random.Generator) -> None:
        self.graph = graph
        self.rng = rng
        self.degree = graph.degree()
        self.cumulative = np.cumsum(graph.weights)
        self.uniform = bool(np.all(graph.weights == graph.weights[0])) if len(graph.weights) else True
        self.bias = (1 / p, 1.0, 1 / q)
        # Edges as sorted keys ``u * n + v`` (CSR order is already sorted) for vectorised "is v a neighbour of u".
        n = len(graph.nodes)
        self.keys = np.repeat(np.arange(n, dtype=np.int64), self.degree) * n + graph.indices

    def walk(self, starts: Ints, length: int) -> Walks:
        walks = np.full((len(starts), length), -1, dtype=np.int64)
        walks[:, 0] = starts
        for t in range(1, length):
            rows = np.flatnonzero(walks[:, t - 1] >= 0)
            rows = rows[self.degree[walks[rows, t - 1]] > 0]
            if not rows.size:
                break
            previous = walks[rows, t - 2] if t > 1 else np.full(len(rows), -1, dtype=np.int64)
            walks[rows, t] = self._step(walks[rows, t - 1], previous)
        return walks

    def _step(self, current: Ints, previous: Ints) -> Ints:
        chosen = self._neighbor(current)
        if self.bias == (1.0, 1.0, 1.0):
            return chosen
        top = max(self.bias)
        pending = np.flatnonzero(previous >= 0)
        while pending.size:
            back, near, far = self.bias
            before, candidate = previous[pending], chosen[pending]
            bias = np.where(candidate == before, back, np.where(self._is_edge(before, candidate), near, far))
            pending = pending[self.rng.random(len(pending)) * top >= bias]
            chosen[pending] = self._neighbor(current[pending])
        return chosen

    def _neighbor(self, nodes: Ints) -> Ints:
        """One (out-)neighbour of each node, drawn in proportion to the edge weights."""
        start, degree = self.graph.indptr[nodes], self.degree[nodes]
        if self.uniform:
            slot = start + (self.rng.random(len(nodes)) * degree).astype(np.int64)
        else:
            before = self.cumulative[start] - self.graph.weights[start]
            total = self.cumulative[start + degree - 1] - before
            slot = np.searchsorted(self.cumulative, before + self.rng.random(len(nodes)) * total, side="right")
        return self.graph.indices[np.clip(slot, start, start + degree - 1)]

    def _is_edge(self, u: Ints, v: Ints) -> npt.NDArray[np.bool_]:
        wanted = u * len(self.graph.nodes) + v
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        found: npt.NDArray[np.bool_] = self.keys[at] == wanted
        return found
