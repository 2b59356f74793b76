"""Retrieval quality grid: dense, BM25 and hybrid (fusion variants), chunk sizes, late rerank.

For each data set and chunk size the collection is built once (cached by ``embedrag eval``),
each query's dense and BM25 candidate lists are fetched once, and every fusion variant is
computed from those lists the way ``Collection.search`` does it (each retriever contributes
its top ``CANDIDATES`` = 50 chunks, scores normalised over them), so a variant's top 10 here
is what search would return. Chunks map to documents by their best chunk.

    python bench/quality.py --data DIR --split dev                # the grid, on the dev split
    python bench/quality.py --data DIR --split test --rerank-queries 150

DIR holds data sets made by ``embedrag datasets prepare`` (bbc-news, python-docs, python-code,
wordnet, man-pages); a missing one is made there.
Writes a markdown table to stdout and, with --json FILE, every figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from _common import cpu_info, versions, write_section
from embedrag.eval import evaluate_run, load_beir
from embedrag.eval.runner import _copies, documents_of, open_collection
from embedrag.models.cache import cache_dir
from embedrag.search.fusion import FUSION, reciprocal_rank, top_gap
from embedrag.search.late import maxsim_many
from embedrag.search.modes import CANDIDATES
from embedrag.types import Hit

Scored = list[tuple[int, float]]
MEASURES = ("ndcg@10", "recall@10", "recall@100", "mrr@10")
DEPTH_CHUNKS = 400  # chunks per retriever per query: enough for 100 documents on these sets


def _norm_minmax(ranked: Scored) -> dict[int, float]:
    head = [s for _, s in ranked[:CANDIDATES]]
    if not head:
        return {}
    low, high = min(head), max(head)
    span = (high - low) or 1.0
    return {i: max(0.0, (s - low) / span) for i, s in ranked}


def _norm_z(ranked: Scored) -> dict[int, float]:
    head = np.array([s for _, s in ranked[:CANDIDATES]])
    if not len(head):
        return {}
    mean, std = float(head.mean()), float(head.std()) or 1.0
    floor = (float(head.min()) - mean) / std
    return {i: max(floor, (s - mean) / std) - floor for i, s in ranked}


def score_fusion(norm: Callable[[Scored], dict[int, float]], w_dense: float) -> Callable[[Scored, Scored], Scored]:
    def fuse(dense: Scored, lexical: Scored) -> Scored:
        d, b = norm(dense), norm(lexical)
        total = {i: w_dense * d.get(i, 0.0) + (1 - w_dense) * b.get(i, 0.0) for i in {*d, *b}}
        return sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))

    return fuse


Fuse = Callable[[Scored, Scored, int], Scored]
"""A variant: (dense list, BM25 list, the collection's number of chunks) -> fused list."""


def _ramp(value: float, low: float, high: float) -> float:
    return min(1.0, max(0.0, (value - low) / (high - low)))


def adaptive(w0: float, floor: float, full: float, overlap: tuple[float, float] | None = None) -> Fuse:
    """Min-max fusion whose dense share ``w0`` moves by half the difference of the top gaps, the
    BM25 share scaled by its evidence (best score / ln(chunks)): 0 below ``floor``, whole from
    ``full`` on, linear in between; with ``overlap`` (low, high), at least what the share of the two
    top 10s in common earns over that range. A share of 0 returns the dense list alone."""

    def fuse(dense: Scored, lexical: Scored, chunks: int) -> Scored:
        weight = min(0.9, max(0.3, w0 + 0.5 * (top_gap(dense) - top_gap(lexical))))
        evidence = (lexical[0][1] / np.log(max(chunks, 3))) if lexical else 0.0
        trust = _ramp(evidence, floor, full)
        if overlap is not None:
            shared = len({i for i, _ in dense[:10]} & {i for i, _ in lexical[:10]}) / 10
            trust = max(trust, _ramp(shared, *overlap))
        if trust == 0.0:
            return dense
        d, b = _norm_minmax(dense), _norm_minmax(lexical)
        total = {i: weight * d.get(i, 0.0) + (1 - weight) * trust * b.get(i, 0.0) for i in {*d, *b}}
        return sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))

    return fuse


