"""Background jobs (an evaluation run): queued, run one at a time in a worker thread, polled by id.

A page that starts a job can be closed and reopened: the job keeps running in the server,
and ``GET /v1/jobs/{id}`` reports its progress and, once done, its result or its error.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from embedrag.errors import EmbedragError

__all__ = ["Job", "Jobs", "Report"]

log = logging.getLogger("embedrag.server")

Status = Literal["queued", "running", "done", "failed"]
Report = Callable[[str, int, int], None]
"""``report(stage, done, total)``: a job's progress."""


@dataclass
class Job:
    id: str
    kind: str
    params: dict[str, Any]
    status: Status = "queued"
    stage: str = ""
    done: int = 0
    total: int = 0
    result: dict[str, Any] | None = None
    error: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "params": self.params,
            "status": self.status,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "result": self.result,
            "error": self.error,
            "created": self.created,
            "finished": self.finished,
        }


class Jobs:
    """The registry: ``submit`` queues work, one daemon thread runs it in order (2 cores: one at a time)."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[tuple[Job, Callable[[Report], dict[str, Any]]]] = queue.Queue()
        self._ids = itertools.count(1)
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, kind: str, params: dict[str, Any], work: Callable[[Report], dict[str, Any]]) -> Job:
        with self._lock:
            job = Job(f"{kind}-{next(self._ids)}", kind, params)
            self._jobs[job.id] = job
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="embedrag-jobs", daemon=True)
                self._worker.start()
        self._queue.put((job, work))
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        """Every job, newest first."""
        return sorted(self._jobs.values(), key=lambda j: j.created, reverse=True)

    def _run(self) -> None:
        while True:
            job, work = self._queue.get()
            job.status = "running"

            def report(stage: str, done: int, total: int, job: Job = job) -> None:
                job.stage, job.done, job.total = stage, done, total

            try:
                job.result = work(report)
                job.status = "done"
            except EmbedragError as exc:  # bad input found while running: the job says why
                job.error, job.status = str(exc), "failed"
            except Exception as exc:  # a fault: logged with its traceback, and the job shows it; the worker goes on
                log.exception("embedrag server: job %s failed", job.id)
                job.error, job.status = f"internal error: {type(exc).__name__}: {exc}", "failed"
            finally:
                job.finished = time.time()
