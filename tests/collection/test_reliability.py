"""Reliability of whole collections: SIGKILL during ingest, readers during writes."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from embedrag.collection import Collection
from embedrag.ingest import chunk_document, load_path
from embedrag.types import Document

MODEL = "tokenlearn-static-64"  # a fast encoder: the test is about the store, not the model

INGEST = """
import sys
import embedrag.ingest.pipeline as pipeline
from embedrag.collection import Collection
pipeline.BATCH_CHUNKS = 4  # commit often, so kills land between and inside batches
with Collection.open(sys.argv[1], model=sys.argv[3]) as col:
    col.ingest([sys.argv[2]], sync=True)
"""


@pytest.fixture(scope="module")
def lee_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from gensim.test.utils import datapath

    root = tmp_path_factory.mktemp("lee")
    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        for number, text in enumerate(fh.read().splitlines()[:120]):
            (root / f"doc{number:03}.txt").write_text(text, encoding="utf-8")
    return root


def _ingest(collection: Path, corpus: Path, *, kill_after: float | None) -> None:
    proc = subprocess.Popen([sys.executable, "-c", INGEST, str(collection), str(corpus), MODEL])
    if kill_after is None:
        assert proc.wait(timeout=300) == 0
        return
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def _assert_intact(collection: Path, corpus: Path) -> int:
    """Every stored document is whole (its chunks are exactly what chunking gives) and searchable."""
    with Collection.open(collection) as col:
        assert col.check().ok
        docs = {d.id: d for d in load_path(corpus) if isinstance(d, Document)}
        stored = col.documents()
        chunks = {
            info.id: chunk_document(docs[info.id], col.tokenizer, chunk_tokens=col.chunk_tokens) for info in stored
        }
        assert all(info.chunks == len(chunks[info.id]) for info in stored)
        for info in stored[-3:]:
            text = docs[info.id].text
            assert info.id in {h.doc_id for h in col.search(text[:200], k=5, mode="bm25")}
            # its first chunk's own text finds it first, whichever other documents the kill left
            assert col.search(chunks[info.id][0].text, k=1, mode="dense")[0].doc_id == info.id
        return len(stored)


def test_sigkill_during_ingest_loses_no_committed_document(tmp_path: Path, lee_corpus: Path) -> None:
    rng = random.Random(7)
    collection = tmp_path / "col"
    counts = []
    for _ in range(10):
        _ingest(collection, lee_corpus, kill_after=rng.uniform(1.5, 4.0))
        if (collection / "collection.db").exists():
            try:
                counts.append(_assert_intact(collection, lee_corpus))
            except Exception as exc:  # an ingest killed before its first commit leaves nothing to check
                if "creation was interrupted" not in str(exc):
                    raise
    assert counts == sorted(counts)  # committed documents never disappear
    _ingest(collection, lee_corpus, kill_after=None)  # a re-run completes the job
    distinct = {p.read_text(encoding="utf-8") for p in lee_corpus.iterdir()}  # duplicates are stored once
    assert _assert_intact(collection, lee_corpus) == len(distinct)


READER = """
import sys, time
from embedrag.collection import Collection
deadline = time.time() + float(sys.argv[3])
searches = 0
with Collection.open(sys.argv[1]) as col:
    while time.time() < deadline:
        for mode in ("bm25", "dense", "hybrid"):
            hits = col.search(sys.argv[2], k=3, mode=mode)
            assert all(h.text for h in hits)
            searches += 1
print(searches)
"""


def test_readers_search_while_a_writer_ingests_and_deletes(tmp_path: Path, lee_corpus: Path) -> None:
    collection = tmp_path / "col"
    with Collection.open(collection, model=MODEL) as col:
        col.ingest([lee_corpus], include=["doc00*"])
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(collection), query, "8"], stdout=subprocess.PIPE, text=True)
        for query in ("president election", "bushfires in Sydney", "cricket match")
    ]
    with Collection.open(collection) as col:
        for round_ in range(3):
            col.ingest([lee_corpus])
            col.delete([f"doc{n:03}.txt" for n in range(round_ * 10, round_ * 10 + 10)])
    for reader in readers:
        out, _ = reader.communicate(timeout=120)
        assert reader.returncode == 0
        assert int(out) > 0
