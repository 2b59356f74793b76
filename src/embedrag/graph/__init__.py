"""Graph embeddings: DeepWalk / node2vec vectors for the nodes of an edge list, and how well they separate classes.

>>> from embedrag.graph import Graph, embed_graph
>>> graph = Graph.from_edges([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
>>> sorted(embed_graph(graph, dims=8, walks_per_node=2, epochs=1).words)  # doctest: +SKIP
['a', 'b', 'c', 'd']
"""

from embedrag.graph.edges import Graph, read_edges
from embedrag.graph.embed import embed_graph
from embedrag.graph.evaluate import classify_accuracy, node_accuracy, read_labels
from embedrag.graph.walks import random_walks

__all__ = ["Graph", "classify_accuracy", "embed_graph", "node_accuracy", "random_walks", "read_edges", "read_labels"]
