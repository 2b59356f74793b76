"""Unit rows and top-k, the row math every package imports from embedrag._linalg."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from embedrag._linalg import top_k, unit_rows


@given(st.lists(st.floats(-1, 1), min_size=1, max_size=50, unique=True), st.integers(1, 60))
def test_top_k_is_the_head_of_a_full_sort(values: list[float], k: int) -> None:
    scores = np.array(values)
    assert top_k(scores, k).tolist() == np.argsort(-scores)[:k].tolist()


def test_unit_rows_gives_unit_rows_and_keeps_zero_rows() -> None:
    unit = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0], [1e-3, 0.0]]))
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), [1.0, 0.0, 1.0], rtol=1e-6)


@given(st.integers(0, 2**31 - 1))
def test_unit_rows_of_random_vectors_have_length_one(seed: int) -> None:
    vectors = np.random.default_rng(seed).normal(size=(5, 7)).astype(np.float32)
    np.testing.assert_allclose(np.linalg.norm(unit_rows(vectors), axis=1), 1.0, rtol=1e-5)
