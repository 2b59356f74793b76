"""Without VNNI, ONNX Runtime's u8 x s8 kernel adds pairs of products in 16 bits, which saturate: an
s8 graph run there is rewritten to u8 weights around 128, the same integers through an exact kernel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from embedrag.embed.export import cpu, onnx_for
from embedrag.embed.export.quantize import quantize_int8
from embedrag.embed.export.unsigned import INTEGER_PRODUCTS, unsign_weights

AVX2 = frozenset({"avx", "avx2", "fma"})
VNNI = frozenset({"avx2", "fma", "avx512f", "avx512bw", "avx512_vnni"})


def run(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)[0]


def test_large_u8_times_s8_products_are_exact_once_unsigned() -> None:
    rng = np.random.default_rng(0)
    a = np.full((3, 64), 255, np.uint8)
    a[1] = rng.integers(0, 256, 64)
    b = np.full((64, 4), 127, np.int8)
    b[:, 1] = -128
    b[:, 2:] = rng.integers(-128, 128, (64, 2))
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b", "", "b_zero"], ["y"])],
        "g",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [3, 64])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [3, 4])],
        initializer=[numpy_helper.from_array(b, "b"), numpy_helper.from_array(np.zeros(4, np.int8), "b_zero")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    exact = a.astype(np.int64) @ b.astype(np.int64)

    assert unsign_weights(model) == 1
    assert {t.data_type for t in model.graph.initializer} == {TensorProto.UINT8}
    np.testing.assert_array_equal(run(model, {"a": a}), exact)  # 255 x 127 x 64 = 2,072,640, not 32,767 x 32


def test_unsigning_keeps_the_vectors_of_a_graph_that_never_saturates(tiny_bert: Path, tmp_path: Path) -> None:
    """7-bit weights are exact on every CPU, so unsigning them must change nothing but float rounding;
    this covers each integer product of a real graph (MatMulInteger, QAttention)."""
    s7 = tmp_path / "s7.onnx"
    quantize_int8(onnx_for(tiny_bert), s7, recipe="s7-avx2")
    model = onnx.load(str(s7))
    ops = {node.op_type for node in model.graph.node}
    assert {"MatMulInteger", "QAttention"} <= ops <= {*ops, *INTEGER_PRODUCTS}
    feeds = {
        "input_ids": np.array([[1, 7, 12, 19, 4, 30, 2], [1, 9, 9, 3, 25, 6, 2]], np.int64),
        "attention_mask": np.ones((2, 7), np.int64),
        "token_type_ids": np.zeros((2, 7), np.int64),
    }
    before = run(model, feeds)
    assert unsign_weights(model) > 0
    np.testing.assert_allclose(run(model, feeds), before, atol=1e-5)


def weight_types(path: Path) -> set[int]:
    model = onnx.load(str(path))
    weights = {node.input[1] for node in model.graph.node if node.op_type in INTEGER_PRODUCTS}
    return {t.data_type for t in model.graph.initializer if t.name in weights}


@pytest.mark.parametrize(("flags", "types"), [(VNNI, {TensorProto.INT8}), (AVX2, {TensorProto.UINT8})])
def test_the_vnni_build_is_unsigned_where_the_cpu_has_no_vnni(
    tiny_bert: Path, monkeypatch: pytest.MonkeyPatch, flags: frozenset[str], types: set[int]
) -> None:
    """A collection written on a VNNI CPU and searched on an AVX2 one (or a Ray cluster of both) gets
    the vectors of its build, not saturated ones: real MiniLM fell from min cosine 0.9899 to 0.9856."""
    monkeypatch.setattr(cpu, "cpu_flags", lambda: flags)
    assert weight_types(onnx_for(tiny_bert, variant="int8", target="vnni")) == types


def test_the_unsigned_build_is_cached_apart(tiny_bert: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpu, "cpu_flags", lambda: VNNI)
    signed = onnx_for(tiny_bert, variant="int8", target="vnni")
    monkeypatch.setattr(cpu, "cpu_flags", lambda: AVX2)
    unsigned = onnx_for(tiny_bert, variant="int8", target="vnni")
    assert signed.parent != unsigned.parent
    assert weight_types(onnx_for(tiny_bert, variant="int8", target="avx2")) == {TensorProto.INT8}  # 7 bits: exact
