"""Crash safety: a writer killed with SIGKILL at random points loses nothing it committed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import StoreError
from embedrag.index import Store
from embedrag.index.retrieval import Index

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

BATCHES, DOCS_PER_BATCH = 60, 5

WRITER = """
import sys, numpy as np
from embedrag.index import Store
from embedrag.types import Chunk, Document, EmbeddingSpec
spec = EmbeddingSpec("toy", "static", "fp32", 8, None, "mean", True, "h")
store = Store.open(sys.argv[1], spec=spec, create=True)
def put(w, doc_id, b):
    texts = [f"{doc_id} alpha{p} batch{b} words" for p in range(3)]
    chunks = [Chunk(doc_id, p, t, 0, len(t), 4) for p, t in enumerate(texts)]
    w.put_document(Document(doc_id, " ".join(texts), doc_id), chunks, np.full((3, 8), b + 1.0))
run = sys.argv[4]
for b in range(int(sys.argv[2])):
    with store.write() as w:
        for i in range(int(sys.argv[3])):
            if store.document_hash(f"{run}-b{b}-d{i}") is None:
                put(w, f"{run}-b{b}-d{i}", b)
        put(w, "shared", b)  # replaced by every batch: a crash must leave one whole version
    print(b, flush=True)
"""


def run_writer(root: Path, run: str, kill_after: float | None) -> list[int]:
    """Run the writer; SIGKILL it after ``kill_after`` seconds; return the batches it reported."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), str(BATCHES), str(DOCS_PER_BATCH), run],
        stdout=subprocess.PIPE,
        text=True,
    )
    if kill_after is None:
        out, _ = proc.communicate(timeout=120)
    else:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
    return [int(line) for line in out.split()]


def assert_intact(root: Path, run: str, reported: list[int]) -> None:
    if not reported:
        try:
            Store.open(root).close()
        except StoreError as e:  # killed while creating: nothing was committed, nothing is lost
            if "creation was interrupted" in str(e):
                return
            raise
    with Store.open(root) as store:
        report = store.check()
        assert report.ok, report.problems
        infos = {d.id: d for d in store.documents()}
        for b in reported:
            for i in range(DOCS_PER_BATCH):
                assert infos[f"{run}-b{b}-d{i}"].chunks == 3
        assert all(d.chunks == 3 for d in infos.values())  # no half document, ever
        index = Index(store)
        for doc_id in [d for d in infos if d != "shared"][-3:]:
            assert index.hits(index.lexical(doc_id.replace("-", " "), k=1))[0].doc_id == doc_id
            assert len(index.dense(np.ones(8), k=3)) == 3


def test_sigkill_at_random_points_loses_no_committed_document(tmp_path: Path) -> None:
    rng = random.Random(4)
    root = tmp_path / "col"
    for kill in range(10):
        reported = run_writer(root, f"r{kill}", kill_after=rng.uniform(0.4, 1.2))
        if (root / "collection.db").exists():
            assert_intact(root, f"r{kill}", reported)
    run_writer(root, "r0", kill_after=None)  # a re-run completes an interrupted job
    with Store.open(root) as store:
        ids = {d.id for d in store.documents()}
        assert all(f"r0-b{b}-d{i}" in ids for b in range(BATCHES) for i in range(DOCS_PER_BATCH))
        assert store.check().ok
