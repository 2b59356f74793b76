from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import InputError
from embedrag.graph import Graph, read_edges


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "edges.txt"
    path.write_text(text)
    return path


def test_reads_whitespace_and_comma_separated_edges_with_comments(tmp_path: Path) -> None:
    graph = read_edges(_write(tmp_path, "# a comment\na b\n\nb,c\nc\td 2.5\n"))
    assert graph.nodes == ["a", "b", "c", "d"] and graph.edges == 3
    assert graph.neighbors("b") == ["a", "c"]
    assert graph.neighbors("d") == ["c"]
    assert graph.weights[graph.indptr[3]] == 2.5


def test_undirected_edges_go_both_ways_and_directed_ones_one_way(tmp_path: Path) -> None:
    path = _write(tmp_path, "a b\nb c\n")
    assert read_edges(path).neighbors("b") == ["a", "c"]
    directed = read_edges(path, directed=True)
    assert directed.neighbors("b") == ["c"] and directed.neighbors("c") == [] and directed.edges == 2
    assert list(directed.degree()) == [1, 1, 0]


def test_self_loops_are_dropped_and_counted_but_their_node_stays(tmp_path: Path) -> None:
    graph = read_edges(_write(tmp_path, "a a\na b\nz z\n"))
    assert graph.self_loops == 2 and graph.edges == 1
    assert graph.nodes == ["a", "b", "z"] and graph.neighbors("z") == []


def test_repeated_edges_merge_into_one_with_the_larger_weight(tmp_path: Path) -> None:
    graph = read_edges(_write(tmp_path, "a b 1\nb a 3\na b 2\n"))
    assert graph.duplicates == 2 and graph.edges == 1
    assert list(graph.weights) == [3.0, 3.0]
    directed = read_edges(_write(tmp_path, "a b 1\nb a 3\n"), directed=True)
    assert directed.duplicates == 0 and directed.edges == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a b\nc\n", "line 2: expected 'u v' or 'u v weight', got 1 fields"),
        ("a b\n# ok\nc d e f\n", "line 3: expected 'u v' or 'u v weight', got 4 fields"),
        ("a b x\n", "line 1: the weight must be a positive number, got 'x'"),
        ("a b -1\n", "line 1: the weight must be a positive number, got '-1'"),
        ("a b nan\n", "line 1: the weight must be a positive number"),
        ("# nothing\n\n", "no edges"),
        ("a a\nb b\n", "no edges .*self-loops are dropped"),
    ],
)
def test_a_malformed_edge_list_names_the_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError, match=message) as caught:
        read_edges(path)
    assert str(path) in str(caught.value)


def test_bad_bytes_and_a_missing_file_are_input_errors(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"a b\n\xe9 c\n")
    with pytest.raises(InputError, match="line 2: not valid utf-8"):
        read_edges(path)
    with pytest.raises(InputError, match="no such edge-list file"):
        read_edges(tmp_path / "missing.txt")


def test_from_edges_builds_sorted_csr_rows_and_an_empty_list_is_an_error() -> None:
    graph = Graph.from_edges([("c", "a"), ("a", "b"), ("b", "c", 2.0)])
    for i in range(len(graph.nodes)):
        row = graph.indices[graph.indptr[i] : graph.indptr[i + 1]]
        assert np.all(np.diff(row) > 0)
    with pytest.raises(InputError, match="no edges"):
        Graph.from_edges([])
    with pytest.raises(InputError, match="no edges besides 1 self-loops"):
        Graph.from_edges([("a", "a")])
    with pytest.raises(InputError, match="unknown node 'x'"):
        graph.neighbors("x")
