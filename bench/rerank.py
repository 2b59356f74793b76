"""Late rerank from kept token vectors: its cost per query, its cost on disk, and what it adds.

Per data set (its test split; nothing is chosen on it), a collection that keeps token vectors
(``Collection.open(..., token_vectors=True)``, cached by ``embedrag eval``) is built once, then:

- quality: ``embedrag eval retrieval --compare hybrid,hybrid+late,dense,dense+late --token-vectors``
  (the library's ``compare_retrieval``): nDCG@10 and the paired randomisation test against the default;
- speed: the top 50 hybrid candidates of the first ``--latency-queries`` queries reranked by
  ``Collection.reranker("late")`` (one query encoding and a gather of the kept vectors), timed per
  query, beside the same rerank encoding every candidate at query time (what ``late`` did before,
  and does for a collection without kept vectors) on the first ``--encode-queries`` queries;
- disk: the bytes of the kept token vectors, per chunk and per word piece, and the database's size;
- ingest: ``--ingest-docs`` documents ingested into a fresh collection with and without token
  vectors, side by side, in the same run.

    python bench/rerank.py --data bench/.cache/data --sets wordnet python-docs --json rerank.json

Writes a markdown summary to stdout and, with --json FILE, every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _common import cpu_info, versions
from embedrag.collection import Collection
from embedrag.eval import load_beir
from embedrag.eval.compare import compare_retrieval, parse_setting
from embedrag.eval.runner import open_collection
from embedrag.search.modes import CANDIDATES
from embedrag.search.rerank import make_reranker
from embedrag.types import Document

SETTINGS = ("hybrid", "hybrid+late", "dense", "dense+late")


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "n": len(ordered),
    }


def speed(col: Collection, queries: list[str], encode_queries: int) -> dict[str, Any]:
    """Milliseconds per query of the kept-vector rerank of the top 50, and of the encode-everything one."""
    kept, fresh = col.reranker("late"), make_reranker("late", col.embedder)
    kept(queries[0], col.search(queries[0], k=CANDIDATES))  # warm: the encoder's first run
    timings: dict[str, list[float]] = {"kept": [], "encoded": [], "search": [], "query_encoding": []}
    query_encoder = col.embedder.for_role("query")
    for n, query in enumerate(queries):
        started = time.perf_counter()
        query_encoder.embed([query])  # what the rerank's one query encoding costs, for comparison
        timings["query_encoding"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        hits = col.search(query, k=CANDIDATES)
        timings["search"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        kept(query, hits)
        timings["kept"].append((time.perf_counter() - started) * 1000)
        if n < encode_queries:
            started = time.perf_counter()
            fresh(query, hits)
            timings["encoded"].append((time.perf_counter() - started) * 1000)
    return {name: _percentiles(values) for name, values in timings.items() if values}


def disk(col: Collection) -> dict[str, Any]:
    stats = col.stats()
    kept = int(stats["token_vector_bytes"])
    per_token = stats["dims"] + 4
    return {
        "chunks": stats["chunks"],
        "token_vector_bytes": kept,
        "bytes_per_chunk": kept / max(stats["chunks"], 1),
        "tokens_per_chunk": kept / per_token / max(stats["chunks"], 1),
        "bytes_per_token": per_token,
        "per_100k_chunks_gb": kept / max(stats["chunks"], 1) * 100_000 / 1e9,
        "collection_db_bytes": os.path.getsize(Path(stats["path"]) / "collection.db"),
    }


def ingest_side_by_side(folder: Path, documents: int) -> dict[str, float]:
    """Seconds to ingest the first ``documents`` of the corpus with and without token vectors (one encoder)."""
    data = load_beir(folder, split="test")
    docs = [Document(i, d.full_text, i, d.metadata) for i, d in list(data.corpus.items())[:documents]]
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        plain = Collection.open(Path(tmp) / "warm")
        embedder = plain.embedder
        plain.add(docs[:5])
        plain.close()
        for name, keep in (("plain", False), ("token_vectors", True), ("plain again", False)):
            col = Collection.open(Path(tmp) / name.replace(" ", "-"), embedder=embedder, token_vectors=keep or None)
            started = time.perf_counter()
            report = col.add(docs)
            out[f"{name}_s"] = time.perf_counter() - started
            out["chunks"] = report.chunks
            col.close()
    return out


def run_set(folder: Path, args: argparse.Namespace, before: dict[str, Any]) -> dict[str, Any]:
    result = dict(before)
    if not args.speed_only or "quality" not in before:
        started = time.perf_counter()
        settings = [parse_setting(s) for s in SETTINGS]
        comparison = compare_retrieval(folder, settings, split=args.split, token_vectors=True)
        result.update(quality=comparison.as_dict(), quality_s=time.perf_counter() - started)
    data = load_beir(folder, split=args.split)
    col, index_s = open_collection(folder, data, token_vectors=True)
    with col:
        queries = list(data.queries.values())[: args.latency_queries]
        result.update(index_s=index_s, speed_ms=speed(col, queries, args.encode_queries), disk=disk(col))
    if args.ingest_docs:
        result["ingest"] = ingest_side_by_side(folder, args.ingest_docs)
    result["load"] = os.getloadavg()
    return result


def summary(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| set | queries | hybrid nDCG@10 | + late | delta (p) | dense | + late | delta (p) | rerank p50 / p95 ms"
        " | query encoding p50 ms | encoded p50 ms | kept bytes / chunk | GB per 100k chunks |",
        "|---|---:|---:|---:|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        q = r["quality"]
        res, tests = q["results"], q["tests"]
        hybrid_late = tests["hybrid+late"]["ndcg@10"]
        dense_d = res["dense+late"]["ndcg@10"] - res["dense"]["ndcg@10"]
        speed_ms, d = r["speed_ms"], r["disk"]
        encoded = f"{speed_ms['encoded']['p50']:.0f}" if "encoded" in speed_ms else ""
        lines.append(
            f"| {name} | {q['queries']} | {res['hybrid']['ndcg@10']:.4f} | {res['hybrid+late']['ndcg@10']:.4f} | "
            f"{hybrid_late['delta']:+.4f} {hybrid_late['verdict']} (p={hybrid_late['p']:.3f}) | "
            f"{res['dense']['ndcg@10']:.4f} | {res['dense+late']['ndcg@10']:.4f} | {dense_d:+.4f} | "
            f"{speed_ms['kept']['p50']:.1f} / {speed_ms['kept']['p95']:.1f} | "
            f"{speed_ms.get('query_encoding', {}).get('p50', float('nan')):.1f} | {encoded} | "
            f"{d['bytes_per_chunk']:,.0f} | {d['per_100k_chunks_gb']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="folder of sets made by embedrag datasets prepare")
    parser.add_argument("--sets", nargs="+", default=["wordnet", "python-docs", "python-code", "man-pages", "bbc-news"])
    parser.add_argument("--split", default="test")
    parser.add_argument("--latency-queries", type=int, default=100)
    parser.add_argument("--encode-queries", type=int, default=3, help="queries reranked by encoding every candidate")
    parser.add_argument("--ingest-docs", type=int, default=0, help="documents ingested with and without token vectors")
    parser.add_argument("--speed-only", action="store_true", help="keep the quality figures --json holds")
    parser.add_argument("--json", type=Path, help="write every figure here (merged with what it holds)")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = json.loads(args.json.read_text()) if args.json and args.json.exists() else {}
    for name in args.sets:
        print(f"{name} ...", file=sys.stderr)
        results[name] = run_set(args.data / name, args, results.get(name, {}))
        results[name]["machine"] = {**cpu_info(), "versions": versions("embedrag", "onnxruntime", "numpy")}
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
        print(summary({name: results[name]}), file=sys.stderr)
    print(summary(results))


if __name__ == "__main__":
    main()
