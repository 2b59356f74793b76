"""Every graph embedrag builds declares the ONNX IR version of its opset, not the onnx package's newest:
ONNX Runtime 1.20, the oldest the package accepts, reads IR 10 at most (onnx 1.23 writes 14 by default)."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest

from conftest import save_tiny
from embedrag.embed.export import onnx_for
from embedrag.embed.export.bert_graph import IR_VERSION

ORT_1_20_MAX_IR = 10


def ir_version(path: Path) -> int:
    return onnx.load(str(path), load_external_data=False).ir_version


def test_the_declared_ir_version_is_one_onnx_runtime_1_20_reads() -> None:
    assert IR_VERSION <= ORT_1_20_MAX_IR


@pytest.mark.parametrize("target", [None, "u8", "vnni", "avx2", "generic"])
def test_fp32_and_int8_graphs_declare_it(tiny_bert_tokenized: Path, target: str | None) -> None:
    path = (
        onnx_for(tiny_bert_tokenized)
        if target is None
        else onnx_for(tiny_bert_tokenized, variant="int8", target=target)
    )
    assert ir_version(path) == IR_VERSION


def test_the_torch_export_declares_it(tmp_path: Path) -> None:
    model_dir = save_tiny(tmp_path, safe=False)  # pytorch_model.bin only: torch.onnx.export builds it
    assert ir_version(onnx_for(model_dir)) == IR_VERSION
