"""Zachary's karate club (from networkx, in the dev extra) as an edge-list file and a labels file."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from embedrag.graph import Graph


@pytest.fixture(scope="session")
def karate() -> tuple[Graph, dict[str, str]]:
    """The graph (34 nodes, 78 edges) and each member's club after the split ('Mr. Hi' or 'Officer')."""
    club = nx.karate_club_graph()
    graph = Graph.from_edges((str(u), str(v)) for u, v in club.edges())
    return graph, {str(n): club.nodes[n]["club"] for n in club.nodes}


@pytest.fixture(scope="session")
def karate_files(karate: tuple[Graph, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    graph, labels = karate
    folder = tmp_path_factory.mktemp("karate")
    edges, names = folder / "karate.edges", folder / "karate.labels"
    pairs = {(graph.nodes[i], graph.nodes[j]) for i in range(len(graph.nodes)) for j in _row(graph, i) if i < j}
    edges.write_text("# Zachary's karate club\n" + "".join(f"{u} {v}\n" for u, v in sorted(pairs)))
    names.write_text("".join(f"{node} {club}\n" for node, club in labels.items()))
    return edges, names


def _row(graph: Graph, i: int) -> list[int]:
    return [int(j) for j in graph.indices[graph.indptr[i] : graph.indptr[i + 1]]]
