"""Ray against the single-process path, on the same documents in the same run: embedding to Parquet
and ingesting, with 1 and 2 encoder workers.

    python bench/scale_ray.py --docs 20000 --minilm-docs 1500

Documents are scale.py's 3-sentence BBC News mixes. Each pair does the same work:

- *embed to Parquet*: cut, embed and write the chunk rows. Single process: one
  :class:`~embedrag.distributed.encode.ChunkEncoder` with the machine's threads, fed the same
  batches; Ray: ``embed_dataset`` with 1 worker of all CPUs, then 2 workers of 1 CPU each.
- *ingest*: ``Collection.add`` against ``ingest_on_ray`` (2 workers) into a new collection.

The cluster is started once, before the clock (its start-up is reported on its own); each Ray
figure includes the actors' start (model load) and the driver's Parquet writing. Overhead at 1
worker is ``ray_time / local_time - 1``. Results go to bench/RESULTS.md, section ``scale-ray``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from _common import run_header, write_section
from scale import all_sentences, load, mixes

STATIC = "tokenlearn-static-64"
MINILM = "all-MiniLM-L6-v2"


def _documents(n: int) -> list[dict[str, str]]:
    sentences = all_sentences()
    return [{"id": doc_id, "text": text} for doc_id, text in mixes(0, n, sentences)]


def local_embed(model: str, docs: list[dict[str, str]], out: Path, batch: int) -> float:
    """The single-process path: one encoder, all threads, the same batches and writer as the Ray job."""
    from embedrag.distributed.dataset import DatasetReport, new_collection_recipe, write_chunks
    from embedrag.distributed.encode import ChunkEncoder

    start = time.perf_counter()
    recipe, spec = new_collection_recipe(model)
    encoder = ChunkEncoder(recipe, threads=os.cpu_count())
    rows = [{**d, "source": d["id"], "metadata": "{}", "skipped": None} for d in docs]
    batches = (encoder(pa.Table.from_pylist(rows[i : i + batch])) for i in range(0, len(rows), batch))
    write_chunks(batches, out, spec, DatasetReport())
    return time.perf_counter() - start


def ray_embed(model: str, source: Path, out: Path, workers: int, cpus: int, batch: int) -> float:
    from embedrag.distributed import Workers, embed_dataset

    start = time.perf_counter()
    embed_dataset(source, out, address="auto", model=model, workers=Workers(workers, cpus, batch))
    return time.perf_counter() - start


def ingest_pair(model: str, docs: list[dict[str, str]], folder: Path) -> tuple[float, float, int]:
    """(local seconds, Ray seconds with 2 workers, chunks) of ingesting ``docs`` into a new collection."""
    from embedrag import Collection, Document
    from embedrag.distributed import Workers, ingest_on_ray

    records = folder / "docs.jsonl"  # the Ray ingest loads files; the local one gets the same documents
    start = time.perf_counter()
    with Collection.open(folder / "local", model=model) as col:
        chunks = col.add(Document(d["id"], d["text"], d["id"]) for d in docs).chunks
    local = time.perf_counter() - start
    start = time.perf_counter()
    with Collection.open(folder / "ray", model=model) as col:
        ingest_on_ray(col, [records], address="auto", workers=Workers(2, 1), id_field="id")
    return local, time.perf_counter() - start, chunks


def fanout(docs: list[dict[str, str]], folder: Path, shards: int = 2, queries: int = 40) -> str:
    """Hybrid top-10 p50 / p95 of one collection and of ``shards`` shards over the same documents (static model)."""
    import numpy as np

    from embedrag import Collection, Document
    from embedrag.distributed.sharded import ShardedCollection

    documents = [Document(d["id"], d["text"], d["id"]) for d in docs]
    asked = [d["text"].split(". ")[0] for d in docs[:queries]]

    def timed(search: object) -> tuple[float, float]:
        times = []
        for query in asked:
            start = time.perf_counter()
            search(query)  # type: ignore[operator]
            times.append((time.perf_counter() - start) * 1000)
        return float(np.percentile(times, 50)), float(np.percentile(times, 95))

    with Collection.open(folder / "one", model=STATIC) as one:
        one.add(documents)
        one.search(asked[0])
        single = timed(lambda q: one.search(q, k=10))
    with ShardedCollection.open(folder / "sharded", shards=shards, model=STATIC, cpus_per_shard=0.5) as sharded:
        sharded.add(documents)
        sharded.search(asked[0])
        spread = timed(lambda q: sharded.search(q, k=10))
    return (
        f"Hybrid top-10, {len(docs):,} docs, {queries} queries: one collection p50 {single[0]:.1f} ms / p95 "
        f"{single[1]:.1f} ms; {shards} shards on Ray p50 {spread[0]:.1f} ms / p95 {spread[1]:.1f} ms "
        "(same ids and scores; the difference is the fan-out's round trips)."
    )


def measure(model: str, n: int, batch: int, folder: Path) -> list[str]:
    """Each path on ``n`` and on ``2 n`` documents: the difference is the work of ``n`` more without
    what a job pays once (starting actors, loading the model), which a long job amortises."""
    docs = _documents(2 * n)
    cpus = os.cpu_count() or 2
    # Outside the clock: build the model's cached graph (a first use exports and quantises it, tens of
    # seconds that would land in whichever path runs first) and warm the page cache.
    local_embed(model, docs[:batch], folder / "warm-up.parquet", batch)
    paths = {
        f"single process ({cpus} threads)": lambda src, d, out: local_embed(model, d, out, batch),
        f"Ray, 1 worker x {cpus} CPUs": lambda src, d, out: ray_embed(model, src, out, 1, cpus, batch),
        f"Ray, 2 workers x {max(cpus // 2, 1)} CPU": lambda src, d, out: ray_embed(
            model, src, out, 2, max(cpus // 2, 1), batch
        ),
    }
    times: dict[str, list[float]] = {}
    chunks = []
    for size in (n, 2 * n):
        part = docs[:size]
        source = folder / f"docs-{size}.jsonl"
        source.write_text("".join(json.dumps(d) + "\n" for d in part))
        for name, run in paths.items():
            out = folder / f"{len(times.get(name, []))}-{abs(hash(name))}.parquet"
            times.setdefault(name, []).append(run(source, part, out))
        chunks.append(pq.read_metadata(out).num_rows)
    extra = chunks[1] - chunks[0]
    first = times[next(iter(paths))]
    base = extra / (first[1] - first[0]) if first[1] > first[0] else 0.0
    rows = [f"| **{model}**, {n:,} / {2 * n:,} docs, {chunks[0]:,} / {chunks[1]:,} chunks: embed to Parquet | | | | |"]
    for name, (t1, t2) in times.items():
        if t2 <= t1 or base <= 0:  # the doubled job was not slower: noise (load) outweighs the work
            rows.append(f"| {name} | {t1:.1f} s | {t2:.1f} s | n/a (2n not slower: noise) | n/a |")
            continue
        rate = extra / (t2 - t1)
        rows.append(f"| {name} | {t1:.1f} s | {t2:.1f} s | {rate:,.0f} | {base / rate:.2f} |")
    with_ingest = folder / "ingest"
    with_ingest.mkdir()
    (with_ingest / "docs.jsonl").write_text((folder / f"docs-{n}.jsonl").read_text())
    ingest_local, ingest_ray, _ = ingest_pair(model, docs[:n], with_ingest)
    rows.append(f"| **{model}**, {n:,} docs: ingest into a new collection (one size) | | | | |")
    rows.append(f"| Collection.add | {ingest_local:.1f} s | | | |")
    rows.append(f"| ingest --ray, 2 workers | {ingest_ray:.1f} s | | | {ingest_ray / ingest_local:.2f} (time) |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000, help="documents for the static model (0: skip)")
    parser.add_argument("--minilm-docs", type=int, default=0, help="documents for all-MiniLM-L6-v2 (0: skip)")
    parser.add_argument("--batch", type=int, default=256, help="documents per batch (both paths)")
    parser.add_argument("--section", default="scale-ray", help="the section of bench/RESULTS.md to write")
    args = parser.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray

    start = time.perf_counter()
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
    started = time.perf_counter() - start
    rows, notes = [], []
    try:
        before = load()
        if args.docs:  # the fan-out runs on the static model's documents
            with tempfile.TemporaryDirectory() as folder:
                notes.append(fanout(_documents(args.docs), Path(folder)))
        for model, n in ((STATIC, args.docs), (MINILM, args.minilm_docs)):
            if n:
                with tempfile.TemporaryDirectory() as folder:
                    rows += measure(model, n, args.batch, Path(folder))
        after = load()
    finally:
        ray.shutdown()
    lines = [
        *run_header("Ray against one process (bench/scale_ray.py)", "scale_ray.py", "ray", "onnxruntime"),
        f"Load average before / after: {before} / {after}. Ray cluster start-up (not in the times): {started:.1f} s.",
        "",
        "Marginal chunks/s: the chunks of the second size less the first's, over the difference of the two",
        "times (what a long job approaches: the job's fixed start-up cancels). Overhead: the single",
        "process's marginal rate over this path's (1.00 = none; 1.15 = 15% slower).",
        "",
        "| path | time, n docs | time, 2n docs | marginal chunks/s | single / this (marginal) |",
        "| --- | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        *notes,
    ]
    print("\n".join(lines))
    write_section(args.section, "\n".join(lines))


if __name__ == "__main__":
    main()
