"""``embedrag export`` and ``embedrag import`` through the real entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from embedrag.collection import Collection
from embedrag.types import Document


def _collection(path: Path) -> Path:
    with Collection.open(path) as col:
        col.add([Document("cats", "Cats purr and hunt mice.", "cats"), Document("bread", "Bake bread.", "bread")])
    return path


def test_export_then_import_keeps_the_vectors_and_is_idempotent(cli: Any, tmp_path: Path) -> None:
    source = _collection(tmp_path / "source")
    out = tmp_path / "chunks.parquet"
    done = cli("export", "-c", str(source), "-o", str(out))
    assert done.code == 0 and "2 chunks of all-MiniLM-L6-v2 (384 dims)" in done.out
    first = cli("import", str(out), "-c", str(tmp_path / "copy"))
    assert first.code == 0 and "2 added, 0 updated, 0 unchanged; 2 chunks" in first.out
    again = cli("import", str(out), "-c", str(tmp_path / "copy"), "--json")
    assert again.code == 0 and '"unchanged": 2' in again.out
    with Collection.open(tmp_path / "copy") as copy, Collection.open(source) as original:
        assert [c.vector.tobytes() for c in copy.chunks(with_vectors=True)] == [  # type: ignore[union-attr]
            c.vector.tobytes()  # type: ignore[union-attr]
            for c in sorted(original.chunks(with_vectors=True), key=lambda c: c.doc_id)
        ]


def test_a_bad_file_is_one_line_and_exit_code_1(cli: Any, tmp_path: Path) -> None:
    _collection(tmp_path / "col")
    missing = cli("import", str(tmp_path / "nope.parquet"), "-c", str(tmp_path / "col"))
    assert missing.code == 1 and "nope.parquet does not exist" in missing.err
    pq.write_table(pa.table({"doc_id": ["a"]}), tmp_path / "ids.parquet")
    lacking = cli("import", str(tmp_path / "ids.parquet"), "-c", str(tmp_path / "col"))
    assert lacking.code == 1 and "lacks the column(s) text" in lacking.err
    assert len(lacking.err.strip().splitlines()) == 1
