"""Activation outliers, moved out of the way before dynamic int8 quantisation.

ONNX Runtime's dynamic int8 quantises each MatMul input with one scale for the whole batch, set
by its largest value. In BERT-style encoders a few channels carry values many times the rest:
on all-MiniLM-L6-v2 and the calibration text, the largest GELU output of layer 0 is 24.1 where
the next channels reach 5-6 (median channel 1.4), and one channel of the layer norm before
layer 1's feed-forward block reaches 30.3 (median 1.8). One such channel coarsens the steps of
all the others, which is why the int8 recipes kept those blocks in fp32. Two rewrites of the fp32
graph remove the outliers from what gets quantised; both compute the same function as before (up
to float rounding, which a test checks):

- **FFN outlier channels** (``Recipe.outlier_channels``). The ``k`` intermediate channels of each
  feed-forward block with the largest GELU outputs on calibration text get their own small fp32
  path (MatMul, BiasGelu, MatMul), whose result joins the residual before the layer norm. The
  quantised block keeps the other channels, so its scale is set by ordinary values. Channel order
  inside a feed-forward block is free, so nothing is copied: the weights are split once.
- **Smoothing** (SmoothQuant, Xiao et al. 2023; ``Recipe.smooth``). Input channel ``j`` of a block
  is divided by ``s_j = max|x_j|^a / max|w_j|^(1-a)`` and row ``j`` of its weight multiplied by it,
  which moves range from the activations to the weights (quantised per output channel, where it
  costs less). For an attention output projection the division folds into the value columns of
  the attention's QKV weight and bias (the context is a weighted mean of values), so it is free;
  for other blocks a ``Mul`` node divides.

``max|x_j|`` comes from running the fp32 graph on the shipped calibration text
(``calibration.py``, padding excluded). Measured on all-MiniLM-L6-v2 with 7-bit weights and every
block quantised, min / mean cosine to fp32 on 400 BBC News paragraphs: no rewrite 0.93; 8 outlier
channels per FFN, the inputs of three blocks smoothed (a = 0.7) and every attention output
smoothed (a = 0.5) 0.9908 / 0.9955 through ``Embedder``, too thin a margin for 7-bit weights. With
8-bit u8 weights and two blocks kept in fp32 the same rewrites make the ``u8-outliers`` recipe, the
build of the ``u8`` target (CPUs without VNNI): min cosine 0.9923 or more on every held-out set
measured (``quantize.py`` has the comparison).
Smoothing a feed-forward output block instead of splitting it made it worse (layer 0's alone in
int8, 200 paragraphs: 0.939 smoothed at a = 0.5, 0.951 unsmoothed, 0.991 with 1 outlier channel
split off); 4 or 16 outlier channels did no better than 8.

The rewrites need the node names of embedrag's BERT graph (``bert_graph.py``); in other graphs
(built through torch) they find nothing to rewrite and change nothing.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

__all__ = ["activation_absmax", "rewrite_outliers", "statistics_needed"]

_MS = "com.microsoft"


def statistics_needed(model: onnx.ModelProto, smooth: Sequence[tuple[str, float]], outlier_channels: int) -> list[str]:
    """Names of the tensors whose per-channel max the rewrites read: smoothed blocks' inputs, GELU outputs."""
    nodes = {node.name: node for node in model.graph.node}
    names = [nodes[name].input[0] for name in _smoothed(nodes, smooth)]
    if outlier_channels:
        names += [f"{layer}.gelu" for layer in _ffn_layers(nodes)]
    return list(dict.fromkeys(names))