def agreement(w0: float, slope: float) -> Fuse:
    """The gap rule, the dense share also raised by ``slope`` when the two top 10s share under half their chunks."""

    def fuse(dense: Scored, lexical: Scored, chunks: int) -> Scored:
        overlap = len({i for i, _ in dense[:10]} & {i for i, _ in lexical[:10]}) / 10
        weight = min(0.9, max(0.3, w0 + 0.5 * (top_gap(dense) - top_gap(lexical)) - slope * (overlap - 0.5)))
        return score_fusion(_norm_minmax, weight)(dense, lexical)

    return fuse


def _library(dense: Scored, lexical: Scored, chunks: int | None) -> Scored:
    fused = FUSION["adaptive"]([dense, lexical], chunks=chunks)
    return [(int(i), s) for i, s in fused]  # type: ignore[call-overload]


def _plain(fuse: Callable[[Scored, Scored], Scored]) -> Fuse:
    return lambda d, b, chunks: fuse(d, b)


VARIANTS: dict[str, Fuse] = {
    "dense": lambda d, b, n: d,
    "bm25": lambda d, b, n: b,
    "rrf": _plain(lambda d, b: [(int(i), s) for i, s in reciprocal_rank([d, b])]),  # type: ignore[call-overload]
    **{f"minmax w={w}": _plain(score_fusion(_norm_minmax, w)) for w in (0.6, 0.7, 0.8, 0.9)},
    **{f"zscore w={w}": _plain(score_fusion(_norm_z, w)) for w in (0.6, 0.7)},
    "gap w0=0.6 slope=0.5 (old default)": lambda d, b, n: _library(d, b, None),
    **{f"gap + overlap w0={w} a={a}": agreement(w, a) for w in (0.6, 0.7) for a in (0.3, 0.6)},
    **{
        f"gap + evidence w0={w} floor={f} full={f + span}": adaptive(w, f, f + span)
        for w in (0.5, 0.6)
        for f in (0.25, 0.5, 0.75)
        for span in (0.25, 0.5, 1.0)
    },
    **{
        f"gap + evidence w0={w} floor={f} full={full} + overlap {low}-{high}": adaptive(w, f, full, (low, high))
        for w, f, full in ((0.5, 0.75, 1.0), (0.6, 0.5, 1.0), (0.6, 0.75, 1.0))
        for low, high in ((0.1, 0.5), (0.2, 0.5), (0.3, 0.6))
    },
    "adaptive (default)": _library,
}


def _hits_for(col: object, scored: Scored, chunks: dict[int, Hit]) -> list[Hit]:
    return [Hit(str(i), s, "", "", {}, chunks[i].doc_id) for i, s in scored]


class _Chunks(dict[int, Hit]):
    """The chunks met so far, under a number each (fusion keys on numbers), first come first numbered."""

    def __init__(self) -> None:
        super().__init__()
        self._numbers: dict[str, int] = {}

    def scored(self, hits: list[Hit]) -> Scored:
        for hit in hits:
            if hit.id not in self._numbers:
                self._numbers[hit.id] = len(self._numbers)
                self[self._numbers[hit.id]] = hit
        return [(self._numbers[hit.id], hit.score) for hit in hits]


