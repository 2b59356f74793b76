"""The writer that tests/collection/test_crash_matrix.py kills: one scenario, killed at step N.

Run as ``python crash_writer.py SCENARIO``. The process imports embedrag and loads the model once,
then serves one JSON command per stdin line: it forks, the fork runs the scenario on the
command's collection and SIGKILLs itself just before step ``kill_at`` (or runs to the end when
``kill_at`` is null), and the server answers one JSON line: how the fork ended. Forking keeps a
kill point at ~0.1 s instead of the 1-2 s of a fresh interpreter.

Steps are counted in the fork by hooks installed from here, never from src/:

- every SQL statement the collection's connections execute (``set_trace_callback`` on the
  connection that ``embedrag.index.schema.connect`` returns): the kill lands before the statement
  runs, so "before COMMIT" and "after COMMIT" (before the next statement) are both steps;
- five steps of each atomic file publish (``embedrag._atomic.publish`` as the HNSW index calls
  it): before the write, a torn write (half the bytes in the temporary file), before the fsync,
  before the rename, after the rename.

The fork appends JSON lines to the command's ``report`` file: what it committed (``committed``:
ids, after each batch the ingest reports through ``progress``; ``deleted``: ids, after the delete
returned) and, last, ``killed_at`` with the step's label. With ``events`` set, it writes the label
of every step to that file (the dry run that counts the steps).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # forked after the tokenizer has run

import embedrag._atomic as atomic
import embedrag.index.derived as derived
import embedrag.index.store as store_module
import embedrag.ingest.pipeline as pipeline
from embedrag.collection import Collection
from embedrag.embed import Embedder
from embedrag.ingest import load_path
from embedrag.tokenize import load_tokenizer
from embedrag.types import Document

MODEL = "tokenlearn-static-64"
CHUNK_TOKENS, OVERLAP_TOKENS = 48, 8
BATCH_CHUNKS = 20
"""Chunks per committed batch in the fork: several batches per ingest, so kills land between them."""


class Steps:
    """Counts steps; at step ``kill_at`` reports it and SIGKILLs this process."""

    def __init__(self, kill_at: int | None, events: str | None, report: Callable[[dict[str, Any]], None]) -> None:
        self.count = 0
        self.kill_at = kill_at
        self.events = open(events, "a", buffering=1, encoding="utf-8") if events else None  # noqa: SIM115
        self.report = report

    def step(self, label: str, before_kill: Callable[[], None] | None = None) -> None:
        number, self.count = self.count, self.count + 1
        if self.events is not None:
            self.events.write(label + "\n")
        if number == self.kill_at:
            if before_kill is not None:
                before_kill()
            self.report({"killed_at": number, "label": label})
            os.kill(os.getpid(), signal.SIGKILL)


def install_hooks(steps: Steps) -> None:
    """Count SQL statements and file-publish steps (see the module docstring)."""
    connect = store_module.connect

    def traced_connect(path: Path, *, timeout: float, **options: Any) -> Any:
        conn = connect(path, timeout=timeout, **options)
        state = {"write": False}

        def trace(sql: str) -> None:
            words = sql.split()
            head = " ".join(words[:3])
            verb = words[0].upper() if words else ""
            if sql.lstrip().upper().startswith("BEGIN IMMEDIATE"):
                state["write"] = True
                label = "sql BEGIN IMMEDIATE"
            elif verb in ("COMMIT", "ROLLBACK"):
                label = f"sql {verb} {'write' if state['write'] else 'read'}"
                state["write"] = False
            else:
                label = f"sql {'write' if state['write'] else 'read'}: {head}"
            steps.step(label)

        conn.set_trace_callback(trace)
        return conn

    store_module.connect = traced_connect  # type: ignore[assignment]
    publish, fsync = atomic.publish, atomic._fsync
    target: list[str] = [""]

    def traced_publish(path: Path, write: Callable[[Path], None]) -> Path:
        target[0] = Path(path).name

        def traced_write(temp: Path) -> None:
            steps.step(f"publish {target[0]}: before write")
            write(temp)
            size = temp.stat().st_size
            steps.step(f"publish {target[0]}: torn write", lambda: os.truncate(temp, size // 2))

        return publish(path, traced_write)

    def traced_fsync(path: Path) -> None:
        steps.step(f"publish {target[0]}: before fsync")
        fsync(path)

    class TracedOs:
        def __getattr__(self, name: str) -> Any:
            return getattr(os, name)

        def replace(self, src: Any, dst: Any) -> None:
            steps.step(f"publish {target[0]}: before rename")
            os.replace(src, dst)
            steps.step(f"publish {target[0]}: after rename")

    derived.publish = traced_publish  # type: ignore[assignment]
    atomic._fsync = traced_fsync  # type: ignore[assignment]
    atomic.os = TracedOs()  # type: ignore[assignment]


def open_collection(root: str, embedder: Embedder, tokenizer: Any) -> Collection:
    """The collection at ``root`` from already loaded parts, searched over HNSW whatever its size."""
    return Collection.open(
        root,
        embedder=embedder,
        tokenizer=tokenizer,
        chunk_tokens=CHUNK_TOKENS,
        overlap_tokens=OVERLAP_TOKENS,
        exact_threshold=0,
    )


def committed_reporter(corpus: str, report: Callable[[dict[str, Any]], None]) -> pipeline.Progress:
    """A ``progress`` callback reporting the ids of the documents read so far (all committed)."""
    items = list(load_path(corpus))

    def progress(at: pipeline.IngestProgress) -> None:
        report({"committed": [item.id for item in items[: at.documents] if isinstance(item, Document)]})

    return progress


def run(command: dict[str, Any], embedder: Embedder, tokenizer: Any) -> None:
    def report(line: dict[str, Any]) -> None:
        with open(command["report"], "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")

    install_hooks(Steps(command.get("kill_at"), command.get("events"), report))
    col = open_collection(command["root"], embedder, tokenizer)
    scenario = command["scenario"]
    if scenario == "ingest":
        col.ingest([command["corpus"]], progress=committed_reporter(command["corpus"], report))
    elif scenario == "sync":
        col.ingest([command["corpus"]], sync=True, progress=committed_reporter(command["corpus"], report))
        report({"deleted": command["gone"]})
    elif scenario == "delete":
        col.delete(command["gone"])
        report({"deleted": command["gone"]})
    elif scenario == "hnsw":
        col.prepare_index()  # the graph files were removed: rebuild from the database and publish
        col.ingest([command["corpus"]], progress=committed_reporter(command["corpus"], report))
    else:
        raise ValueError(f"unknown scenario {scenario!r}")
    col.close()  # publishes the graph
    report({"closed": True})


def serve() -> None:
    embedder = Embedder(MODEL)
    embedder.embed(["warm up the model before forking"])
    tokenizer = load_tokenizer(embedder.model_path)
    pipeline.BATCH_CHUNKS = BATCH_CHUNKS
    for line in sys.stdin:
        command = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                run(command, embedder, tokenizer)
            except BaseException:
                with open(command["report"], "a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"error": traceback.format_exc()}) + "\n")
                code = 1
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        signalled = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        print(json.dumps({"signal": signalled, "code": code}), flush=True)


if __name__ == "__main__":
    serve()
