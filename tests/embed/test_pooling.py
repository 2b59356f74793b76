from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from embedrag.embed.pooling import cls_pool, max_pool, mean_pool


@given(st.integers(1, 4), st.integers(1, 6), st.integers(0, 2**31 - 1))
def test_mean_pool_ignores_padding(batch: int, seq: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    hidden = rng.normal(size=(batch, seq + 2, 3)).astype(np.float32)
    mask = np.zeros((batch, seq + 2), np.int64)
    mask[:, :seq] = 1
    padded = hidden.copy()
    padded[:, seq:] = 1e6  # garbage in padded positions must not leak
    np.testing.assert_allclose(mean_pool(padded, mask), hidden[:, :seq].mean(axis=1), rtol=1e-5, atol=1e-5)


def test_max_pool_ignores_padding() -> None:
    hidden = np.array([[[1.0, -5.0], [2.0, -6.0], [100.0, 100.0]]], np.float32)
    assert max_pool(hidden, np.array([[1, 1, 0]])).tolist() == [[2.0, -5.0]]


def test_cls_pool_takes_first_token() -> None:
    hidden = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    assert cls_pool(hidden, np.ones((2, 3), np.int64)).tolist() == [[0.0, 1.0], [6.0, 7.0]]
