"""embedrag ingest --ray on a real local Ray cluster: what a local ingest stores, incremental and idempotent."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pyarrow.parquet as pq
import pytest

from embedrag.cli.app import main
from embedrag.collection import Collection

STATIC = "tokenlearn-static-64"


def _export(path: Path, out: Path) -> tuple[list[str], np.ndarray]:
    with Collection.open(path, create=False) as col:
        col.export_parquet(out)
    table = pq.read_table(out)
    return table.column("id").to_pylist(), np.stack(table.column("vector").to_numpy(zero_copy_only=False))


def test_ingest_on_ray_stores_what_a_local_ingest_stores(
    ray_cluster: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(12):  # headings: each chunk is embedded under its document's title and heading path
        parts = [f"## Part {j}\n\n" + f"Paragraph {j} of note {i} on rivers and engines. " * 30 for j in range(3)]
        body = "\n\n".join(parts)
        (docs / f"note-{i:02d}.md").write_text(f"# Note {i}\n\n{body}\n")
    (docs / "empty.txt").write_text("   \n")

    def ingest(target: str, *ray: str) -> dict[str, object]:
        assert main(["ingest", str(docs), "-c", str(tmp_path / target), "-m", STATIC, "--json", *ray]) == 0
        return json.loads(capsys.readouterr().out)

    first = ingest("on-ray", "--ray", "auto")
    local = ingest("local")
    assert (first["added"], first["chunks"]) == (local["added"], local["chunks"]) == (12, local["chunks"])
    assert [s["source"] for s in first["skipped"]] == [s["source"] for s in local["skipped"]]
    ids, vectors = _export(tmp_path / "on-ray", tmp_path / "a.parquet")
    local_ids, local_vectors = _export(tmp_path / "local", tmp_path / "b.parquet")
    assert ids == local_ids
    np.testing.assert_allclose(vectors, local_vectors, atol=1e-6)

    again = ingest("on-ray", "--ray", "auto")  # idempotent: nothing is embedded again
    assert (again["added"], again["updated"], again["unchanged"], again["chunks"]) == (0, 0, 12, 0)
    (docs / "note-03.md").write_text("# Note 3\n\nRewritten: only this one changes.\n")
    changed = ingest("on-ray", "--ray", "auto")
    assert (changed["added"], changed["updated"], changed["unchanged"]) == (0, 1, 11)


def test_ingest_sync_with_ray_is_refused_in_one_line(ray_cluster: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello")
    code = main(["ingest", str(tmp_path / "a.txt"), "-c", str(tmp_path / "c"), "-m", STATIC, "--sync", "--ray", "auto"])
    assert code == 1
