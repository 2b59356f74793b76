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
    # Each load gets its own copy: sentence-transformers 5.7 writes "subfolder" into the dict it is given.
    if not (folder / "onnx" / "model.onnx").exists():
        SentenceTransformer(str(folder), backend="onnx", model_kwargs=dict(kwargs)).save_pretrained(str(folder))
    if isa is not None:  # named model_qint8_avx512_vnni.onnx, model_quint8_avx2.onnx (the weight type)
        if not list(folder.glob(f"onnx/model_*_{isa}.onnx")):
            fp32_kwargs = {**kwargs, "file_name": "onnx/model.onnx"}
            fp32 = SentenceTransformer(str(folder), backend="onnx", model_kwargs=fp32_kwargs)
            export_dynamic_quantized_onnx_model(fp32, isa, str(folder))
        kwargs["file_name"] = next(folder.glob(f"onnx/model_*_{isa}.onnx")).relative_to(folder).as_posix()
    model = SentenceTransformer(str(folder), backend="onnx", model_kwargs=dict(kwargs))
    return lambda texts: model.encode(texts, batch_size=32, normalize_embeddings=True)


def st_openvino(model_dir: Path, threads: int, workdir: Path) -> Encode:
    import openvino as ov
    from sentence_transformers import SentenceTransformer

    config = {"ov_config": {"INFERENCE_NUM_THREADS": str(threads)}}
    model = SentenceTransformer(str(_st_folder(model_dir, workdir)), backend="openvino", model_kwargs=config)
    # OpenVINO computes in bf16 by default where the CPU has bf16 instructions: say so in the row's name.
    NOTES.append(f"precision hint {ov.Core().get_property('CPU', 'INFERENCE_PRECISION_HINT').to_string()}")
    return lambda texts: model.encode(texts, batch_size=32, normalize_embeddings=True)


CALIBRATION = Path(__file__).parents[1] / "src" / "embedrag" / "embed" / "export" / "calibration.txt"


def st_openvino_int8(model_dir: Path, threads: int, workdir: Path) -> Encode:
    """sentence-transformers' static int8 OpenVINO export (NNCF through optimum-intel, its default config).

    Its default calibration set, GLUE SST-2, comes from the hub, unreachable here: it calibrates on
    embedrag's own calibration text instead (the same 62 texts embedrag's int8-ov uses), padded to
    384 tokens as its preprocessing does.
    """
    import datasets
    import openvino as ov
    from optimum.intel.openvino import OVQuantizer
    from sentence_transformers import SentenceTransformer, export_static_quantized_openvino_model

    folder = _st_folder(model_dir, workdir)
    config = {"ov_config": {"INFERENCE_NUM_THREADS": str(threads)}}
    name = "openvino/openvino_model_qint8_quantized.xml"
    if not (folder / name).exists():
        texts = [t for t in CALIBRATION.read_text(encoding="utf-8").splitlines() if t.strip()]

        def local(self: object, *args: object, preprocess_function: Callable, **kwargs: object) -> object:  # type: ignore[type-arg]
            sentences = datasets.Dataset.from_dict({"sentence": texts})
            return sentences.map(preprocess_function, batched=True, remove_columns=["sentence"])

        OVQuantizer.get_calibration_dataset = local  # type: ignore[method-assign]
        fp32 = SentenceTransformer(str(folder), backend="openvino", model_kwargs=dict(config))
        export_static_quantized_openvino_model(fp32, None, str(folder))
    model = SentenceTransformer(str(folder), backend="openvino", model_kwargs={**config, "file_name": name})
    NOTES.append(f"precision hint {ov.Core().get_property('CPU', 'INFERENCE_PRECISION_HINT').to_string()}")
    return lambda texts: model.encode(texts, batch_size=32, normalize_embeddings=True)


def embedrag(variant: str) -> Callable[[Path, int, Path], Encode]:
    def load(model_dir: Path, threads: int, workdir: Path) -> Encode:
        from embedrag import Embedder

        embedder = Embedder(model_dir, variant=variant, threads=threads)  # type: ignore[arg-type]
        session = embedder._backend.session  # type: ignore[attr-defined]
        if hasattr(session, "precision"):  # OpenVINO: say what its float parts computed in
            NOTES.append(f"precision {session.precision}")
        return embedder.encode

    return load


def embedrag_fp32_openvino(model_dir: Path, threads: int, workdir: Path) -> Encode:
    """embedrag's fp32 graph run by OpenVINO with its precision set to f32 (not an Embedder option: a probe)."""
    from embedrag import Embedder
    from embedrag.embed.export import onnx_for
    from embedrag.embed.onnx_backend import OpenVinoSession

    embedder = Embedder(model_dir, variant="fp32", threads=threads)
    session = OpenVinoSession(onnx_for(model_dir), threads, precision="f32", purpose="the fp32 probe")
    embedder._backend.session = session  # type: ignore[attr-defined]
    NOTES.append("precision f32")
    return embedder.encode


ENGINES: dict[str, Callable[[Path, int, Path], Encode]] = {
    "st-torch": st_torch,
    "st-onnx": lambda m, t, w: _st_onnx(m, t, w, None),
    "st-onnx-int8-avx512_vnni": lambda m, t, w: _st_onnx(m, t, w, "avx512_vnni"),
    "st-onnx-int8-avx2": lambda m, t, w: _st_onnx(m, t, w, "avx2"),
    "st-openvino": st_openvino,
    "st-openvino-int8": st_openvino_int8,
    "embedrag-fp32": embedrag("fp32"),
    "embedrag-fp32-openvino": embedrag_fp32_openvino,
    "embedrag-int8": embedrag("int8"),
    "embedrag-int8-ov": embedrag("int8-ov"),
    "embedrag-int8-u8": embedrag("int8-u8"),
    "embedrag-int8-vnni": embedrag("int8-vnni"),
    "embedrag-int8-avx2": embedrag("int8-avx2"),
    "embedrag-int8-generic": embedrag("int8-generic"),
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
