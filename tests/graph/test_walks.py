from __future__ import annotations

from collections import Counter
from itertools import pairwise

import numpy as np
import pytest

from embedrag.errors import ConfigError
from embedrag.graph import Graph, random_walks


def _steps_follow_edges(graph: Graph, walks: np.ndarray) -> bool:
    edges = {
        (int(u), int(v)) for u in range(len(graph.nodes)) for v in graph.indices[graph.indptr[u] : graph.indptr[u + 1]]
    }
    steps = {(int(a), int(b)) for walk in walks for a, b in pairwise(walk) if b >= 0}
    return steps <= edges


@pytest.mark.parametrize(("p", "q"), [(1.0, 1.0), (0.25, 4.0), (4.0, 0.25)])
def test_walks_have_the_requested_shape_start_everywhere_and_follow_edges(
    karate: tuple[Graph, dict[str, str]], p: float, q: float
) -> None:
    graph, _ = karate
    walks = random_walks(graph, walk_length=12, walks_per_node=3, p=p, q=q, seed=1)
    assert walks.shape == (3 * 34, 12) and (walks >= 0).all()  # karate is connected: no walk stops early
    assert Counter(walks[:, 0].tolist()) == dict.fromkeys(range(34), 3)
    assert _steps_follow_edges(graph, walks)


def test_the_same_seed_gives_the_same_walks_and_another_seed_others(karate: tuple[Graph, dict[str, str]]) -> None:
    graph, _ = karate
    first = random_walks(graph, walk_length=10, walks_per_node=2, q=0.5, seed=7)
    assert np.array_equal(first, random_walks(graph, walk_length=10, walks_per_node=2, q=0.5, seed=7))
    assert not np.array_equal(first, random_walks(graph, walk_length=10, walks_per_node=2, q=0.5, seed=8))


def test_a_directed_walk_stops_at_a_node_without_out_edges() -> None:
    graph = Graph.from_edges([("a", "b"), ("b", "c")], directed=True)
    walks = random_walks(graph, walk_length=5, walks_per_node=1, seed=0)
    assert sorted(map(tuple, walks.tolist())) == [(0, 1, 2, -1, -1), (1, 2, -1, -1, -1), (2, -1, -1, -1, -1)]


def test_weighted_edges_are_followed_in_proportion_to_their_weight() -> None:
    graph = Graph.from_edges([("hub", "light", 1.0), ("hub", "heavy", 9.0)])
    walks = random_walks(graph, walk_length=2, walks_per_node=4000, seed=0)
    after_hub = walks[walks[:, 0] == 0, 1]
    assert np.mean(after_hub == graph.nodes.index("heavy")) == pytest.approx(0.9, abs=0.02)


@pytest.mark.parametrize(("p", "q", "expected"), [(1.0, 1.0, (1 / 3, 1 / 3, 1 / 3)), (0.5, 2.0, (4 / 7, 2 / 7, 1 / 7))])
def test_node2vec_biases_back_near_and_far_steps_by_p_and_q(p: float, q: float, expected: tuple[float, ...]) -> None:
    # From b, having come from a: back to a (1/p), to c which neighbours a (1), or out to d (1/q).
    graph = Graph.from_edges([("a", "b"), ("b", "c"), ("a", "c"), ("b", "d")])
    walks = random_walks(graph, walk_length=3, walks_per_node=6000, p=p, q=q, seed=0)
    came_from_a = walks[(walks[:, 0] == 0) & (walks[:, 1] == 1), 2]
    shares = [np.mean(came_from_a == graph.nodes.index(n)) for n in "acd"]
    assert shares == pytest.approx(expected, abs=0.03)


def test_on_the_karate_club_small_p_returns_and_small_q_explores(karate: tuple[Graph, dict[str, str]]) -> None:
    graph, _ = karate

    def return_rate(p: float, q: float) -> float:
        walks = random_walks(graph, walk_length=20, walks_per_node=20, p=p, q=q, seed=3)
        return float(np.mean(walks[:, 2:] == walks[:, :-2]))

    assert return_rate(0.25, 1.0) > 1.5 * return_rate(1.0, 1.0) > 2 * return_rate(4.0, 1.0)
    assert return_rate(1.0, 4.0) > 1.5 * return_rate(1.0, 0.25)  # staying local returns more often


@pytest.mark.parametrize("options", [{"walk_length": 0}, {"walks_per_node": 0}, {"p": 0.0}, {"q": float("inf")}])
def test_bad_walk_options_are_config_errors(options: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        random_walks(Graph.from_edges([("a", "b")]), **options)  # type: ignore[arg-type]


def test_progress_is_reported_per_batch_of_rounds_up_to_one() -> None:
    seen: list[float] = []
    random_walks(Graph.from_edges([("a", "b")]), walks_per_node=4, on_progress=seen.append)
    assert seen == [1.0]  # two nodes: all rounds fit in one batch
    nodes = [(str(i), str(i + 1)) for i in range(9_999)]
    random_walks(Graph.from_edges(nodes), walk_length=2, walks_per_node=4, on_progress=seen.append)
    assert seen == [1.0, 0.25, 0.5, 0.75, 1.0]
