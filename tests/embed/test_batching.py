from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from embedrag.embed.batching import plan_batches, windows


@given(st.lists(st.integers(1, 300), max_size=200), st.integers(1, 5000), st.integers(1, 64))
def test_every_index_lands_in_exactly_one_batch(lengths: list[int], budget: int, max_batch: int) -> None:
    batches = plan_batches(lengths, token_budget=budget, max_batch=max_batch)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))


@given(st.lists(st.integers(1, 300), min_size=1, max_size=200), st.integers(300, 5000), st.integers(1, 64))
def test_batches_respect_budget_and_size(lengths: list[int], budget: int, max_batch: int) -> None:
    for batch in plan_batches(lengths, token_budget=budget, max_batch=max_batch):
        assert len(batch) <= max_batch
        assert len(batch) * max(lengths[i] for i in batch) <= budget


def test_equal_lengths_share_a_batch_and_longest_come_first() -> None:
    assert plan_batches([5, 100, 5, 100], token_budget=200, max_batch=8) == [[1, 3], [0, 2]]


@given(st.lists(st.integers(1, 300), min_size=1, max_size=200), st.integers(1, 5000), st.integers(1, 64))
def test_no_batch_pads_and_each_length_takes_as_few_batches_as_the_budget_allows(
    lengths: list[int], budget: int, max_batch: int
) -> None:
    batches = plan_batches(lengths, token_budget=budget, max_batch=max_batch)
    assert all(len({lengths[i] for i in batch}) == 1 for batch in batches)
    for length in set(lengths):
        rows = max(1, min(max_batch, budget // length))
        expected = -(-lengths.count(length) // rows)
        assert sum(lengths[batch[0]] == length for batch in batches) == expected


@given(st.integers(0, 400), st.integers(2, 64), st.data())
def test_windows_cover_everything_within_size(n: int, size: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, size - 1))
    ids = list(range(n))
    parts = windows(ids, size=size, overlap=overlap)
    assert all(len(p) <= size for p in parts)
    assert sorted(set().union(*map(set, parts))) == ids
    assert parts[-1][-1:] == ids[-1:]
