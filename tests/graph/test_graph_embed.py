from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedrag.graph import Graph, classify_accuracy, embed_graph, node_accuracy
from embedrag.words import WordVectors

Karate = tuple[Graph, dict[str, str]]


@pytest.fixture(scope="module")
def deepwalk(karate: Karate) -> WordVectors:
    return embed_graph(karate[0], seed=0)


def test_every_node_gets_a_vector_named_by_its_id(karate: Karate, deepwalk: WordVectors) -> None:
    assert sorted(deepwalk.words) == sorted(karate[0].nodes)
    assert deepwalk.vectors.shape == (34, 64) and np.isfinite(deepwalk.vectors).all()


def test_the_same_seed_gives_the_same_vectors_and_another_seed_others(karate: Karate) -> None:
    options = {"dims": 16, "walk_length": 10, "walks_per_node": 3, "epochs": 2}
    first = embed_graph(karate[0], seed=5, **options)  # type: ignore[arg-type]
    again = embed_graph(karate[0], seed=5, **options)  # type: ignore[arg-type]
    other = embed_graph(karate[0], seed=6, **options)  # type: ignore[arg-type]
    assert first.words == again.words and np.array_equal(first.vectors, again.vectors)
    assert not np.allclose(first.vectors[first.rows(other.words)], other.vectors)


def test_deepwalk_separates_the_two_karate_clubs_far_better_than_random_vectors(
    karate: Karate, deepwalk: WordVectors
) -> None:
    # Measured (docs/graphs.md, 10 seeds): DeepWalk 0.88-0.97, mean 0.94; random 64-d vectors 0.32-0.53.
    labels = karate[1]
    accuracy = node_accuracy(deepwalk, labels)
    targets = np.array([labels[w] == "Officer" for w in deepwalk.words], dtype=np.int64)
    chance = classify_accuracy(np.random.default_rng(0).normal(size=deepwalk.vectors.shape), targets)
    assert accuracy >= 0.85
    assert accuracy > chance + 0.25


def test_an_edge_list_file_can_be_embedded_directly_with_progress(karate_files: tuple[Path, Path]) -> None:
    seen: list[float] = []
    vectors = embed_graph(karate_files[0], dims=8, walks_per_node=2, epochs=1, on_progress=seen.append)
    assert vectors.name == "karate" and len(vectors) == 34
    assert seen == sorted(seen) and seen[-1] == 1.0 and seen[0] <= 0.2
