"""Readers in other processes search in every mode while ``ingest(sync=True)`` rotates files out and back.

Each rotation deletes four files and syncs (their documents are removed), then puts them back and
syncs again (they are added). Readers, opened before the writer starts, never fail, and never see
half a document: every hit's text lies in its document, and every document a reader lists has all
its chunks.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from embedrag.collection import Collection
from embedrag.ingest import chunk_document, load_path
from embedrag.types import Document

MODEL, CHUNK_TOKENS, OVERLAP_TOKENS = "tokenlearn-static-64", 48, 8
ROTATIONS = 3

READER = """
import json, sys, time
from pathlib import Path
from embedrag.collection import Collection
collection, expected_file, stop, query, graph = sys.argv[1:6]
expected = json.loads(Path(expected_file).read_text())
searches = snapshots = 0
# with "hnsw", dense search goes through the graph that the writer keeps publishing
with Collection.open(collection, exact_threshold=0 if graph == "hnsw" else None) as col:
    print("ready", flush=True)
    while not Path(stop).exists():
        for mode in ("bm25", "dense", "hybrid"):
            for hit in col.search(query, k=5, mode=mode):
                text, _ = expected[hit.doc_id]
                assert text[hit.start : hit.end] == hit.text, (mode, hit.id)
            searches += 1
        chunks = {info.id: info.chunks for info in col.documents()}
        assert all(expected[doc_id][1] == n for doc_id, n in chunks.items()), chunks
        snapshots += 1
print(searches, snapshots)
"""


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    from gensim.test.utils import datapath

    root = tmp_path / "docs"
    root.mkdir()
    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        lines = [line for line in fh.read().splitlines() if len(line.split()) > 60]
    for number, text in enumerate(lines[:16]):
        (root / f"doc{number:03}.txt").write_text(text, encoding="utf-8")
    return root


def test_readers_never_fail_nor_see_half_a_document_during_sync_rotations(docs: Path, tmp_path: Path) -> None:
    collection, stop = tmp_path / "col", tmp_path / "stop"
    with Collection.open(collection, model=MODEL, chunk_tokens=CHUNK_TOKENS, overlap_tokens=OVERLAP_TOKENS) as col:
        col.ingest([docs])
        expected = {
            doc.id: (
                doc.text,
                len(chunk_document(doc, col.tokenizer, chunk_tokens=CHUNK_TOKENS, overlap_tokens=OVERLAP_TOKENS)),
            )
            for doc in load_path(docs)
            if isinstance(doc, Document)
        }
    (tmp_path / "expected.json").write_text(json.dumps(expected))
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(collection), str(tmp_path / "expected.json"), str(stop), query, graph],
            stdout=subprocess.PIPE,
            text=True,
        )
        for query, graph in (
            ("bushfires near Sydney", "exact"),
            ("Palestinian talks", "exact"),
            ("a cricket test", "hnsw"),
        )
    ]
    for reader in readers:
        assert reader.stdout is not None and reader.stdout.readline() == "ready\n"
    with Collection.open(collection, chunk_tokens=CHUNK_TOKENS, overlap_tokens=OVERLAP_TOKENS) as col:
        for rotation in range(ROTATIONS):
            moved = [docs / f"doc{n:03}.txt" for n in range(rotation * 3, rotation * 3 + 4)]
            texts = [path.read_text(encoding="utf-8") for path in moved]
            for path in moved:
                path.unlink()
            assert col.ingest([docs], sync=True).removed == len(moved)
            time.sleep(0.2)  # let the readers search the smaller collection
            for path, text in zip(moved, texts, strict=True):
                path.write_text(text, encoding="utf-8")
            assert col.ingest([docs], sync=True).added == len(moved)
    stop.touch()
    for reader in readers:
        out, _ = reader.communicate(timeout=120)
        assert reader.returncode == 0
        searches, snapshots = map(int, out.split())
        assert searches > 0 and snapshots > 0
