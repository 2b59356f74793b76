"""Collection.ingest tells its progress callback how many files it will read, and how many it has."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedrag import Embedder
from embedrag.collection import Collection, IngestProgress
from embedrag.ingest import pipeline
from embedrag.ingest.walk import FileCount
from embedrag.types import Document


@pytest.fixture(scope="module")
def static() -> Embedder:
    return Embedder("tokenlearn-static-64")  # fast: the plumbing is under test, not the vectors


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Six files an ingest reads (one of them binary, one holding three records), and two it leaves out."""
    root = tmp_path / "corpus"
    (root / "notes").mkdir(parents=True)
    for name, text in {"a.md": "# A\n\nCats purr.\n", "b.txt": "Dogs bark.\n", "notes/c.txt": "Bread rises.\n"}.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "notes" / "d.md").write_text("# D\n\nRates rose.\n", encoding="utf-8")
    records = [{"text": f"Record {i} is about the sea."} for i in range(3)]
    (root / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (root / "photo.txt").write_bytes(b"\x00\x01binary")
    (root / ".hidden.md").write_text("never read", encoding="utf-8")
    (root / "drafts").mkdir()
    (root / "drafts" / "e.md").write_text("# E\n\nleft out\n", encoding="utf-8")
    return root


def _ingest(static: Embedder, tmp_path: Path, paths: list[Path], **options: object) -> list[IngestProgress]:
    seen: list[IngestProgress] = []
    with Collection.open(tmp_path / "col", embedder=static) as col:
        col.ingest(paths, progress=seen.append, exclude=["drafts"], **options)  # type: ignore[arg-type]
    return seen


def test_the_total_is_the_number_of_files_and_the_last_report_reaches_it(
    static: Embedder, tmp_path: Path, corpus: Path
) -> None:
    seen = _ingest(static, tmp_path, [corpus, corpus / "b.txt"])  # a folder's 6 files, then one file named directly
    assert [p.files_total for p in seen] == [7] * len(seen)
    assert seen[0] == IngestProgress(documents=0, chunks=0, files=0, files_total=7)  # the total before any work
    assert seen[-1].files == 7
    assert seen[-1].documents == 9  # 4 documents + 3 records + the binary file skipped, then b.txt again
    assert seen[-1].chunks == 7  # the second b.txt is unchanged: no new chunk


def test_files_count_those_read_to_the_end_and_committed(
    static: Embedder, tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BATCH_CHUNKS", 1)  # commit after every document: a report each time
    seen = _ingest(static, tmp_path, [corpus])
    files = [p.files for p in seen]
    assert files == sorted(files) and files[0] == 0 and files[-1] == 6
    # A file counts once the next one is taken: after a committed document of the last file, 5 of 6.
    assert files[-2] == 5


def test_a_sync_reports_the_same_totals(static: Embedder, tmp_path: Path, corpus: Path) -> None:
    _ingest(static, tmp_path, [corpus])
    (corpus / "b.txt").unlink()
    seen = _ingest(static, tmp_path, [corpus], sync=True)
    assert (seen[0].files_total, seen[-1].files, seen[-1].files_total) == (5, 5, 5)


def test_documents_given_directly_have_no_file_total(static: Embedder, tmp_path: Path) -> None:
    seen: list[IngestProgress] = []
    with Collection.open(tmp_path / "col", embedder=static) as col:
        col.add([Document("x", "Cats purr.", "x"), Document("y", "Dogs bark.", "y")], progress=seen.append)
    assert seen[-1] == IngestProgress(documents=2, chunks=2, files=0, files_total=None)


def test_the_count_is_by_name_and_follows_the_filters(corpus: Path) -> None:
    assert FileCount.of([corpus]).total == 7  # drafts/e.md too; never the hidden file
    assert FileCount.of([corpus], exclude=["drafts"]).total == 6
    assert FileCount.of([corpus], include=["*.md"]).total == 3
    assert FileCount.of([corpus / "missing.md"]).total == 1  # reported as skipped: one input all the same
