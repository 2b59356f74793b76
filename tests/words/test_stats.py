from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from embedrag.words.stats import pearson, rankdata, spearman

scipy_stats = pytest.importorskip("scipy.stats")
samples = st.lists(st.integers(-5, 5), min_size=3, max_size=30)


@given(samples)
def test_rankdata_matches_scipy_average_ranks(values: list[int]) -> None:
    np.testing.assert_allclose(rankdata(values), scipy_stats.rankdata(values))


@given(st.data())
def test_spearman_and_pearson_match_scipy(data: st.DataObject) -> None:
    x = data.draw(samples)
    y = data.draw(st.lists(st.integers(-5, 5), min_size=len(x), max_size=len(x)))
    if len(set(x)) < 2 or len(set(y)) < 2:
        assert np.isnan(spearman(x, y))
        return
    assert spearman(x, y) == pytest.approx(scipy_stats.spearmanr(x, y)[0], abs=1e-9)
    assert pearson(x, y) == pytest.approx(scipy_stats.pearsonr(x, y)[0], abs=1e-9)
