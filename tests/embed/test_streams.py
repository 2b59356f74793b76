"""Several batches of one call run side by side (``OnnxBackend(streams=...)``): the same vectors, in order."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from embedrag.embed.export.cpu import physical_cores
from embedrag.embed.onnx_backend import OnnxBackend
from embedrag.errors import ConfigError

TEXTS = [
    "a cat",
    "The committee met on Tuesday to discuss the budget for next year.",
    "hello world",
    "Rain is expected across the north by the weekend, forecasters said.",
    "bats sleep in caves",
    "Shares in the company rose by 4% after it reported record profits.",
] * 5


@pytest.mark.parametrize("variant", ["fp32", "int8"])
def test_streams_give_the_vectors_of_one_batch_at_a_time_in_the_callers_order(minilm_dir: str, variant: str) -> None:
    texts = [f"{text} ({i})" for i, text in enumerate(TEXTS)]  # 30 texts of several lengths: many batches
    alone = OnnxBackend(Path(minilm_dir), variant=variant, threads=2, streams=1, token_budget=64)
    side_by_side = OnnxBackend(Path(minilm_dir), variant=variant, threads=2, streams=3, token_budget=64)
    lengths = {len(ids) for ids in alone.content_ids(texts)}
    assert len(lengths) > 3
    expected = alone.encode(texts, "truncate").vectors
    found = side_by_side.encode(texts, "truncate").vectors
    np.testing.assert_array_equal(found, expected)
    if variant == "fp32":  # int8 scales each batch by its own largest value: alone, a text's vector differs a little
        one_by_one = np.stack([alone.encode([text], "truncate").vectors[0] for text in texts[:6]])
        np.testing.assert_allclose(found[:6], one_by_one, atol=2e-5)


def test_streams_default_to_the_threads(minilm_dir: str) -> None:
    assert OnnxBackend(Path(minilm_dir), threads=3).streams == 3
    assert OnnxBackend(Path(minilm_dir)).streams == physical_cores()


@pytest.mark.parametrize("streams", [0, -1, 1.5, True])
def test_streams_must_be_a_positive_int(minilm_dir: str, streams: object) -> None:
    with pytest.raises(ConfigError, match="streams must be a positive number"):
        OnnxBackend(Path(minilm_dir), streams=streams)  # type: ignore[arg-type]


def test_physical_cores_counts_within_the_cpus_this_process_may_use() -> None:
    assert 1 <= physical_cores() <= len(os.sched_getaffinity(0))


def test_a_batch_that_fails_in_a_stream_fails_the_call_and_the_next_call_runs(minilm_dir: str) -> None:
    backend = OnnxBackend(Path(minilm_dir), threads=2, streams=2, token_budget=64)
    real = backend._open_stream_session()
    runs = []

    class Failing:
        def run(self, names: list[str], feed: dict[str, np.ndarray]) -> list[np.ndarray]:
            runs.append(len(feed["input_ids"]))
            if len(runs) == 3:
                raise RuntimeError("the third batch failed")
            return real.run(names, feed)  # type: ignore[no-any-return]

    backend._stream_session = Failing()
    texts = [f"{text} ({i})" for i, text in enumerate(TEXTS)]
    with pytest.raises(RuntimeError, match="the third batch failed"):
        backend.encode(texts, "truncate")
    backend._stream_session = real
    expected = OnnxBackend(Path(minilm_dir), threads=2, streams=1, token_budget=64).encode(texts, "truncate")
    np.testing.assert_array_equal(backend.encode(texts, "truncate").vectors, expected.vectors)
