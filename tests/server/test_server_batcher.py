"""The micro-batcher merges concurrent requests under a token budget and never mixes up answers."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from embedrag.embed import Embeddings
from embedrag.server.batcher import MicroBatcher
from embedrag.server.metrics import ServerMetrics


class SlowEncoder:
    """Vector of an input = [first id, length]; records each batch; fails on id 666."""

    def __init__(self) -> None:
        self.batches: list[list[list[int]]] = []
        self.threads: set[str] = set()

    def __call__(self, ids: list[list[int]]) -> Embeddings:
        self.batches.append(ids)
        self.threads.add(threading.current_thread().name)
        if any(i[0] == 666 for i in ids):
            raise ValueError("poisoned input")
        time.sleep(0.05)
        vectors = np.array([[i[0], len(i)] for i in ids], dtype=np.float32)
        truncated = tuple(n for n, i in enumerate(ids) if len(i) > 3)
        return Embeddings(vectors, np.array([len(i) for i in ids]), truncated)


async def _run(encoder: SlowEncoder, jobs: list[list[list[int]]], budget: int = 1000) -> list[object]:
    metrics = ServerMetrics()
    batcher = MicroBatcher(encoder, name="toy", token_budget=budget, metrics=metrics)
    batcher.start()
    try:
        return await asyncio.gather(*(batcher.embed(j) for j in jobs), return_exceptions=True)
    finally:
        await batcher.close()


def test_concurrent_requests_share_batches_and_get_their_own_rows() -> None:
    encoder = SlowEncoder()
    jobs = [[[k, 1], [k + 100, 2, 3, 4, 5]] for k in range(20)]
    results = asyncio.run(_run(encoder, jobs))
    for k, result in enumerate(results):
        assert isinstance(result, Embeddings)
        np.testing.assert_array_equal(result.vectors, [[k, 2], [k + 100, 5]])
        assert result.truncated == (1,)  # renumbered within the request
    assert len(encoder.batches) < len(jobs) / 4  # the first alone, then the queue in a few batches
    assert all(t.startswith("embedrag-encoder-toy") for t in encoder.threads)  # off the event loop


def test_batches_respect_the_token_budget() -> None:
    encoder = SlowEncoder()
    asyncio.run(_run(encoder, [[[k] * 10] for k in range(12)], budget=30))
    assert max(sum(len(i) for i in batch) for batch in encoder.batches) <= 30
    assert sum(len(batch) for batch in encoder.batches) == 12


def test_one_failing_request_does_not_fail_the_others() -> None:
    encoder = SlowEncoder()
    results = asyncio.run(_run(encoder, [[[1]], [[666]], [[3]], [[4]]]))
    assert isinstance(results[1], ValueError)
    assert [r.vectors[0, 0] for r in results if isinstance(r, Embeddings)] == [1, 3, 4]


def test_embed_before_start_is_a_programming_error() -> None:
    batcher = MicroBatcher(SlowEncoder(), name="toy", token_budget=100, metrics=ServerMetrics())
    with pytest.raises(RuntimeError, match="not running"):
        asyncio.run(batcher.embed([[1]]))