def activation_absmax(
    model: onnx.ModelProto, tensors: Sequence[str], feeds: Iterable[Mapping[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """Per-channel max of ``|value|`` of each named tensor (``[batch, seq, channels]``) over the
    real tokens of ``feeds`` (where ``attention_mask`` is 1), from running ``model`` in fp32."""
    import onnxruntime as ort

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    del probe.graph.output[:]
    probe.graph.output.extend(helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in tensors)
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    found: dict[str, np.ndarray] = {}
    for feed in feeds:
        real = feed["attention_mask"].astype(bool)
        for name, value in zip(tensors, session.run(list(tensors), dict(feed)), strict=True):
            top = np.abs(value[real]).max(axis=0)
            found[name] = np.maximum(found[name], top) if name in found else top
    return found


def rewrite_outliers(
    model: onnx.ModelProto,
    absmax: Mapping[str, np.ndarray],
    *,
    smooth: Sequence[tuple[str, float]] = (),
    outlier_channels: int = 0,
) -> list[str]:
    """Rewrite ``model`` in place (see the module docstring); return the names of the nodes added
    for outlier channels, which must stay fp32. ``absmax`` holds :func:`activation_absmax` of the
    tensors :func:`statistics_needed` names; ``smooth`` pairs block names (``fnmatch`` patterns such
    as ``l*.attn_out``) with their ``a``."""
    nodes = {node.name: node for node in model.graph.node}
    weights = {tensor.name: tensor for tensor in model.graph.initializer}
    before: dict[str, list[onnx.NodeProto]] = {}  # new nodes, by the node they go before
    added = _split_ffn(model, nodes, weights, absmax, outlier_channels, before) if outlier_channels else []
    for name, alpha in _smoothed(nodes, smooth).items():
        _smooth(model, nodes, weights, name, absmax[nodes[name].input[0]], alpha, before)
    # Last: reordering the graph's node list copies its nodes, so ``nodes`` must not be used after.
    order: list[onnx.NodeProto] = []
    for node in model.graph.node:
        order += before.get(node.name, [])
        order.append(node)
    del model.graph.node[:]
    model.graph.node.extend(order)
    return added


def _smoothed(nodes: Mapping[str, onnx.NodeProto], smooth: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Block name -> ``a`` for the blocks of this graph that ``smooth``'s patterns name (the first match wins)."""
    chosen: dict[str, float] = {}
    for pattern, alpha in smooth:
        for name, node in nodes.items():
            if fnmatch.fnmatchcase(name, pattern) and node.op_type in ("MatMul", "Attention"):
                chosen.setdefault(name, alpha)
    return chosen


def _ffn_layers(nodes: Mapping[str, onnx.NodeProto]) -> list[str]:
    """Prefixes (``l0``, ``l1``, ...) of the layers whose feed-forward block has the builder's four nodes."""
    layers = [name.removesuffix(".gelu") for name in nodes if name.endswith(".gelu")]
    parts = (".ffn_in", ".gelu", ".ffn_out", ".ffn_out.residual")
    return [layer for layer in layers if all(layer + part in nodes for part in parts)]


def _node(op_type: str, inputs: list[str], name: str, **attrs: str) -> onnx.NodeProto:
    """A node whose one output has its name."""
    return helper.make_node(op_type, inputs, [name], name=name, **attrs)


def _array(weights: Mapping[str, onnx.TensorProto], name: str) -> np.ndarray:
    return numpy_helper.to_array(weights[name]).astype(np.float32)


def _store(weights: Mapping[str, onnx.TensorProto], name: str, array: np.ndarray) -> None:
    weights[name].CopyFrom(numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32), name))


def _split_ffn(
    model: onnx.ModelProto,
    nodes: Mapping[str, onnx.NodeProto],
    weights: Mapping[str, onnx.TensorProto],
    absmax: Mapping[str, np.ndarray],
    k: int,
    before: dict[str, list[onnx.NodeProto]],
) -> list[str]:
    added: list[str] = []
    for layer in _ffn_layers(nodes):
        ffn_in, gelu, ffn_out, residual = (
            nodes[layer + part] for part in (".ffn_in", ".gelu", ".ffn_out", ".ffn_out.residual")
        )
        w_in, bias, w_out = (_array(weights, node.input[1]) for node in (ffn_in, gelu, ffn_out))
        top = np.sort(np.argsort(absmax[gelu.output[0]], kind="stable")[-k:])
        rest = np.setdiff1d(np.arange(w_in.shape[1]), top)
        for node, part in ((ffn_in, w_in[:, rest]), (gelu, bias[rest]), (ffn_out, w_out[rest])):
            _store(weights, node.input[1], part)
        side = f"{layer}.ffn_outliers"
        model.graph.initializer.extend(
            numpy_helper.from_array(np.ascontiguousarray(part), f"{side}.{what}")
            for what, part in (("in.w", w_in[:, top]), ("in.b", bias[top]), ("out.w", w_out[top]))
        )
        nodes_added = [
            _node("MatMul", [ffn_in.input[0], f"{side}.in.w"], f"{side}.in"),
            _node("BiasGelu", [f"{side}.in", f"{side}.in.b"], f"{side}.gelu", domain=_MS),
            _node("MatMul", [f"{side}.gelu", f"{side}.out.w"], f"{side}.out"),
            _node("Add", [residual.input[1], f"{side}.out"], f"{side}.sum"),
        ]
        residual.input[1] = f"{side}.sum"  # the residual, plus what the outlier channels add to it
        model.graph.value_info.extend(
            helper.make_tensor_value_info(n.output[0], TensorProto.FLOAT, None) for n in nodes_added
        )
        before.setdefault(residual.name, []).extend(nodes_added)
        added += [f"{side}.in", f"{side}.out"]
    return added


def _smooth(
    model: onnx.ModelProto,
    nodes: Mapping[str, onnx.NodeProto],
    weights: Mapping[str, onnx.TensorProto],
    name: str,
    absmax: np.ndarray,
    alpha: float,
    before: dict[str, list[onnx.NodeProto]],
) -> None:
    node = nodes[name]
    weight = _array(weights, node.input[1])  # [in, out]; Attention's: [in, 3 x hidden] (Q, K, V)
    scale = np.maximum(absmax, 1e-5) ** alpha / np.maximum(np.abs(weight).max(axis=1), 1e-5) ** (1 - alpha)
    _store(weights, node.input[1], weight * scale[:, None])
    attention = nodes.get(name.removesuffix("_out")) if name.endswith(".attn_out") else None
    if attention is not None and attention.op_type == "Attention" and attention.output[0] == node.input[0]:
        # Free: the context is a weighted mean of the values, so dividing the values divides it.
        qkv, qkv_bias = _array(weights, attention.input[1]), _array(weights, attention.input[2])
        hidden = len(scale)
        qkv[:, 2 * hidden :] /= scale
        qkv_bias[2 * hidden :] /= scale
        _store(weights, attention.input[1], qkv)
        _store(weights, attention.input[2], qkv_bias)
        return
    divided = f"{name}.smooth"
    model.graph.initializer.append(numpy_helper.from_array((1 / scale).astype(np.float32), f"{divided}.inv"))
    model.graph.value_info.append(helper.make_tensor_value_info(divided, TensorProto.FLOAT, None))
    mul = helper.make_node("Mul", [node.input[0], f"{divided}.inv"], [divided], name=divided)
    node.input[0] = divided
    before.setdefault(name, []).append(mul)
