"""One embedding engine per process, timed on request: bench/embed.py starts one worker per engine.

In one process, the OpenMP threads torch leaves spinning after a batch (and the thread pools of
other sessions) take cores from whatever runs next, so each engine gets a process of its own.
The sentence-transformers ONNX and OpenVINO backends need optimum, which pins transformers 4.x
and an older tokenizers; their workers run in ``bench/.cache/venv-st``. Protocol on stdin/stdout,
one command per line:

    vectors <out.npy>   encode every text once (the warm-up), save the vectors
    time                encode every text, print the seconds taken

Started as: python _engine_worker.py <engine> <model_dir> <texts.json> <threads> <workdir>
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

Encode = Callable[[list[str]], np.ndarray]
NOTES: list[str] = []
"""What the engine's name does not say (e.g. the precision OpenVINO chose), sent with "ready"."""


def st_torch(model_dir: Path, threads: int, workdir: Path) -> Encode:
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    model = SentenceTransformer(str(model_dir), device="cpu")
    return lambda texts: model.encode(texts, batch_size=32, normalize_embeddings=True)


def _st_folder(model_dir: Path, workdir: Path) -> Path:
    folder = workdir / "st-model"  # exports are written next to the model: not into site-packages
    if not folder.exists():
        shutil.copytree(model_dir, folder)
    return folder


def _st_onnx(model_dir: Path, threads: int, workdir: Path, isa: str | None) -> Encode:
    import onnxruntime as ort
    from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model

    folder = _st_folder(model_dir, workdir)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    kwargs = {"provider": "CPUExecutionProvider", "session_options": options}
    if not (folder / "onnx" / "model.onnx").exists():
        SentenceTransformer(str(folder), backend="onnx", model_kwargs=kwargs).save_pretrained(str(folder))
    if isa is not None:
        name = f"onnx/model_qint8_{isa}.onnx"
        if not (folder / name).exists():
            fp32 = SentenceTransformer(str(folder), backend="onnx", model_kwargs=kwargs)
            export_dynamic_quantized_onnx_model(fp32, isa, str(folder))
        kwargs["file_name"] = name
    model = SentenceTransformer(str(folder), backend="onnx", model_kwargs=kwargs)
    return lambda texts: model.encode(texts, batch_size=32, normalize_embeddings=True)


def st_openvino(model_dir: Path, threads: int, workdir: Path) -> Encode:
    import openvino as ov
    from sentence_transformers import SentenceTransformer

    config = {"ov_config": {"INFERENCE_NUM_THREADS": str(threads)}}
    model = SentenceTransformer(str(_st_folder(model_dir, workdir)), backend="openvino", model_kwargs=config)
    # OpenVINO computes in bf16 by default where the CPU has bf16 instructions: say so in the row's name.
    NOTES.append(f"precision hint {ov.Core().get_property('CPU', 'INFERENCE_PRECISION_HINT').to_string()}")
    return lambda texts: model.encode(texts, batch_size=32, normalize_embeddings=True)


def embedrag(variant: str) -> Callable[[Path, int, Path], Encode]:
    def load(model_dir: Path, threads: int, workdir: Path) -> Encode:
        from embedrag import Embedder

        embedder = Embedder(model_dir, variant=variant, threads=threads)  # type: ignore[arg-type]
        if variant == "bf16":
            NOTES.append(f"precision {embedder._backend.session.precision}")  # type: ignore[attr-defined]
        return embedder.encode

    return load


ENGINES: dict[str, Callable[[Path, int, Path], Encode]] = {
    "st-torch": st_torch,
    "st-onnx": lambda m, t, w: _st_onnx(m, t, w, None),
    "st-onnx-int8-avx512_vnni": lambda m, t, w: _st_onnx(m, t, w, "avx512_vnni"),
    "st-onnx-int8-avx2": lambda m, t, w: _st_onnx(m, t, w, "avx2"),
    "st-openvino": st_openvino,
    "embedrag-fp32": embedrag("fp32"),
    "embedrag-int8": embedrag("int8"),
    "embedrag-bf16": embedrag("bf16"),
}


def main() -> None:
    import warnings

    warnings.simplefilter("ignore")  # truncation of the few passages over 256 pieces, same in every engine
    engine, model_dir, texts_file, threads, workdir = sys.argv[1:6]
    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    encode = ENGINES[engine](Path(model_dir), int(threads), Path(workdir))
    print(" ".join(["ready", *NOTES]), flush=True)
    for line in sys.stdin:
        command, _, rest = line.strip().partition(" ")
        if command == "vectors":
            np.save(rest, np.asarray(encode(texts), dtype=np.float32))
            print("ok", flush=True)
        elif command == "time":
            start = time.perf_counter()
            encode(texts)
            print(f"{time.perf_counter() - start:.6f}", flush=True)


if __name__ == "__main__":
    main()
