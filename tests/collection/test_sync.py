"""``Collection.ingest(..., sync=True)``: what it removes, what it keeps."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from embedrag.collection import Collection

MODEL = "tokenlearn-static-64"  # a fast encoder: these tests are about what sync keeps


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    with Collection.open(tmp_path / "col", model=MODEL) as collection:
        yield collection


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_a_record_gone_from_its_file_is_removed(col: Collection, tmp_path: Path) -> None:
    records = [{"id": name, "text": f"The {name} record."} for name in ("a", "b", "c")]
    data = tmp_path / "docs" / "data.jsonl"
    data.parent.mkdir()
    data.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    col.ingest([data.parent], id_field="id")
    data.write_text("\n".join(json.dumps(r) for r in records[:2]), encoding="utf-8")
    report = col.ingest([data.parent], id_field="id", sync=True)
    assert report.removed == 1
    assert [d.id for d in col.documents()] == ["a", "b"]


def test_a_file_the_walk_does_not_select_is_kept(col: Collection, tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", {"a.txt": "Cats purr.", ".notes.txt": "A hidden note on dogs."})
    col.ingest([docs / ".notes.txt"])  # given by name, a hidden file is ingested
    report = col.ingest([docs], sync=True)  # the walk skips hidden files: out of this sync's scope
    assert (report.added, report.removed) == (1, 0)
    assert col.stats()["documents"] == 2


def test_a_file_excluded_by_its_folder_is_kept(col: Collection, tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", {"a.txt": "Cats purr.", "drafts/deep/b.txt": "Dogs bark."})
    col.ingest([docs])
    report = col.ingest([docs], exclude=["drafts"], sync=True)
    assert report.removed == 0
    (docs / "a.txt").unlink()
    assert col.ingest([docs], exclude=["drafts"], sync=True).removed == 1
    assert [d.id for d in col.documents()] == ["drafts/deep/b.txt"]


def test_documents_of_a_folder_that_cannot_be_listed_are_kept(
    col: Collection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = _write(tmp_path / "docs", {"a.txt": "Cats purr.", "private/b.txt": "Dogs bark."})
    col.ingest([docs])
    scandir = os.scandir

    def refuse_private(path):  # type: ignore[no-untyped-def]
        if Path(path) == docs / "private":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse_private)
    report = col.ingest([docs], sync=True)
    assert [s.reason for s in report.skipped] == [f"{docs / 'private'} cannot be listed: Permission denied"]
    assert report.removed == 0
    assert col.stats()["documents"] == 2


def test_a_duplicate_whose_original_stays_is_reported_once(col: Collection, tmp_path: Path) -> None:
    docs = _write(tmp_path / "docs", {"a.txt": "Cats purr.", "b.txt": "Cats purr.", "c.txt": "Dogs bark."})
    col.ingest([docs])
    (docs / "c.txt").unlink()
    report = col.ingest([docs], sync=True)
    assert (report.added, report.unchanged, report.removed) == (0, 1, 1)
    assert [s.reason for s in report.skipped] == [f"{docs / 'b.txt'} duplicates the content of 'a.txt'"]
