"""Karate club: how well a linear classifier separates the two clubs from DeepWalk / node2vec node vectors.

Compares, for several seeds, 5-fold stratified accuracy of logistic regression on
DeepWalk and node2vec vectors with two baselines: random 64-d vectors and the node
degree. Prints a markdown table (pasted into docs/graphs.md).

    python bench/graph_karate.py --seeds 10

Needs networkx (dev extra) for the graph and gensim (train extra).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import networkx as nx
import numpy as np

from embedrag.graph import Graph, classify_accuracy, embed_graph

Features = Callable[[Graph, int], np.ndarray]


def _node_vectors(p: float, q: float) -> Features:
    def features(graph: Graph, seed: int) -> np.ndarray:
        vectors = embed_graph(graph, p=p, q=q, seed=seed)
        return vectors.vectors[vectors.rows(graph.nodes)].astype(np.float64)

    return features


METHODS: dict[str, Features] = {
    "DeepWalk (p=1, q=1)": _node_vectors(1.0, 1.0),
    "node2vec p=1, q=0.5 (outward)": _node_vectors(1.0, 0.5),
    "node2vec p=1, q=2 (local)": _node_vectors(1.0, 2.0),
    "random 64-d vectors": lambda graph, seed: np.random.default_rng(seed).normal(size=(len(graph.nodes), 64)),
    "node degree": lambda graph, seed: graph.degree()[:, None].astype(np.float64),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (embedding and folds)")
    args = parser.parse_args()
    club = nx.karate_club_graph()
    graph = Graph.from_edges((str(u), str(v)) for u, v in club.edges())
    targets = np.array([club.nodes[int(node)]["club"] == "Officer" for node in graph.nodes], dtype=np.int64)
    print(f"Command: `python bench/graph_karate.py --seeds {args.seeds}`\n")
    print("| features | mean accuracy | min | max | seconds per seed |")
    print("|---|---|---|---|---|")
    for name, features in METHODS.items():
        started = time.perf_counter()
        scores = [classify_accuracy(features(graph, seed), targets, seed=seed) for seed in range(args.seeds)]
        seconds = (time.perf_counter() - started) / args.seeds
        print(f"| {name} | {np.mean(scores):.3f} | {min(scores):.3f} | {max(scores):.3f} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
