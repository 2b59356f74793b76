"""Micro-batching: concurrent requests for one encoder merge into one batch, up to a token budget.

Requests queue on the event loop; one worker thread runs the encoder. While it runs, new
requests wait in the queue, and the next batch takes all of them (in arrival order) that fit
the budget. Nothing waits on a timer: a lone request is encoded at once, and under load the
batches grow by themselves. The encoder batches texts of one length together, so merged requests
pad nothing. If a merged batch fails, its requests are retried one by one, so one request's failure
is never another's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from embedrag.embed import Embeddings
from embedrag.server.metrics import ServerMetrics

__all__ = ["MicroBatcher", "split"]

Encode = Callable[[list[list[int]]], Embeddings]


@dataclass
class _Job:
    ids: list[list[int]]
    tokens: int
    future: asyncio.Future[Embeddings] = field(repr=False)


def split(result: Embeddings, sizes: list[int]) -> list[Embeddings]:
    """Cut one batch's result into consecutive parts of ``sizes`` inputs, indices renumbered.

    >>> whole = Embeddings(np.eye(3, dtype=np.float32), np.array([4, 5, 6]), (0, 2))
    >>> [(len(p), p.truncated) for p in split(whole, [1, 2])]
    [(1, (0,)), (2, (1,))]
    """
    parts, start = [], 0
    for size in sizes:
        end = start + size

        def local(indices: tuple[int, ...], start: int = start, end: int = end) -> tuple[int, ...]:
            return tuple(i - start for i in indices if start <= i < end)

        parts.append(
            Embeddings(
                result.vectors[start:end],
                result.tokens[start:end],
                local(result.truncated),
                local(result.windowed),
            )
        )
        start = end
    return parts


class MicroBatcher:
    """Merges concurrent :meth:`embed` calls into batches for ``encode``, run off the event loop."""

    def __init__(self, encode: Encode, *, name: str, token_budget: int, metrics: ServerMetrics) -> None:
        self._encode = encode
        self.name = name
        self.token_budget = token_budget
        self._metrics = metrics
        self._queue: asyncio.Queue[_Job | None] = asyncio.Queue()
        self._held: _Job | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"embedrag-encoder-{name}")
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the batching loop on the running event loop."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"batcher-{self.name}")

    async def close(self) -> None:
        """Finish every queued request, then stop the worker thread."""
        if self._task is not None:
            await self._queue.put(None)
            await self._task
            self._task = None
        self._executor.shutdown(wait=True)

    async def embed(self, ids: list[list[int]]) -> Embeddings:
        """Embeddings of ``ids`` (content token ids), encoded together with concurrent requests."""
        if self._task is None:
            raise RuntimeError("the batcher is not running")
        job = _Job(ids, sum(len(i) for i in ids), asyncio.get_running_loop().create_future())
        await self._queue.put(job)
        self._depth()
        return await job.future

    def _depth(self) -> None:
        self._metrics.queue_depth.set(self._queue.qsize() + (self._held is not None), model=self.name)

    async def _run(self) -> None:
        while True:
            first = self._held or await self._queue.get()
            self._held = None
            if first is None:
                return
            batch, tokens, stop = [first], first.tokens, False
            while not self._queue.empty():
                job = self._queue.get_nowait()
                if job is None:
                    stop = True
                    break
                if tokens + job.tokens > self.token_budget:
                    self._held = job
                    break
                batch.append(job)
                tokens += job.tokens
            self._depth()
            await self._encode_batch([j for j in batch if not j.future.done()])
            if stop:
                await self._queue.put(None)  # serve what was held, then stop

    async def _encode_batch(self, batch: list[_Job]) -> None:
        if not batch:
            return
        loop = asyncio.get_running_loop()
        ids = [i for job in batch for i in job.ids]
        try:
            result = await loop.run_in_executor(self._executor, self._encode, ids)
        except Exception as exc:
            if len(batch) > 1:  # find the culprit: each request alone
                for job in batch:
                    await self._encode_batch([job])
                return
            if not batch[0].future.done():
                batch[0].future.set_exception(exc)
            return
        self._observe(len(batch), result)
        for job, part in zip(batch, split(result, [len(j.ids) for j in batch]), strict=True):
            if not job.future.done():  # the client may have gone away
                job.future.set_result(part)

    def _observe(self, requests: int, result: Embeddings) -> None:
        m, name = self._metrics, self.name
        m.batch_requests.observe(requests, model=name)
        m.batch_inputs.observe(len(result), model=name)
        m.batch_tokens.observe(float(np.sum(result.tokens)), model=name)
        m.embeddings.inc(len(result), model=name)
