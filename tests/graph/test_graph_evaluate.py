from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import ConfigError, InputError
from embedrag.graph import classify_accuracy, node_accuracy, read_labels
from embedrag.graph.evaluate import _stratified_folds
from embedrag.words import WordVectors


def test_separable_classes_score_one_and_noise_scores_near_chance() -> None:
    rng = np.random.default_rng(0)
    targets = np.repeat([0, 1, 2], 40)
    centres = np.eye(3)[targets] * 5
    assert classify_accuracy(centres + rng.normal(size=(120, 3)), targets) == 1.0
    assert 0.15 < classify_accuracy(rng.normal(size=(120, 3)), targets) < 0.55


def test_folds_are_stratified_and_seeded() -> None:
    targets = np.repeat([0, 1], [20, 10])
    folds = _stratified_folds(targets, 5, seed=1)
    for fold in range(5):
        assert list(np.bincount(targets[folds == fold])) == [4, 2]
    assert np.array_equal(folds, _stratified_folds(targets, 5, seed=1))
    assert not np.array_equal(folds, _stratified_folds(targets, 5, seed=2))


def test_bad_folds_and_a_single_class_are_errors() -> None:
    x = np.zeros((6, 2))
    with pytest.raises(ConfigError, match="folds must be between 2 and the number of labelled nodes"):
        classify_accuracy(x, np.array([0, 1] * 3), folds=7)
    with pytest.raises(InputError, match="single class"):
        classify_accuracy(x, np.zeros(6, dtype=np.int64), folds=2)


def test_labels_read_the_rest_of_the_line_and_skip_comments(tmp_path: Path) -> None:
    path = tmp_path / "labels.txt"
    path.write_text("# node label\n0 Mr. Hi\n1,Officer\n\n2\tOfficer\n")
    assert read_labels(path) == {"0": "Mr. Hi", "1": "Officer", "2": "Officer"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 a\n1\n", "line 2: expected 'node label'"),
        ("0 a\n0 b\n", "line 2: node '0' already has the label 'a'"),
        ("#\n", "no labels"),
    ],
)
def test_malformed_labels_name_the_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "labels.txt"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_labels(path)
    with pytest.raises(InputError, match="no such labels file"):
        read_labels(tmp_path / "missing.txt")


def test_a_labelled_node_without_a_vector_is_an_unknown_node() -> None:
    vectors = WordVectors(["a", "b"], np.eye(2))
    with pytest.raises(InputError, match="unknown node 'c'"):
        node_accuracy(vectors, {"a": "x", "b": "y", "c": "x"})
