"""embed-dataset on a real local Ray cluster: the file of embedrag export, in input order, the vectors
a single process stores; and a worker killed mid-job loses and duplicates nothing."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from types import ModuleType

import numpy as np
import pyarrow as pa
import pyarrow.compute
import pyarrow.parquet as pq
import pytest

from embedrag.cli.app import main
from embedrag.collection import Collection
from embedrag.distributed import DatasetReport, Workers, embed_dataset
from embedrag.distributed.encode import ChunkEncoder, Recipe
from embedrag.ingest.passages import DEFAULT_PASSAGE_CONTEXT
from embedrag.types import Document

STATIC = "tokenlearn-static-64"
TOPICS = ["cats chase mice", "stock markets fell", "rain in the valley", "a new violin concerto", "the league final"]


def _text(i: int) -> str:
    sentence = f"Item {i}: {TOPICS[i % 5]} on day {i * 7}. "
    return sentence * (1 + (i % 3) * 150)  # some documents run to several chunks


def _jsonl(path: Path, n: int) -> list[dict[str, str]]:
    records = [{"id": f"doc-{i:04d}", "text": _text(i)} for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return records


def _vectors(table: pa.Table) -> np.ndarray:
    return np.stack(table.column("vector").to_numpy(zero_copy_only=False))


def test_embed_dataset_writes_what_export_writes_and_import_reuses(
    ray_cluster: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = _jsonl(tmp_path / "in.jsonl", 40)
    with (tmp_path / "in.jsonl").open("a") as f:  # a record without text is reported, one without an id numbered
        f.write('{"id": "x", "text": ""}\n{"text": "no id here"}\n')
    out = tmp_path / "chunks.parquet"
    assert main(["embed-dataset", str(tmp_path / "in.jsonl"), str(out), "--ray", "auto", "-m", STATIC, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == 41
    assert report["skipped"] == [{"source": "x", "reason": "x has no text"}]
    table = pq.read_table(out)
    assert table.column("id").to_pylist()[-1] == "42#0"  # its place in the input
    table = table.filter(pa.compute.not_equal(table.column("doc_id"), "42"))
    doc_order = list(dict.fromkeys(table.column("doc_id").to_pylist()))
    assert doc_order == [r["id"] for r in records]  # input order
    assert report["chunks"] - 1 == table.num_rows > 40  # long documents gave several chunks

    # The same documents ingested by one process: the same chunks and vectors.
    with Collection.open(tmp_path / "local", model=STATIC) as local:
        local.add([Document(r["id"], r["text"], r["id"]) for r in records])
        local.export_parquet(tmp_path / "local.parquet")
    expected = pq.read_table(tmp_path / "local.parquet")
    got = table.sort_by([("doc_id", "ascending"), ("position", "ascending")])
    assert got.column("id").to_pylist() == expected.column("id").to_pylist()
    assert got.column("text").to_pylist() == expected.column("text").to_pylist()
    np.testing.assert_allclose(_vectors(got), _vectors(expected), atol=1e-6)

    assert main(["import", str(out), "-c", str(tmp_path / "imported"), "--json"]) == 0
    imported = json.loads(capsys.readouterr().out)
    assert (imported["added"], imported["chunks"]) == (41, table.num_rows + 1)


def _encoder_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"MapWorker(MapBatches(ChunkEncoder))" in cmdline:
                pids.append(int(entry.name))
    return pids


def test_a_worker_killed_mid_job_loses_and_duplicates_nothing(ray_cluster: ModuleType, tmp_path: Path) -> None:
    records = [{"id": f"k{i:05d}", "text": f"Record {i} about {TOPICS[i % 5]}."} for i in range(1500)]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    killed: list[int] = []
    after_kill: list[int] = []

    def progress(at: DatasetReport) -> None:
        if not killed and at.documents >= 100:
            pids = _encoder_pids()
            assert pids, "no encoder actor process found"
            os.kill(pids[0], signal.SIGKILL)  # a real Ray worker process, mid-job
            killed.append(at.documents)
        elif killed:
            after_kill.append(at.documents)

    workers = Workers(count=2, batch_documents=10)
    out = tmp_path / "out.parquet"
    report = embed_dataset(tmp_path / "in.jsonl", out, address="auto", model=STATIC, workers=workers, progress=progress)

    assert killed and killed[0] < len(records) and after_kill  # the job went on after the kill
    table = pq.read_table(out)
    assert table.column("doc_id").to_pylist() == [r["id"] for r in records]  # nothing lost, nothing twice, in order
    assert report.documents == len(records) and not report.skipped
    recipe = Recipe(STATIC, passage_context=DEFAULT_PASSAGE_CONTEXT)
    local = ChunkEncoder(recipe)(
        pa.Table.from_pylist([{**r, "source": r["id"], "metadata": "{}", "skipped": None} for r in records])
    )
    np.testing.assert_allclose(_vectors(table), _vectors(local), atol=1e-6)
