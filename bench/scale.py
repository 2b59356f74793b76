"""One machine, many chunks: how ingest, search, small adds and a cold open grow with the collection.

One collection of "3-sentence BBC mixes" (three random sentences of BBC News articles per
document, one chunk each) is grown step by step to each size asked for, with the static 64-d
model ``tokenlearn-static-64`` (so the engine, not the encoder, is what grows). At each size:

- ingest chunks/s of the last 5,000 documents before each size, through ``Collection.add``
  (chunking, embedding, SQLite, the derived files caught up and published); the bulk before them
  is imported with ``add_embedded`` (static-model vectors, one chunk per document), as a Parquet
  import would, so that a million chunks take minutes, not hours;
- hybrid top-10 p50/p95 ms, warm, one query at a time (60 BBC headlines; the query's encoding
  with the static model is included, ~0.1 ms);
- adding 10 documents plus the first hybrid search after it, in the same process;
- a cold open: a new ``python`` process that imports embedrag, opens the collection and runs
  one hybrid query; its wall time from spawn to exit, split into imports / open / loading the
  encoder (the static model's tokenizer) / the first query (the derived files mapped and checked),
  and its peak RSS (``VmHWM``). The OS page cache is warm (the files were just written): "cold"
  means a new process, not a cold disk;
- the peak RSS of this (writing) process, and the collection's size on disk.

The collection is kept in ``--work`` (default ``bench/.cache/scale``): a later run with larger
sizes continues from the chunks already there, so the 1M row does not rebuild the smaller ones.

    python bench/scale.py --sizes 20000,100000          # a few minutes on 2 cores
    python bench/scale.py --sizes 20000,100000,300000,1000000 --write
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from _common import run_header, write_section
from search import bbc_articles, headlines

MODEL = "tokenlearn-static-64"
QUERIES = 60
BATCH = 50_000
"""Documents per ``add_embedded`` call (one transaction) while growing the collection."""
INGEST_STEP = 5_000
"""Documents added through ``Collection.add`` at each size: the ingest column's rate."""
WORK = Path(__file__).parent / ".cache" / "scale"

COLD = r"""
import json, os, sys, time
start = time.perf_counter()
from embedrag import Collection
imported = time.perf_counter()
col = Collection.open(sys.argv[1], create=False)
opened = time.perf_counter()
col.embedder.for_role("query")
model = time.perf_counter()
hits = col.search(sys.argv[2], k=10, mode="hybrid")
done = time.perf_counter()
# VmHWM, not the parent's wait4 ru_maxrss: Linux keeps the forking process's peak across exec.
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM")][0].split()[1]
print(json.dumps({"imports": imported - start, "open": opened - imported, "model": model - opened,
                  "query": done - model, "rss_kb": int(hwm), "ids": [h.id for h in hits]}))
"""


@dataclass(frozen=True)
class Row:
    chunks: int
    ingest_rate: float
    p50_ms: float
    p95_ms: float
    add10_s: float
    cold_s: float
    cold_split: dict[str, float]
    cold_rss_gb: float
    rss_gb: float
    disk_mb: float
    load: str


def mixes(start: int, count: int, sentences: list[str]) -> Iterator[tuple[str, str]]:
    """Documents ``start .. start+count``: (id, three sentences drawn by a generator seeded with the index)."""
    for i in range(start, start + count):
        rng = np.random.default_rng(i)
        picks = rng.integers(0, len(sentences), 3)
        yield f"mix{i:07d}", " ".join(sentences[j] for j in picks)


def all_sentences() -> list[str]:
    return [s for _, body in bbc_articles() for s in body]


def grow(col: object, have: int, target: int, sentences: list[str]) -> float:
    """Fill the collection up to ``target`` chunks; the chunks/s of its last ``INGEST_STEP`` documents.

    The bulk is imported with :meth:`Collection.add_embedded` (vectors from the static model, one
    chunk per document, no chunker): what a Parquet import does, so a million chunks do not take
    hours on a loaded 2-core machine. The last step goes through ``Collection.add`` (chunking,
    embedding, SQLite, derived files) and is what the ingest column reports.
    """
    from embedrag import Document

    bulk_to = max(have, target - INGEST_STEP)
    while have < bulk_to:
        n = min(BATCH, bulk_to - have)
        have += import_embedded(col, mixes(have, n, sentences))
        print(f"  {have:,} chunks imported", file=sys.stderr, flush=True)
    n = target - have
    if n <= 0:
        return float("nan")
    start = time.perf_counter()
    report = col.add([Document(i, text, i) for i, text in mixes(have, n, sentences)])  # type: ignore[attr-defined]
    return report.chunks / (time.perf_counter() - start)


def import_embedded(col: object, docs: Iterator[tuple[str, str]]) -> int:
    """Store ``docs`` as one chunk each with static-model vectors through ``add_embedded``; how many."""
    from embedrag import Document
    from embedrag._identity import content_hash
    from embedrag.types import Chunk, EmbeddedDocument

    pairs = list(docs)
    embedder = col.embedder  # type: ignore[attr-defined]
    vectors = embedder.embed([text for _, text in pairs]).vectors
    items = [
        EmbeddedDocument(
            Document(i, text, i),
            [Chunk(i, 0, text, 0, len(text), len(text.split()))],
            vectors[j : j + 1],
            content_hash(text),
        )
        for j, (i, text) in enumerate(pairs)
    ]
    return int(col.add_embedded(items, spec=embedder.spec).chunks)  # type: ignore[attr-defined]


