from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from embedrag.errors import InputError
from embedrag.search import maxsim, rocchio


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@given(st.integers(1, 6), st.integers(1, 9), st.integers(0, 2**31 - 1))
def test_maxsim_is_bounded_and_maximal_on_itself(q: int, t: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    query, doc = _unit(rng.normal(size=(q, 8))), _unit(rng.normal(size=(t, 8)))
    assert -1.0 - 1e-6 <= maxsim(query, doc) <= 1.0 + 1e-6
    assert maxsim(query, query) == pytest.approx(1.0, abs=1e-5)


def test_maxsim_of_empty_is_zero() -> None:
    assert maxsim(np.zeros((0, 4), np.float32), np.ones((2, 4), np.float32)) == 0.0


def test_rocchio_moves_away_from_dislikes() -> None:
    liked = _unit(np.array([[1.0, 0.2], [1.0, -0.1]]))
    disliked = _unit(np.array([[0.0, 1.0]]))
    plain, steered = rocchio(liked), rocchio(liked, disliked)
    assert steered @ disliked[0] < plain @ disliked[0]
    assert float(np.linalg.norm(steered)) == pytest.approx(1.0, abs=1e-6)


def test_rocchio_needs_a_liked_item() -> None:
    with pytest.raises(InputError, match="at least one liked"):
        rocchio(np.zeros((0, 3), np.float32))


def test_rocchio_cancelling_out_is_an_error() -> None:
    v = np.array([[1.0, 0.0]], np.float32)
    with pytest.raises(InputError, match="cancel out"):
        rocchio(v, v, beta=1.0)
