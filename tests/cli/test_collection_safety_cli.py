"""Collections from the shell as a careful user meets them: readers beside a writer, read-only
folders, restored backups, damaged or empty files, absurd arguments."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from embedrag.index import Store
from embedrag.index.hnsw import INDEX_FILE

MODEL = "tokenlearn-static-64"
TEXTS = {
    f"{n:03}.txt": f"Document {n} tells of {topic}, and of nothing else at all."
    for n, topic in enumerate(["cats and mice", "stock markets", "bread baking", "tennis finals", "rain in spring"])
}


@pytest.fixture
def collection(cli, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "docs"
    corpus.mkdir()
    for name, text in TEXTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    root = tmp_path / "col"
    result = cli("ingest", str(corpus), "-c", str(root), "--model", MODEL, "--json")
    assert result.code == 0, result.err
    return root


@pytest.fixture
def writer_busy(collection: Path) -> Iterator[None]:
    """Another writer holds the collection's write lock (uncommitted changes) while the test runs."""
    store = Store.open(collection)
    started, done = threading.Event(), threading.Event()

    def write() -> None:
        with store.write() as w:
            w.delete_documents(["000.txt"])
            started.set()
            done.wait(60)

    thread = threading.Thread(target=write)
    thread.start()
    assert started.wait(10)
    yield
    done.set()
    thread.join()
    store.close()


@pytest.mark.usefixtures("writer_busy")
def test_readers_do_not_wait_for_a_writer(cli, collection: Path) -> None:  # type: ignore[no-untyped-def]
    stats = cli("stats", "-c", str(collection), "--json")
    assert stats.code == 0, stats.err
    assert json.loads(stats.out)["documents"] == 5  # the writer's delete is not committed yet
    for mode in ("bm25", "dense", "hybrid"):
        found = cli("search", "bread baking", "-c", str(collection), "--mode", mode, "-k", "1", "--json")
        assert found.code == 0, found.err
        assert json.loads(found.out)[0]["id"] == "002.txt#0"


def test_a_huge_k_answers_every_chunk(  # type: ignore[no-untyped-def]
    cli, collection: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("embedrag.index.retrieval.EXACT_THRESHOLD", 2)  # the graph, whose buffers were sized by k
    for mode in ("dense", "bm25", "hybrid"):
        result = cli("search", "document", "-c", str(collection), "-k", "1000000000", "--mode", mode, "--json")
        assert result.code == 0, result.err
        assert len(json.loads(result.out)) == len(TEXTS)


def test_an_empty_database_file_says_so(cli, collection: Path) -> None:  # type: ignore[no-untyped-def]
    (collection / "collection.db").write_bytes(b"")
    result = cli("search", "bread", "-c", str(collection))
    assert result.code == 1
    assert "is empty (0 bytes)" in result.err and "restore it from a backup" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert (collection / "collection.db").stat().st_size == 0  # a reader wrote nothing into it


def test_check_finds_a_graph_from_before_a_restore_and_repair_rebuilds_it(  # type: ignore[no-untyped-def]
    cli, collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("embedrag.index.retrieval.EXACT_THRESHOLD", 2)  # small enough for HNSW
    backup = tmp_path / "backup.db"
    shutil.copy(collection / "collection.db", backup)
    more = tmp_path / "more"
    more.mkdir()
    for n in range(3):
        (more / f"new{n}.txt").write_text(f"Later document {n} about volcanoes and lava {n}.", encoding="utf-8")
    assert cli("ingest", str(more), "-c", str(collection)).code == 0
    assert (collection / INDEX_FILE).exists()
    shutil.copy(backup, collection / "collection.db")  # the user restores last week's backup
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("Chess openings and endgames.", encoding="utf-8")
    # The new ingest reuses the restored file's generations and chunk ids; its graph catches up or rebuilds.
    checked = cli("check", "-c", str(collection), "--json")
    assert checked.code == 1
    assert any("another copy of the database" in p for p in json.loads(checked.out)["problems"])
    dense = cli("search", "bread baking", "-c", str(collection), "--mode", "dense", "-k", "2", "--json")
    exact = cli("search", "bread baking", "-c", str(collection), "--mode", "dense", "-k", "2", "--exact", "--json")
    assert [h["id"] for h in json.loads(dense.out)] == [h["id"] for h in json.loads(exact.out)]
    assert "another copy of the database" in dense.err  # one note line says why it rebuilt in memory
    repaired = cli("check", "-c", str(collection), "--repair", "--json")
    assert repaired.code == 0 and json.loads(repaired.out)["repaired"]
    assert cli("check", "-c", str(collection)).code == 0


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[list[str]]:
    """``folder`` and its files made unwritable, even for root; yields a prefix for the commands to run.

    Not root: plain permissions. Root: a read-only bind mount in a private mount namespace (the
    prefix), or where that is not allowed, the immutable attribute (chattr +i) until the test ends.
    """
    paths = [*folder.iterdir(), folder]
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        yield []
        for path in paths:
            path.chmod(0o755 if path.is_dir() else 0o644)
        return
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    prefix = ["unshare", "-m", "sh", "-c", script, str(folder)]
    if subprocess.run([*prefix, "true"], capture_output=True, check=False).returncode == 0:
        yield prefix
        return
    subprocess.run(["chattr", "+i", *map(str, paths)], check=True)
    try:
        yield []
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def _embedrag(prefix: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [*prefix, sys.executable, "-m", "embedrag", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_a_read_only_collection_is_searched_and_a_write_says_why_not(collection: Path, tmp_path: Path) -> None:
    new = tmp_path / "new"
    new.mkdir()
    (new / "n.txt").write_text("A new document about kites.", encoding="utf-8")
    with _read_only(collection) as prefix:
        found = _embedrag(prefix, "search", "bread baking", "-c", str(collection), "-k", "1", "--json")
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)[0]["id"] == "002.txt#0"
        assert _embedrag(prefix, "stats", "-c", str(collection)).returncode == 0
        refused = _embedrag(prefix, "ingest", str(new), "-c", str(collection))
        assert refused.returncode == 1
        assert "is read-only" in refused.stderr and "damaged" not in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