def grid(folder: Path, split: str, chunk_tokens: int | None, rerank_queries: int) -> dict[str, dict[str, float]]:
    data = load_beir(folder, split=split)
    col, seconds = open_collection(folder, data, chunk_tokens=chunk_tokens)
    copies = _copies(data)
    chunks = _Chunks()
    started = time.perf_counter()
    lists: dict[str, tuple[Scored, Scored]] = {}
    for qid, query in data.queries.items():
        dense = col.search(query, k=DEPTH_CHUNKS, mode="dense")
        lexical = col.search(query, k=DEPTH_CHUNKS, mode="bm25")
        lists[qid] = (chunks.scored(dense), chunks.scored(lexical))
    print(
        f"  {folder.name} chunk_tokens={chunk_tokens}: {len(lists)} queries fetched in "
        f"{time.perf_counter() - started:.1f} s (index built in {seconds:.0f} s)",
        file=sys.stderr,
    )
    results: dict[str, dict[str, float]] = {}
    fused_runs: dict[str, dict[str, Scored]] = {}
    size = col.stats()["chunks"]
    for name, fuse in VARIANTS.items():
        fused = {qid: fuse(d, b, size) for qid, (d, b) in lists.items()}
        fused_runs[name] = fused
        run = {qid: documents_of(_hits_for(col, s, chunks), copies, 100) for qid, s in fused.items()}
        results[name] = evaluate_run(run, data.qrels, MEASURES)
    if rerank_queries:
        results.update(_reranked(col, chunks, data, fused_runs, copies, rerank_queries))
    SIGNALS[f"{folder.name} ({split})"] = {**_signals(list(lists.values()), size), **_pseudo(col)}
    col.close()
    return results


SIGNALS: dict[str, dict[str, float]] = {}
"""Per set: what the fusion signals look like on its real queries and on pseudo-queries from its chunks."""
PSEUDO_QUERIES = 60
PSEUDO_WORDS = 8


def _signals(lists: list[tuple[Scored, Scored]], chunks: int) -> dict[str, float]:
    """Median lexical evidence (best BM25 score / ln(chunks)) and mean top-10 overlap of the real queries."""
    evidence = [lexical[0][1] / np.log(max(chunks, 3)) if lexical else 0.0 for _, lexical in lists]
    overlap = [len({i for i, _ in d[:10]} & {i for i, _ in b[:10]}) / 10 for d, b in lists]
    return {"evidence median": float(np.median(evidence)), "overlap@10 mean": float(np.mean(overlap))}


