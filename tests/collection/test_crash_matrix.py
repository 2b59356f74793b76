"""Crash matrix: SIGKILL the writer at every step of an ingest, a sync, a delete and an HNSW rebuild.

Each path first runs once uninterrupted (a dry run that lists its steps, see crash_writer.py, and
gives the expected end state), then again from the same start, killed at each chosen step. After
each kill, on a copy of what the kill left: ``check`` is clean; every stored document is one whole
version (before or after the operation) and every document the writer reported committed is the
new version; a delete is all or nothing and a reported one stays done; every stored document's
first chunk finds it in every mode, with dense search over HNSW giving exact search's top hits.
Then the same operation runs again on what the kill left and must reach the dry run's end state.

Kill points per path (``pytest -s`` prints them): ingest 2,864 steps, killed at 51; sync 792 steps,
killed at 32; delete 45 steps, killed at every one; hnsw 492 steps, killed at 31. 159 in all, each
followed by a rerun; about 60 s on 2 cores (one writer process, forked per run).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from embedrag._identity import content_hash
from embedrag.collection import Collection
from embedrag.embed import Embedder
from embedrag.errors import StoreError
from embedrag.index.hnsw import INDEX_FILE, graph_meta, verify_files
from embedrag.index.lexical import POSTINGS_FILE
from embedrag.ingest import chunk_document, load_path
from embedrag.tokenize import Tokenizer, load_tokenizer
from embedrag.types import Document

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")

WRITER = Path(__file__).with_name("crash_writer.py")
MODEL, CHUNK_TOKENS, OVERLAP_TOKENS = "tokenlearn-static-64", 48, 8  # as in crash_writer.py
KILL_ALL_UP_TO = 60
"""A path with at most this many steps is killed at every one; a longer one at a spread of them."""
SPREAD = 8
"""Extra evenly spaced kill points in a long path, beside the ones always chosen."""
MIN_KILL_POINTS = {"ingest": 45, "sync": 30, "delete": 30, "hnsw": 28}
"""Lower bounds of the kill points per path; measured last (steps, kill points): ingest 2,864 steps,
killed at 51; sync 792, at 32; delete 45, at all 45; hnsw 492, at 31 (one graph file since format 3)."""


# -- the corpora and the collections each path starts from ---------------------------------------


@dataclass
class Corpus:
    texts: list[str]
    known: dict[str, Document] = field(default_factory=dict)
    """Every document version any path may store, by content hash."""

    def write(self, root: Path, numbers: range | list[int]) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        for number in numbers:
            (root / f"doc{number:03}.txt").write_text(self.texts[number], encoding="utf-8")
        return root

    def learn(self, root: Path) -> list[Document]:
        docs = [d for d in load_path(root) if isinstance(d, Document)]
        self.known.update({content_hash(d.text): d for d in docs})
        return docs


@dataclass
class Parts:
    embedder: Embedder
    tokenizer: Tokenizer
    chunks: dict[str, list[str]] = field(default_factory=dict)

    def chunk_texts(self, doc: Document) -> list[str]:
        digest = content_hash(doc.text)
        if digest not in self.chunks:
            found = chunk_document(doc, self.tokenizer, chunk_tokens=CHUNK_TOKENS, overlap_tokens=OVERLAP_TOKENS)
            self.chunks[digest] = [c.text for c in found]
        return self.chunks[digest]

    def open(self, root: Path, *, create: bool = False) -> Collection:
        return Collection.open(
            root,
            embedder=self.embedder,
            tokenizer=self.tokenizer,
            create=create,
            chunk_tokens=CHUNK_TOKENS,
            overlap_tokens=OVERLAP_TOKENS,
            exact_threshold=0,  # dense search goes through the HNSW graph, as in the writer
        )


@pytest.fixture(scope="module")
def parts() -> Parts:
    embedder = Embedder(MODEL)
    return Parts(embedder, load_tokenizer(embedder.model_path))


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        return Corpus([line for line in fh.read().splitlines() if len(line.split()) > 60][:40])


@dataclass
class Scenario:
    """One path of the matrix: what the writer does, from which collection, with which files."""

    name: str
    base: Path | None
    """The collection to start from (copied for each run); None: no collection yet."""
    corpus: Path | None = None
    gone: list[str] = field(default_factory=list)
    """Ids the operation deletes."""


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory, corpus: Corpus, parts: Parts) -> dict[str, Scenario]:
    """ingest: 12 files (one a duplicate) into no collection; sync: 3 files deleted, 1 changed, 2 new;
    delete: 4 of 12 documents; hnsw: the graph and postings files removed, rebuilt, then 2 documents added."""
    tmp = tmp_path_factory.mktemp("crash")
    fresh = corpus.write(tmp / "fresh", range(11))
    (fresh / "doc011.txt").write_text(corpus.texts[3], encoding="utf-8")  # refused as a duplicate
    corpus.learn(fresh)
    synced = corpus.write(tmp / "synced", range(11, 23))
    corpus.learn(synced)
    base = tmp / "base"
    with _new_collection(parts, base) as col:
        col.ingest([synced])
        col.prepare_index()
    for number in (12, 16, 20):
        (synced / f"doc{number:03}.txt").unlink()
    (synced / "doc014.txt").write_text(corpus.texts[14] + " A sentence added later.", encoding="utf-8")
    corpus.write(synced, [23, 24])
    corpus.learn(synced)
    no_graph = tmp / "no_graph"
    shutil.copytree(base, no_graph)
    for name in (INDEX_FILE, POSTINGS_FILE):
        (no_graph / name).unlink()
    extra = corpus.write(tmp / "extra", [30, 31])
    corpus.learn(extra)
    return {
        "ingest": Scenario("ingest", None, fresh),
        "sync": Scenario("sync", base, synced, ["doc012.txt", "doc016.txt", "doc020.txt"]),
        "delete": Scenario("delete", base, None, ["doc011.txt", "doc015.txt", "doc018.txt", "doc022.txt"]),
        "hnsw": Scenario("hnsw", no_graph, extra),
    }


def _new_collection(parts: Parts, root: Path) -> Collection:
    return parts.open(root, create=True)


# -- the writer, killed at step N ------------------------------------------------------------------


class Writer:
    """crash_writer.py, started once: ``run`` forks a writer, kills it at a step, says how it ended."""

    def __init__(self, work: Path) -> None:
        self.work, self.runs = work, 0
        self.dry: dict[str, tuple[list[str], dict[str, str]]] = {}
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, str(WRITER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def run(
        self, path: Scenario, root: Path, *, kill_at: int | None, events: Path | None = None
    ) -> tuple[dict[str, Any], list[Any]]:
        """Run ``path``'s operation on ``root``; return how the fork ended and the lines it reported."""
        self.runs += 1
        report = self.work / f"report{self.runs}.jsonl"
        command = {
            "scenario": path.name,
            "root": str(root),
            "corpus": str(path.corpus),
            "gone": path.gone,
            "kill_at": kill_at,
            "events": None if events is None else str(events),
            "report": str(report),
        }
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], 120)
        assert ready, f"the writer hangs at step {kill_at}"
        status = json.loads(self.proc.stdout.readline())
        lines = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
        return status, lines

    def kill(self, path: Scenario, root: Path, n: int) -> list[Any]:
        """Run ``path`` on ``root`` and SIGKILL it just before step ``n``; return what it reported."""
        labels = self.dry[path.name][0]
        status, lines = self.run(path, root, kill_at=n)
        assert status == {"signal": 9, "code": None} and lines[-1] == {"killed_at": n, "label": labels[n]}, lines
        return lines

    def dry_run(self, path: Scenario, corpus: Corpus, parts: Parts) -> tuple[list[str], dict[str, str]]:
        """The labels of ``path``'s steps and its end state ({id: content hash}), from a run not killed."""
        if path.name not in self.dry:
            root, events = self.work / f"dry-{path.name}", self.work / f"events-{path.name}.txt"
            start(path, root)
            status, lines = self.run(path, root, kill_at=None, events=events)
            assert status == {"signal": None, "code": 0}, lines
            col = parts.open(root)
            reference = {info.id: info.content_hash for info in col.documents()}
            col.close(save=False)
            assert_end_state(root, reference, corpus, parts)
            self.dry[path.name] = events.read_text().splitlines(), reference
        return self.dry[path.name]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Writer]:
    w = Writer(tmp_path_factory.mktemp("writer"))
    yield w
    w.close()