def latencies(col: object, queries: list[str]) -> tuple[float, float]:
    col.search(queries[0], k=10, mode="hybrid")  # type: ignore[attr-defined]
    times = []
    for q in queries:
        t = time.perf_counter()
        col.search(q, k=10, mode="hybrid")  # type: ignore[attr-defined]
        times.append((time.perf_counter() - t) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def add_ten(col: object, have: int, sentences: list[str], query: str) -> float:
    from embedrag import Document

    docs = [Document(i, text, i) for i, text in mixes(10**8 + have, 10, sentences)]
    start = time.perf_counter()
    col.add(docs)  # type: ignore[attr-defined]
    col.search(query, k=10, mode="hybrid")  # type: ignore[attr-defined]
    return time.perf_counter() - start


def cold_open(root: Path, query: str) -> tuple[float, dict[str, float], float]:
    """Wall seconds of a new process that opens ``root`` and runs one hybrid query, its split, peak RSS GB."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-c", COLD, str(root), query], stdout=subprocess.PIPE, env=env
    )
    assert child.stdout is not None
    out = child.stdout.read()
    _, status = os.waitpid(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"the cold-open process failed ({child.returncode})")
    split = json.loads(out)
    split.pop("ids")
    return wall, split, split.pop("rss_kb") / 1e6


def disk_mb(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(root: Path, sizes: list[int]) -> list[Row]:
    from embedrag import Collection

    sentences, queries = all_sentences(), headlines(QUERIES)
    col = Collection.open(root, model=MODEL)
    rows = []
    try:
        for size in sizes:
            have = col.stats()["chunks"]
            rate = grow(col, have, size, sentences)
            p50, p95 = latencies(col, queries)
            add10 = add_ten(col, size, sentences, queries[1])
            col.close()  # the writer publishes what it holds; the cold process only reads
            cold, split, cold_rss = cold_open(root, queries[2])
            col = Collection.open(root, model=MODEL)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
            row = Row(size, rate, p50, p95, add10, cold, split, cold_rss, rss, disk_mb(root), load())
            print(row, file=sys.stderr, flush=True)
            rows.append(row)
    finally:
        col.close()
    return rows


def compact(root: Path, queries: list[str]) -> str:
    """Dense top-10 recall against exact search, graph size and query time per HNSW dtype, on a copy of ``root``."""
    from embedrag import Collection

    copy = root.parent / f"{root.name}-compact"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy)
    lines = [
        f"Dense top-10 of {len(queries)} BBC headlines, each HNSW dtype against exact search:",
        "",
        "| dtype | bytes per vector in the graph (file / chunks) | recall@10 | p50 ms per query | build s |",
        "|---|---:|---:|---:|---:|",
    ]
    for dtype in ("f32", "i8", "b1"):
        with Collection.open(copy, create=False, hnsw_dtype=dtype) as col:  # type: ignore[arg-type]
            vectors = col.embedder.for_role("query").embed(queries).vectors
            truth = [{h.id for h in col.search_by_vector(q, k=10, exact=True)} for q in vectors]
            start = time.perf_counter()
            col.prepare_index()  # a graph of another dtype is rebuilt in this one
            build = time.perf_counter() - start
            times, found = [], 0
            for q, expected in zip(vectors, truth, strict=True):
                t = time.perf_counter()
                hits = col.search_by_vector(q, k=10)
                times.append((time.perf_counter() - t) * 1000)
                found += len({h.id for h in hits} & expected)
            per = (copy / "vectors.hnsw").stat().st_size / col.stats()["chunks"]
        lines.append(
            f"| {dtype} | {per:,.0f} | {found / (10 * len(truth)):.3f} | {np.percentile(times, 50):.2f} | {build:.0f} |"
        )
    shutil.rmtree(copy)
    return "\n".join(lines)


def table(rows: list[Row]) -> str:
    lines = [
        "| chunks | ingest chunks/s (last 5k docs) | hybrid p50 / p95 ms | add 10 docs + search "
        "| cold open + first hybrid query, s (imports / open / encoder load / query) "
        "| peak RSS, cold process | peak RSS, writer | disk | load (1/5/15 min) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        split = " / ".join(f"{r.cold_split[k]:.2f}" for k in ("imports", "open", "model", "query"))
        lines.append(
            f"| {r.chunks:,} | {r.ingest_rate:,.0f} | {r.p50_ms:.1f} / {r.p95_ms:.1f} | {r.add10_s:.2f} s "
            f"| {r.cold_s:.2f} ({split}) | {r.cold_rss_gb:.2f} GB | {r.rss_gb:.2f} GB | {r.disk_mb:,.0f} MB "
            f"| {r.load} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,100000", help="comma-separated chunk counts, increasing")
    parser.add_argument("--work", type=Path, default=WORK, help="where the growing collection is kept")
    parser.add_argument("--fresh", action="store_true", help="start from an empty collection")
    parser.add_argument("--compact", action="store_true", help="also measure each HNSW dtype's recall (slow)")
    parser.add_argument("--write", action="store_true", help="write the section into bench/RESULTS.md")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    if args.fresh and args.work.exists():
        shutil.rmtree(args.work)
    rows = measure(args.work, sizes)
    body = "\n".join(
        [
            *run_header("One machine: growing a collection", "scale.py", "numpy", "faiss-cpu", "scipy"),
            "",
            "The machine is shared with other jobs; the load column is `os.getloadavg()` at each row.",
            "",
            table(rows),
            *(["", compact(args.work, headlines(QUERIES))] if args.compact else []),
        ]
    )
    print(body)
    if args.write:
        write_section("scale", body)


if __name__ == "__main__":
    main()
