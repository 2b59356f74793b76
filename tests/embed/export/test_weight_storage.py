"""An int8 build stores its weights for the CPU: s8 where u8 x s8 is exact (VNNI, or 7-bit weights),
u8 elsewhere, the same integers either way (without VNNI, u8 x s8 adds pairs in 16 bits and saturates)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from embedrag.embed.export import cpu, onnx_for
from embedrag.embed.export.bert_graph import IR_VERSION
from embedrag.embed.export.quantize import quantize_int8
from embedrag.embed.export.storage import INTEGER_PRODUCTS, store_weights
from embedrag.embed.onnx_backend import UNFUSED

AVX2 = frozenset({"avx", "avx2", "fma"})
VNNI = frozenset({"avx2", "fma", "avx512f", "avx512bw", "avx512_vnni"})


def run(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> np.ndarray:
    session = ort.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"], disabled_optimizers=UNFUSED
    )
    return session.run(None, feeds)[0]


def test_large_u8_times_s8_products_are_exact_once_stored_as_u8() -> None:
    rng = np.random.default_rng(0)
    a = np.full((3, 64), 255, np.uint8)
    a[1] = rng.integers(0, 256, 64)
    b = np.full((64, 4), 127, np.int8)
    b[:, 1] = -128
    b[:, 2:] = rng.integers(-128, 128, (64, 2))
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b"], ["y"])],
        "g",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [3, 64])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [3, 4])],
        initializer=[numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=IR_VERSION)
    exact = a.astype(np.int64) @ b.astype(np.int64)

    assert store_weights(model, signed=False) == 1  # no zero point input: one is added (0 -> 128)
    assert {t.data_type for t in model.graph.initializer} == {TensorProto.UINT8}
    np.testing.assert_array_equal(run(model, {"a": a}), exact)  # 255 x 127 x 64 = 2,072,640, not 32,767 x 32
    assert store_weights(model, signed=True) == 1
    np.testing.assert_array_equal(numpy_helper.to_array(model.graph.initializer[0]), b)  # and back


FEEDS = {
    "input_ids": np.array([[1, 7, 12, 19, 4, 30, 2], [1, 9, 9, 3, 25, 6, 2]], np.int64),
    "attention_mask": np.ones((2, 7), np.int64),
    "token_type_ids": np.zeros((2, 7), np.int64),
}


def test_7_bit_weights_stored_as_u8_give_the_same_vectors(tiny_bert: Path, tmp_path: Path) -> None:
    """7-bit s8 weights are exact on every CPU, so storing them as u8 must change nothing but float
    rounding; this runs each integer product of a real graph (MatMulInteger, QAttention)."""
    s7 = tmp_path / "s7.onnx"
    quantize_int8(onnx_for(tiny_bert), s7, recipe="s7-avx2")
    model = onnx.load(str(s7))
    assert {"MatMulInteger", "QAttention"} <= {node.op_type for node in model.graph.node}
    before = run(model, FEEDS)
    assert store_weights(model, signed=False) > 0
    assert weight_types(model) == {TensorProto.UINT8}
    np.testing.assert_allclose(run(model, FEEDS), before, atol=1e-5)


def test_u8_weights_stored_as_s8_with_their_zero_points_give_the_same_vectors(tiny_bert: Path, tmp_path: Path) -> None:
    """What a VNNI CPU runs of the u8 build: s8 weights with per-channel zero points other than 0.
    The weights are narrowed to 96..160 first, so that u8 x s8 cannot saturate on this CPU either."""
    u8 = tmp_path / "u8.onnx"
    quantize_int8(onnx_for(tiny_bert), u8, recipe="u8")
    model = onnx.load(str(u8))
    rng = np.random.default_rng(1)
    initializers = {t.name: t for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type in INTEGER_PRODUCTS:
            for slot, (low, high) in zip(INTEGER_PRODUCTS[node.op_type], [(96, 161), (100, 156)], strict=True):
                tensor = initializers[node.input[slot]]
                values = rng.integers(low, high, tuple(tensor.dims)).astype(np.uint8)
                tensor.CopyFrom(numpy_helper.from_array(values, tensor.name))
    before = run(model, FEEDS)
    assert store_weights(model, signed=True) > 0
    assert weight_types(model) == {TensorProto.INT8}
    zero_points = [
        numpy_helper.to_array(initializers[node.input[INTEGER_PRODUCTS[node.op_type][1]]])
        for node in model.graph.node
        if node.op_type in INTEGER_PRODUCTS
    ]
    assert all(z.size > 1 and np.any(z != 0) for z in zero_points)
    np.testing.assert_allclose(run(model, FEEDS), before, atol=1e-5)


def weight_types(model: onnx.ModelProto | Path) -> set[int]:
    if isinstance(model, Path):
        model = onnx.load(str(model))
    weights = {node.input[1] for node in model.graph.node if node.op_type in INTEGER_PRODUCTS}
    return {t.data_type for t in model.graph.initializer if t.name in weights}


@pytest.mark.parametrize(
    ("target", "flags", "types"),
    [
        ("u8", VNNI, {TensorProto.INT8}),  # VNNI's dot products
        ("u8", AVX2, {TensorProto.UINT8}),
        ("vnni", VNNI, {TensorProto.INT8}),
        ("vnni", AVX2, {TensorProto.UINT8}),  # s8 would saturate: real MiniLM 0.9899 -> 0.9856
        ("avx2", AVX2, {TensorProto.INT8}),  # 7 bits: exact and faster as s8
        ("generic", VNNI, {TensorProto.INT8}),
    ],
)
def test_each_cpu_stores_a_build_for_its_fastest_exact_kernel(
    tiny_bert_tokenized: Path, monkeypatch: pytest.MonkeyPatch, target: str, flags: frozenset[str], types: set[int]
) -> None:
    monkeypatch.setattr(cpu, "cpu_flags", lambda: flags)
    assert weight_types(onnx_for(tiny_bert_tokenized, variant="int8", target=target)) == types


def test_each_storage_is_cached_apart(tiny_bert: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpu, "cpu_flags", lambda: VNNI)
    signed = onnx_for(tiny_bert, variant="int8", target="vnni")
    monkeypatch.setattr(cpu, "cpu_flags", lambda: AVX2)
    assert onnx_for(tiny_bert, variant="int8", target="vnni").parent != signed.parent