def start(path: Scenario, root: Path) -> None:
    if path.base is not None:
        shutil.copytree(path.base, root)


def kind(label: str) -> str:
    """A step's kind: ``publish``, or a SQL verb in a read or write transaction ("write INSERT")."""
    words = label.replace(":", "").split()
    return "publish" if words[0] == "publish" else " ".join(words[1:3])


def choose_kill_points(labels: list[str]) -> list[int]:
    """Every step of a short path. Of a long one: the first and last step of each kind, each write
    transaction's BEGIN, middle, COMMIT and the step after it, each publish step, and ``SPREAD``
    steps evenly spaced."""
    last = len(labels) - 1
    if len(labels) <= KILL_ALL_UP_TO:
        return list(range(len(labels)))
    chosen = {round(k * last / (SPREAD - 1)) for k in range(SPREAD)}
    first: dict[str, int] = {}
    final: dict[str, int] = {}
    began = 0
    for i, label in enumerate(labels):
        first.setdefault(kind(label), i)
        final[kind(label)] = i
        if label == "sql BEGIN IMMEDIATE":
            began = i
        if label.startswith(("sql BEGIN IMMEDIATE", "sql ROLLBACK", "publish")):
            chosen.add(i)
        if label == "sql COMMIT write":
            chosen |= {(began + i) // 2, i, min(i + 1, last)}
    return sorted(chosen | set(first.values()) | set(final.values()))


# -- what must hold after a kill and after the rerun ---------------------------------------------


def reported(lines: list[Any], key: str) -> set[str]:
    return {doc_id for line in lines for doc_id in line.get(key, [])}


def assert_searchable(col: Collection, stored: dict[str, Any], corpus: Corpus, parts: Parts) -> None:
    """Each stored document's first chunk finds it first in every mode; HNSW gives exact search's top hits."""
    for info in stored.values():
        query = parts.chunk_texts(corpus.known[info.content_hash])[0]
        for mode in ("bm25", "dense", "hybrid"):
            hits = col.search(query, k=3, mode=mode)
            assert hits and hits[0].doc_id == info.id, f"{mode} search for {info.id} found {[h.id for h in hits]}"
        graph = [h.id for h in col.search(query, k=5, mode="dense")]
        assert graph == [h.id for h in col.search(query, k=5, mode="dense", exact=True)], info.id


def assert_whole(col: Collection, corpus: Corpus, parts: Parts) -> dict[str, Any]:
    report = col.check()
    assert report.ok, report.problems
    stored = {info.id: info for info in col.documents()}
    for info in stored.values():
        doc = corpus.known.get(info.content_hash)
        assert doc is not None, f"{info.id} holds a content no file ever had"
        assert info.chunks == len(parts.chunk_texts(doc)), f"{info.id} has {info.chunks} chunks"
    return stored


def assert_after_kill(
    probe: Path,
    path: Scenario,
    lines: list[Any],
    reference: dict[str, str],
    corpus: Corpus,
    parts: Parts,
) -> None:
    """What the kill left (a copy of it: searching may rebuild the graph) is whole and searchable."""
    committed, deleted = reported(lines, "committed"), reported(lines, "deleted")
    try:
        col = parts.open(probe)
    except StoreError as exc:  # killed while creating the collection: nothing to lose yet
        if committed or not ("creation was interrupted" in str(exc) or "no collection" in str(exc)):
            raise
        return
    try:
        stored = assert_whole(col, corpus, parts)
        for doc_id in committed & reference.keys():
            assert stored[doc_id].content_hash == reference[doc_id], f"committed {doc_id} is not its new version"
        left = set(path.gone) & stored.keys()
        assert left in (set(), set(path.gone)), f"half a delete: {sorted(left)} of {path.gone} remain"
        assert not deleted & stored.keys(), f"deleted documents came back: {sorted(deleted & stored.keys())}"
        assert_searchable(col, stored, corpus, parts)
    finally:
        col.close(save=False)  # the checker must not publish derived files


def assert_end_state(root: Path, reference: dict[str, str], corpus: Corpus, parts: Parts) -> None:
    col = parts.open(root)
    try:
        stored = assert_whole(col, corpus, parts)
        assert {doc_id: info.content_hash for doc_id, info in stored.items()} == reference
        assert graph_meta(root) is not None and verify_files(root, col.stats()["dims"]) is None
        assert sorted(p.name for p in root.iterdir() if p.name.endswith(".tmp")) == []  # no publish left litter
        assert_searchable(col, stored, corpus, parts)
    finally:
        col.close(save=False)


# -- the matrix ----------------------------------------------------------------------------------

KILLED: dict[str, tuple[int, int]] = {}
"""Steps of each path and how many of them it was killed at, in this run (also printed)."""


def durable(labels: list[str], n: int) -> int:
    """How many write transactions had committed when the writer was killed just before step ``n``."""
    return sum(label == "sql COMMIT write" for label in labels[:n])


@pytest.mark.parametrize("name", ["ingest", "sync", "delete", "hnsw"])
def test_a_writer_killed_at_any_step_loses_nothing_and_a_rerun_finishes(
    name: str, writer: Writer, paths: dict[str, Scenario], corpus: Corpus, parts: Parts, tmp_path: Path
) -> None:
    path = paths[name]
    labels, reference = writer.dry_run(path, corpus, parts)
    commits = durable(labels, len(labels))
    points = choose_kill_points(labels)
    failures = []
    for n in points:
        root, probe = tmp_path / f"kill{n}", tmp_path / f"probe{n}"
        start(path, root)
        lines = writer.kill(path, root, n)
        if path.gone and durable(labels, n) == commits:  # the delete (the last commit) is done
            lines.append({"deleted": path.gone})
        if root.exists():
            shutil.copytree(root, probe)
        try:
            assert_after_kill(probe, path, lines, reference, corpus, parts)
        except AssertionError as exc:
            failures.append(f"killed at step {n} ({labels[n]}), then: {exc}")
        try:
            status, lines = writer.run(path, root, kill_at=None)
            assert status == {"signal": None, "code": 0}, lines
            assert_end_state(root, reference, corpus, parts)
        except AssertionError as exc:
            failures.append(f"killed at step {n} ({labels[n]}), after a rerun: {exc}")
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(probe, ignore_errors=True)
    KILLED[name] = (len(labels), len(points))
    print(f"\n{name}: {len(labels)} steps, killed at {len(points)}")
    assert not failures, "\n".join(failures)
    assert len(points) >= MIN_KILL_POINTS[name]


# -- defects this matrix found, reproduced at one step each ---------------------------------------


def first_step(labels: list[str], label: str) -> int:
    return labels.index(label)


def test_a_kill_mid_publish_leaves_no_temporary_file_once_a_rerun_finishes(
    writer: Writer, paths: dict[str, Scenario], corpus: Corpus, parts: Parts, tmp_path: Path
) -> None:
    path = paths["hnsw"]
    labels, _ = writer.dry_run(path, corpus, parts)
    root = tmp_path / "col"
    start(path, root)
    writer.kill(path, root, first_step(labels, "publish vectors.hnsw: before rename"))
    assert writer.run(path, root, kill_at=None)[0] == {"signal": None, "code": 0}
    assert sorted(p.name for p in root.iterdir() if p.name.endswith(".tmp")) == []
