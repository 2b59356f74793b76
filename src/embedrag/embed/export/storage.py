"""How an int8 graph stores its weights for the CPU it runs on: s8 where u8 x s8 is exact and fast,
u8 elsewhere, the same integers either way.

ONNX Runtime multiplies u8 activations by s8 weights with one instruction where the CPU has VNNI
or AMX (``vpdpbusd``, ``tdpbusd``: 32-bit sums, exact), its fastest integer kernel. Without VNNI
(AVX2, AVX-512 without VNNI) it uses ``vpmaddubsw``, which adds pairs of products into 16 bits and
saturates: 255 x 127 + 255 x 127 comes out as 32,767. u8 x u8 is exact on every CPU but is the
slow kernel on VNNI CPUs.

A weight ``w`` with zero point ``z`` is the same integer as ``w + 128`` with zero point ``z + 128``,
so every product ``(a - a0)(w - z)`` survives a change of storage bit for bit. :func:`store_weights`
makes that change, and :func:`signed_storage` says which storage a CPU gets: s8 with VNNI, and
elsewhere only for 7-bit weights (``reduce_range``: 2 x 255 x 64 fits in 16 bits). So a recipe
gives the same vectors on every CPU, at each CPU's fastest exact kernel:

* the ``u8`` build (asymmetric 8-bit weights, ``u8-outliers``) runs as u8 x s8 on VNNI CPUs;
* the ``vnni`` build (symmetric s8 weights, ``s8-vnni``) runs as u8 x u8 without VNNI. Run as s8
  there, all-MiniLM-L6-v2's vectors moved: on 1,000 State of the Union passages min cosine to fp32
  0.9899 computed exactly, 0.9856 saturated (2-core AMD EPYC with AVX2, ``OnnxBackend``'s batching),
  so a collection written on a VNNI CPU got other query vectors on an AVX2 one.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from embedrag.embed.export.cpu import has_vnni

__all__ = ["INTEGER_PRODUCTS", "signed_storage", "store_weights"]

INTEGER_PRODUCTS: dict[str, tuple[int, int]] = {
    "MatMulInteger": (1, 3),
    "DynamicQuantizeMatMul": (1, 3),
    "MatMulIntegerToFloat": (1, 5),
    "QAttention": (1, 7),
}
"""The integer-product ops ONNX Runtime's dynamic quantisation writes, and the input slots of their
weight and its zero point."""

_S8, _U8 = onnx.TensorProto.INT8, onnx.TensorProto.UINT8


def signed_storage(flags: frozenset[str] | set[str], *, seven_bit: bool) -> bool:
    """Whether a CPU with ``flags`` runs a build's weights as s8: with VNNI/AMX always, else only 7-bit ones.

    >>> signed_storage({"avx2", "avx512_vnni"}, seven_bit=False), signed_storage({"avx2"}, seven_bit=False)
    (True, False)
    >>> signed_storage({"avx2"}, seven_bit=True)
    True
    """
    return has_vnni(flags) or seven_bit


def store_weights(model: onnx.ModelProto, *, signed: bool) -> int:
    """Store in place every weight of an integer product (and its zero point) as s8 (``signed``) or u8,
    shifting by 128; the number of weights rewritten.

    A weight without a zero point input gets one, its implicit zero point (0) shifted.
    """
    source, target = (_U8, _S8) if signed else (_S8, _U8)
    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    shifted: set[str] = set()
    weights = 0
    for node in model.graph.node:
        slots = INTEGER_PRODUCTS.get(node.op_type)
        if slots is None:
            continue
        weight_slot, zero_slot = slots
        weight = initializers.get(node.input[weight_slot])
        if weight is None or weight.data_type != source:
            continue
        zero_name = node.input[zero_slot] if zero_slot < len(node.input) else ""
        if not zero_name:
            zero_name = f"{weight.name}_zero_point_stored"
            if zero_name not in initializers:
                model.graph.initializer.append(numpy_helper.from_array(np.array(0, _dtype(source)), zero_name))
                initializers[zero_name] = model.graph.initializer[-1]
            while len(node.input) <= zero_slot:
                node.input.append("")
            node.input[zero_slot] = zero_name
        weights += 1
        for name in (weight.name, zero_name):
            if name not in shifted:
                _shift(initializers[name], source, target)
                shifted.add(name)
    return weights


def _dtype(data_type: int) -> type[np.integer]:
    return np.int8 if data_type == _S8 else np.uint8


def _shift(tensor: onnx.TensorProto, source: int, target: int) -> None:
    """``tensor`` (of type ``source``) stored as ``target``, 128 added or taken away; the same name."""
    if tensor.data_type != source:
        raise ValueError(f"{tensor.name}: a weight's zero point must have the weight's type")
    offset = 128 if target == _U8 else -128
    values = numpy_helper.to_array(tensor).astype(np.int16) + offset
    tensor.CopyFrom(numpy_helper.from_array(values.astype(_dtype(target)), tensor.name))