def _pseudo(col) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The same from pseudo-queries (8 running words of 60 chunks drawn with seed 0), and how often each
    retriever ranks the source chunk first: what a collection-level estimate from its own chunks would see."""
    import random

    rng = random.Random(0)
    stored = list(col.chunks())
    found = {"dense": 0, "bm25": 0}
    overlap: list[float] = []
    for chunk in rng.sample(stored, min(PSEUDO_QUERIES, len(stored))):
        words = chunk.text.split()
        start = rng.randrange(max(1, len(words) - PSEUDO_WORDS))
        query = " ".join(words[start : start + PSEUDO_WORDS])
        ids = {mode: [h.id for h in col.search(query, k=10, mode=mode)] for mode in found}
        for mode, ranked in ids.items():
            found[mode] += bool(ranked) and ranked[0] == chunk.id
        overlap.append(len(set(ids["dense"]) & set(ids["bm25"])) / 10)
    n = max(len(overlap), 1)
    return {
        "pseudo overlap@10 mean": float(np.mean(overlap)) if overlap else 0.0,
        "pseudo dense source@1": found["dense"] / n,
        "pseudo bm25 source@1": found["bm25"] / n,
    }


RERANKED = ("dense", "rrf", "adaptive (default)")


def _reranked(col, chunks, data, fused_runs, copies, n):  # type: ignore[no-untyped-def]
    """Late (MaxSim) rerank of the top 50 chunks, as ``Collection.search(rerank="late")``, on the first
    ``n`` queries; each chunk's token vectors are computed once and shared by the variants."""
    queries = dict(list(data.queries.items())[:n])
    qrels = {q: data.qrels[q] for q in queries}
    plain: dict[str, dict[str, list[str]]] = {name: {} for name in RERANKED}
    reranked: dict[str, dict[str, list[str]]] = {name: {} for name in RERANKED}
    started = time.perf_counter()
    for qid, query in queries.items():
        heads = {name: fused_runs[name][qid][:CANDIDATES] for name in RERANKED}
        ids = sorted({i for head in heads.values() for i, _ in head})
        by_chunk = {i: chunks[i] for i in ids}
        query_tokens, *chunk_tokens = col.embedder.token_vectors([query, *(by_chunk[i].text for i in ids)])
        late = dict(zip(ids, maxsim_many(query_tokens, chunk_tokens), strict=True))
        for name, head in heads.items():
            head_hits = [by_chunk[i] for i, _ in head]
            plain[name][qid] = documents_of(head_hits, copies, 100)
            order = sorted(head, key=lambda item: -late[item[0]])
            reranked[name][qid] = documents_of([by_chunk[i] for i, _ in order], copies, 100)
    print(f"  late rerank of {len(queries)} queries: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    out: dict[str, dict[str, float]] = {}
    for name in RERANKED:
        out[f"{name}, first {n} queries"] = evaluate_run(plain[name], qrels, MEASURES)
        out[f"{name} + late, first {n} queries"] = evaluate_run(reranked[name], qrels, MEASURES)
    return out


def table(all_results: dict[str, dict[str, dict[str, float]]], measure: str = "ndcg@10") -> str:
    """Runs by sets, and each run's smallest and mean gain over the better of dense and bm25 across the sets."""
    sets = list(all_results)
    rows = list(next(iter(all_results.values())))
    lines = ["| run | " + " | ".join(sets) + " | min gain | mean gain |", "|---|" + "---:|" * (len(sets) + 2)]
    for row in rows:
        cells = [f"{all_results[s][row][measure]:.4f}" if row in all_results[s] else "" for s in sets]
        gains = [
            all_results[s][row][measure] - max(all_results[s]["dense"][measure], all_results[s]["bm25"][measure])
            for s in sets
            if row in all_results[s] and "dense" in all_results[s]
        ]
        summary = [f"{min(gains):+.4f}", f"{sum(gains) / len(gains):+.4f}"] if gains else ["", ""]
        lines.append(f"| {row} | " + " | ".join(cells + summary) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="folder of prepared data sets (default: made in the embedrag cache)")
    parser.add_argument("--sets", nargs="+", default=["bbc-news", "python-docs", "python-code", "wordnet", "man-pages"])
    parser.add_argument("--split", default="dev")
    parser.add_argument("--chunk-tokens", type=int, nargs="+", default=[0], help="0: the model's limit")
    parser.add_argument("--rerank-queries", type=int, default=0, help="late-rerank this many queries (slow)")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--write", action="store_true", help="update the quality section of bench/RESULTS.md")
    args = parser.parse_args(argv)
    data = args.data or cache_dir("datasets")
    all_results: dict[str, dict[str, dict[str, float]]] = {}
    for name in args.sets:
        if not (data / name / "corpus.jsonl").is_file():
            from embedrag.eval.datasets import prepare

            prepare(name, data / name)
        for size in args.chunk_tokens:
            label = f"{name} ({args.split}, chunks {size or 'max'})"
            all_results[label] = grid(data / name, args.split, size or None, args.rerank_queries)
    tables = "\n\n".join(f"{measure}\n\n{table(all_results, measure)}" for measure in MEASURES)
    names = list(next(iter(SIGNALS.values())))
    signals = "\n".join(
        ["| set | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
        + [f"| {label} | " + " | ".join(f"{v[n]:.3f}" for n in names) + " |" for label, v in SIGNALS.items()]
    )
    tables += f"\n\nsignals\n\n{signals}"
    print(tables)
    if args.json:
        args.json.write_text(json.dumps({**all_results, "signals": SIGNALS}, indent=1))
    if args.write:
        cpu = cpu_info()
        command = "python bench/quality.py " + " ".join(argv if argv is not None else sys.argv[1:])
        header = (
            f"## Retrieval quality\n\n`{command}` on {cpu['model']} ({cpu['cores']} cores), Python {cpu['python']}; "
            f"{versions('embedrag', 'onnxruntime')}. all-MiniLM-L6-v2; fusion variants as in docs/quality.md."
        )
        write_section("quality", f"{header}\n\n{tables}")


if __name__ == "__main__":
    main()
