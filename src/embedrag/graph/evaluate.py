"""How well node vectors separate known classes: cross-validated accuracy of a linear classifier.

The classifier is multinomial logistic regression with an L2 penalty, fit with L-BFGS
on standardised features; pure functions over arrays.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

from embedrag.errors import ConfigError, InputError
from embedrag.graph.edges import text_lines
from embedrag.words.vectors import WordVectors

__all__ = ["classify_accuracy", "node_accuracy", "read_labels"]

Features = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]
_SPLIT = re.compile(r"\s*[,\s]\s*")


def read_labels(path: str | Path, *, encoding: str = "utf-8") -> dict[str, str]:
    """``node label`` per line (whitespace or a comma between; the label is the rest of the line); ``#`` comments."""
    source = Path(path)
    labels: dict[str, str] = {}
    for line_no, line in text_lines(source, encoding, what="labels"):
        fields = _SPLIT.split(line, maxsplit=1)
        if len(fields) != 2 or not fields[1]:
            raise InputError(f"{source}: line {line_no}: expected 'node label'")
        if labels.setdefault(fields[0], fields[1]) != fields[1]:
            raise InputError(
                f"{source}: line {line_no}: node '{fields[0]}' already has the label '{labels[fields[0]]}'"
            )
    if not labels:
        raise InputError(f"{source}: no labels")
    return labels


def node_accuracy(vectors: WordVectors, labels: dict[str, str], *, folds: int = 5, seed: int = 0) -> float:
    """Stratified ``folds``-fold cross-validated accuracy on the labelled nodes (every one must have a vector)."""
    missing = [node for node in labels if node not in vectors]
    if missing:
        raise InputError(f"unknown node '{missing[0]}': no vector for it ({len(missing)} labelled nodes have none)")
    features = vectors.vectors[vectors.rows(labels)].astype(np.float64)
    _, targets = np.unique(list(labels.values()), return_inverse=True)
    return classify_accuracy(features, targets, folds=folds, seed=seed)


def classify_accuracy(features: Features, targets: Labels, *, folds: int = 5, seed: int = 0) -> float:
    """The fraction of rows whose class a classifier trained on the other folds predicts right.

    Folds are stratified (each holds about the same share of every class); ``folds`` equal
    to the number of rows is leave-one-out, which misleads on balanced classes (a feature
    that says nothing then scores 0: the held-out row's class is always the minority).

    >>> x = np.array([[0.0], [0.1], [0.2], [1.0], [1.1], [1.2]])
    >>> classify_accuracy(x, np.array([0, 0, 0, 1, 1, 1]), folds=3)
    1.0
    """
    n = len(targets)
    if not 2 <= folds <= n:
        raise ConfigError(f"folds must be between 2 and the number of labelled nodes ({n}), got {folds}")
    if len(np.unique(targets)) < 2:
        raise InputError("the labels hold a single class; nothing to separate")
    fold_of = _stratified_folds(targets, folds, seed)
    correct = 0
    for fold in range(folds):
        test = fold_of == fold
        model = _fit(features[~test], targets[~test])
        correct += int(np.sum(_predict(model, features[test]) == targets[test]))
    return correct / n


def _stratified_folds(targets: Labels, folds: int, seed: int) -> Labels:
    """A fold per row, each class dealt round-robin over the folds in a seeded random order."""
    order = np.random.default_rng(seed).permutation(len(targets))
    order = order[np.argsort(targets[order], kind="stable")]  # shuffled within each class, classes in a row
    fold_of = np.empty(len(targets), dtype=np.int64)
    fold_of[order] = np.arange(len(targets)) % folds
    return fold_of


_Model = tuple[Features, Features, Features]  # mean, scale, weights (with a bias row)


def _fit(x: Features, y: Labels, l2: float = 1.0) -> _Model:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    design = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    classes = int(y.max()) + 1
    onehot = np.eye(classes)[y]

    def loss(flat: Features) -> tuple[float, Features]:
        w = flat.reshape(design.shape[1], classes)
        logits = np.einsum("nd,dc->nc", design, w)  # einsum: no BLAS threads for these tiny products
        logits -= logits.max(axis=1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        penalty = w[:-1]  # the bias is not penalised
        value = -np.sum(onehot * logp) + 0.5 * l2 * np.sum(penalty**2)
        grad = np.einsum("nd,nc->dc", design, np.exp(logp) - onehot)
        grad[:-1] += l2 * penalty
        return float(value), grad.ravel()

    start = np.zeros(design.shape[1] * classes)
    fitted = minimize(loss, start, jac=True, method="L-BFGS-B")
    return mean, scale, fitted.x.reshape(design.shape[1], classes)


def _predict(model: _Model, x: Features) -> Labels:
    mean, scale, w = model
    scores = np.einsum("nd,dc->nc", np.hstack([(x - mean) / scale, np.ones((len(x), 1))]), w)
    return np.asarray(scores.argmax(axis=1), dtype=np.int64)
