"""Graphs from plain edge lists: ``u v [weight]`` per line, kept as a CSR adjacency.

The file format: one edge per line, fields separated by whitespace or a comma, node ids
are any tokens (kept as strings), the weight is optional (default 1) and must be a
positive finite number. Blank lines and lines starting with ``#`` are skipped.

- A **self-loop** (``a a``) is dropped, and counted: a walk that stays put teaches
  nothing; its node is still a node of the graph.
- A **repeated edge** (``a b`` twice, or ``b a`` after ``a b`` in an undirected graph)
  is merged into one edge with the larger weight, and counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embedrag.errors import InputError

__all__ = ["Graph", "read_edges", "text_lines"]

_SPLIT = re.compile(r"[,\s]+")
Edge = tuple[str, str, float]


@dataclass(frozen=True)
class Graph:
    """Nodes ``nodes[i]``; the neighbours of ``i`` are ``indices[indptr[i]:indptr[i + 1]]`` (sorted).

    An undirected graph holds each edge in both directions.
    """

    nodes: list[str]
    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]
    directed: bool = False
    self_loops: int = 0
    duplicates: int = 0

    @property
    def edges(self) -> int:
        """How many edges (an undirected edge counts once)."""
        return len(self.indices) if self.directed else (len(self.indices) // 2)

    def degree(self) -> npt.NDArray[np.int64]:
        """Out-degree of every node (the degree, when undirected)."""
        return np.diff(self.indptr)

    def neighbors(self, node: str) -> list[str]:
        """The (out-)neighbours of ``node``, which must exist."""
        try:
            i = self.nodes.index(node)
        except ValueError:
            raise InputError(f"unknown node '{node}'") from None
        return [self.nodes[j] for j in self.indices[self.indptr[i] : self.indptr[i + 1]]]

    @classmethod
    def from_edges(cls, edges: Iterable[tuple[str, str] | Edge], *, directed: bool = False) -> Graph:
        """Build a graph from ``(u, v)`` or ``(u, v, weight)`` tuples (see the module doc for loops and repeats)."""
        index: dict[str, int] = {}
        merged: dict[tuple[int, int], float] = {}
        loops = repeats = 0
        for edge in edges:
            u, v = (index.setdefault(str(node), len(index)) for node in edge[:2])
            weight = float(edge[2]) if len(edge) > 2 else 1.0
            if u == v:
                loops += 1
                continue
            key = (u, v) if directed or u < v else (v, u)
            repeats += key in merged
            merged[key] = max(weight, merged.get(key, 0.0))
        if not merged:
            raise InputError("the graph has no edges" + (f" besides {loops} self-loops (dropped)" if loops else ""))
        return cls._csr(list(index), merged, directed=directed, self_loops=loops, duplicates=repeats)

    @classmethod
    def _csr(cls, nodes: list[str], merged: dict[tuple[int, int], float], **info: int | bool) -> Graph:
        pairs = np.array(list(merged), dtype=np.int64).reshape(-1, 2)
        weights = np.fromiter(merged.values(), dtype=np.float64, count=len(merged))
        if not info["directed"]:
            pairs = np.concatenate([pairs, pairs[:, ::-1]])
            weights = np.concatenate([weights, weights])
        order = np.lexsort((pairs[:, 1], pairs[:, 0]))
        indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
        np.cumsum(np.bincount(pairs[:, 0], minlength=len(nodes)), out=indptr[1:])
        return cls(nodes, indptr, pairs[order, 1].copy(), weights[order], **info)  # type: ignore[arg-type]


def read_edges(path: str | Path, *, directed: bool = False, encoding: str = "utf-8") -> Graph:
    """Read an edge-list file (see the module doc); errors name the file and line."""
    return Graph.from_edges(_parse(Path(path), encoding), directed=directed)


def text_lines(path: Path, encoding: str, *, what: str) -> Iterator[tuple[int, str]]:
    """``(line number, stripped text)`` of the lines of ``path`` that are neither blank nor ``#`` comments."""
    if not path.is_file():
        raise InputError(f"{path}: no such {what} file")
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            try:
                line = raw.decode(encoding).strip()
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: line {line_no}: not valid {encoding}") from exc
            if line and not line.startswith("#"):
                yield line_no, line


def _parse(path: Path, encoding: str) -> Iterator[Edge]:
    found = False
    for line_no, line in text_lines(path, encoding, what="edge-list"):
        edge = _edge(path, line_no, _SPLIT.split(line))
        found = found or edge[0] != edge[1]
        yield edge
    if not found:
        raise InputError(f"{path}: no edges (expected lines 'u v' or 'u v weight'; self-loops are dropped)")


def _edge(path: Path, line_no: int, fields: list[str]) -> Edge:
    if len(fields) not in (2, 3) or not all(fields):
        raise InputError(f"{path}: line {line_no}: expected 'u v' or 'u v weight', got {len(fields)} fields")
    weight = 1.0
    if len(fields) == 3:
        try:
            weight = float(fields[2])
        except ValueError:
            weight = float("nan")
        if not (np.isfinite(weight) and weight > 0):
            raise InputError(f"{path}: line {line_no}: the weight must be a positive number, got '{fields[2]}'")
    return fields[0], fields[1], weight
