"""Who owns an id: two ingests at once, and one id twice in one call. A document reported added is stored."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import embedrag.ingest.pipeline as pipeline
from embedrag.collection import Collection
from embedrag.types import Document

MODEL = "tokenlearn-static-64"  # a fast encoder: these tests are about who owns an id

RACER = """
import sys, time
import embedrag.ingest.pipeline as pipeline
from embedrag.cli.app import main
from embedrag.collection import Collection

pipeline.BATCH_CHUNKS = 2  # commit every two documents, so the two writers interleave
start_at, ingest = float(sys.argv[1]), Collection.ingest

def at_the_start_line(self, *args, **kwargs):
    self.embedder, self.tokenizer  # loaded before the race starts
    time.sleep(max(0.0, start_at - time.time()))
    return ingest(self, *args, **kwargs)

Collection.ingest = at_the_start_line
sys.exit(main(sys.argv[2:]))
"""


def _folder(root: Path, texts: Callable[[int], str], n: int, prefix: str = "") -> Path:
    root.mkdir()
    for number in range(1, n + 1):
        (root / f"{prefix}{number:03}.txt").write_text(texts(number), encoding="utf-8")
    return root


def _stored_from(collection: Path, folder: Path) -> int:
    with Collection.open(collection) as col:
        return sum(Path(str(d.metadata["path"])).parent == folder for d in col.documents())


def test_the_same_id_twice_in_one_call_is_added_once(tmp_path: Path) -> None:
    with Collection.open(tmp_path / "c", model=MODEL) as col:
        report = col.add([Document("x", "Cats purr.", "first"), Document("x", "Dogs bark.", "second")])
        assert (report.added, report.updated) == (1, 0)
        assert [s.reason for s in report.skipped] == ["second: its id 'x' is already taken by first in this input"]
        assert [h.text for h in col.search("animals", k=5)] == ["Cats purr."]


def test_the_same_document_twice_in_one_call_is_added_once(tmp_path: Path) -> None:
    with Collection.open(tmp_path / "c", model=MODEL) as col:
        report = col.add([Document("x", "Cats purr.", "x")] * 2)
        assert (report.added, report.unchanged, len(report.skipped)) == (1, 0, 1)
        assert col.stats()["documents"] == 1


@pytest.mark.parametrize(
    ("b_text", "b_prefix", "reason"),
    [
        (lambda n: f"Folder B, note {n}: dogs bark.", "", "already belongs to"),  # A's ids, other files
        (lambda n: f"Folder A, note {n}: cats purr.", "b", "duplicates the content of"),  # A's content
    ],
)
def test_a_writer_that_commits_between_check_and_commit_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, b_text: Callable[[int], str], b_prefix: str, reason: str
) -> None:
    twa = _folder(tmp_path / "twA", lambda n: f"Folder A, note {n}: cats purr.", 4)
    twb = _folder(tmp_path / "twB", b_text, 4, b_prefix)
    collection = tmp_path / "tw"
    embed, other = pipeline.embed_chunks, []

    def other_writer_first(texts, embedder):  # type: ignore[no-untyped-def]
        # B has checked its documents; A commits the same ids before B writes them.
        monkeypatch.setattr(pipeline, "embed_chunks", embed)
        with Collection.open(collection) as a:
            other.append(a.ingest([twa]))
        return embed(texts, embedder)

    with Collection.open(collection, model=MODEL) as b:
        monkeypatch.setattr(pipeline, "embed_chunks", other_writer_first)
        report = b.ingest([twb])
    assert other[0].added == 4
    assert (report.added, report.updated, report.chunks) == (0, 0, 0)
    assert len(report.skipped) == 4 and all(reason in s.reason for s in report.skipped)
    assert _stored_from(collection, twa) == 4


def test_two_ingests_at_once_lose_no_reported_document(tmp_path: Path) -> None:
    twa = _folder(tmp_path / "twA", lambda n: f"Folder A, note {n}: cats purr at night.", 40)
    twb = _folder(tmp_path / "twB", lambda n: f"Folder B, note {n}: dogs bark at dawn.", 40)
    collection = tmp_path / "tw"
    Collection.open(collection, model=MODEL).close()
    start_at = str(time.time() + 8)
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, start_at, "ingest", str(folder), "-c", str(collection), "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in (twa, twb)
    ]
    outputs = [racer.communicate(timeout=300) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], [err for _, err in outputs]
    reports = [json.loads(out) for out, _ in outputs]
    assert [r["added"] + len(r["skipped"]) for r in reports] == [40, 40]
    assert all("already belongs to" in s["reason"] for r in reports for s in r["skipped"])
    assert [_stored_from(collection, folder) for folder in (twa, twb)] == [r["added"] for r in reports]
