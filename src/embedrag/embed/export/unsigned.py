"""An s8-weight int8 graph made exact on CPUs without VNNI: the same integers through the u8 x u8 kernel.

ONNX Runtime multiplies u8 activations by s8 weights with one instruction where the CPU has VNNI
or AMX (``vpdpbusd``, ``tdpbusd``: 32-bit sums, exact). Elsewhere (AVX2, AVX-512 without VNNI) it
uses ``vpmaddubsw``, which adds pairs of products into 16 bits and saturates: 255 x 127 + 255 x 127
comes out as 32,767. So a graph with full-range s8 weights (the ``vnni`` target's) computes other
vectors on such a CPU than on the one it was built for: all-MiniLM-L6-v2's ``s8-vnni`` build, on
1,000 State of the Union passages, min cosine to fp32 0.9899 computed exactly and 0.9856 on a
2-core AMD EPYC with AVX2 (through ``OnnxBackend``'s batching).

A collection whose spec names that build keeps its vectors wherever it is opened (a laptop, a Ray
worker on another kind of CPU) because :func:`unsign_weights` rewrites each s8 weight ``w`` with
zero point ``z`` as the u8 weight ``w + 128`` with zero point ``z + 128``: every product
``(a - a0)(w - z)`` is the same integer, and ONNX Runtime's u8 x u8 kernel sums exactly on every
CPU. Seven-bit weights (``reduce_range``) need no rewrite: 2 x 255 x 64 fits in 16 bits.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

__all__ = ["INTEGER_PRODUCTS", "unsign_weights"]

INTEGER_PRODUCTS: dict[str, tuple[int, int]] = {
    "MatMulInteger": (1, 3),
    "DynamicQuantizeMatMul": (1, 3),
    "MatMulIntegerToFloat": (1, 5),
    "QAttention": (1, 7),
}
"""The integer-product ops ONNX Runtime's dynamic quantisation writes, and the input slots of their
weight and its zero point."""


def unsign_weights(model: onnx.ModelProto) -> int:
    """Rewrite in place every s8 weight of an integer product (and its zero point) as u8 around 128;
    the number of weights rewritten.

    A weight without a zero point input gets one (128 per tensor), since its implicit zero point was 0.
    """
    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    done: set[str] = set()
    weights = 0
    for node in model.graph.node:
        slots = INTEGER_PRODUCTS.get(node.op_type)
        if slots is None:
            continue
        weight_slot, zero_slot = slots
        weight = initializers.get(node.input[weight_slot])
        if weight is None or weight.data_type != onnx.TensorProto.INT8:
            continue
        zero_name = node.input[zero_slot] if zero_slot < len(node.input) else ""
        if not zero_name:
            zero_name = f"{weight.name}_zero_point_u8"
            if zero_name not in initializers:
                zero = numpy_helper.from_array(np.array(0, np.int8), zero_name)
                model.graph.initializer.append(zero)
                initializers[zero_name] = model.graph.initializer[-1]
            while len(node.input) <= zero_slot:
                node.input.append("")
            node.input[zero_slot] = zero_name
        weights += weight.name not in done
        for name in (weight.name, zero_name):
            if name not in done:
                _shift(initializers[name])
                done.add(name)
    return weights


def _shift(tensor: onnx.TensorProto) -> None:
    """An s8 tensor as u8 ``value + 128`` (the same name)."""
    if tensor.data_type == onnx.TensorProto.UINT8:
        return
    if tensor.data_type != onnx.TensorProto.INT8:
        raise ValueError(f"{tensor.name}: an s8 weight's zero point must be s8 too")
    shifted = (numpy_helper.to_array(tensor).astype(np.int16) + 128).astype(np.uint8)
    tensor.CopyFrom(numpy_helper.from_array(shifted, tensor.name))
