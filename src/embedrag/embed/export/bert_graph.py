"""Build a BERT encoder as an ONNX graph from numpy weights, with ONNX Runtime's fused CPU ops.

The graph uses the ``com.microsoft`` contrib ops that ONNX Runtime's own transformer optimizer
would produce (``EmbedLayerNormalization``, ``Attention``, ``BiasGelu``), written directly so that
no optimizer run (and no sympy) is needed. ``BiasGelu`` is the exact erf GELU that BERT uses.

Each sub-block closes with ``Add`` (bias), ``Add`` (residual) and the standard
``LayerNormalization``, not the fused ``SkipLayerNormalization``: ONNX Runtime's CPU kernel of the
fused op is a scalar loop with a division per element. Measured on a 2-core AMD EPYC (AVX2), one
thread, rows of 384: 5.7 ns per element against 1.2 ns for the two adds and ``LayerNormalization``;
over the whole MiniLM graph (400 BBC paragraphs) the norms fell from 1.17 to 0.28 kernel seconds of
about 12 for the u8 int8 build (scratch loop over ``OnnxBackend``, 5 interleaved rounds: fp32 58.7 to
60.0 items/s, u8 int8 68.3 to 72.5). ``OnnxBackend`` turns off the optimizer pass that would fuse
them back (``onnx_backend.UNFUSED``).

Inputs are ``input_ids``, ``attention_mask`` and ``token_type_ids`` (int64 ``[batch, seq]``); the
output is ``last_hidden_state`` (float32 ``[batch, seq, hidden]``), the token vectors before pooling.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from embedrag.embed.export.bert_spec import BertSpec
from embedrag.embed.export.bert_weights import Weights

__all__ = ["INPUT_NAMES", "IR_VERSION", "OPSET", "OUTPUT_NAME", "build_bert_graph", "hidden_state_names"]

INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "last_hidden_state"
OPSET = 17
IR_VERSION = 8
"""The ONNX IR version every graph we build declares: the one opset 17 came with. The onnx package
writes its newest by default (14 for onnx 1.23), which ONNX Runtime 1.20, the oldest the package
accepts, refuses to load (it reads IR 10 at most)."""
_MS = "com.microsoft"


class _Graph:
    """Accumulates nodes and initializers; names are unique by construction."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        # Element types of intermediate tensors: ONNX shape inference cannot type contrib-op
        # outputs, and the int8 quantizer needs to know which MatMul inputs are float.
        self.value_info: list[onnx.ValueInfoProto] = []

    def const(self, name: str, array: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(
        self, op_type: str, inputs: list[str], name: str, *, domain: str = "", outputs: int = 1, **attrs: Any
    ) -> str:
        names = [name] + [f"{name}_out{k}" for k in range(1, outputs)]
        elem = attrs.get("to", TensorProto.FLOAT)
        self.value_info.append(helper.make_tensor_value_info(name, elem, None))
        self.nodes.append(helper.make_node(op_type, inputs, names, name=name, domain=domain, **attrs))
        return name


def hidden_state_names(num_layers: int) -> list[str]:
    """Names of the token vectors after the embeddings and after each layer, inside the graph.

    Contextual embeddings expose them as extra outputs (``hidden_states`` in transformers' terms).

    >>> hidden_state_names(2)
    ['emb', 'l0.ffn_out.norm', 'l1.ffn_out.norm']
    """
    return ["emb"] + [f"l{n}.ffn_out.norm" for n in range(num_layers)]


def build_bert_graph(spec: BertSpec, weights: Weights) -> onnx.ModelProto:
    """The encoder as an ONNX model (opset 17 + ``com.microsoft``), weights embedded.

    >>> from embedrag.embed.export.bert_weights import expected_shapes
    >>> spec = BertSpec(8, 1, 2, 16, 1e-12, 32, 2, 50)
    >>> zeros = {k: np.zeros(s, np.float32) for k, s in expected_shapes(spec).items()}
    >>> model = build_bert_graph(spec, zeros)
    >>> [o.name for o in model.graph.output], len(model.graph.node)
    (['last_hidden_state'], 16)
    >>> set(hidden_state_names(1)) <= {out for node in model.graph.node for out in node.output}
    True
    """
    g = _Graph()
    mask = g.op("Cast", ["attention_mask"], "mask_int32", to=TensorProto.INT32)
    hidden = _embeddings(g, spec, weights)
    for n in range(spec.num_layers):
        hidden = _layer(g, spec, weights, n, hidden, mask)
    g.nodes.append(helper.make_node("Identity", [hidden], [OUTPUT_NAME], name="output"))
    graph = helper.make_graph(
        g.nodes,
        "embedrag_bert",
        [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "seq"]) for name in INPUT_NAMES],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["batch", "seq", spec.hidden_size])],
        g.initializers,
        value_info=g.value_info,
    )
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid(_MS, 1)]
    return helper.make_model(graph, opset_imports=opsets, producer_name="embedrag", ir_version=IR_VERSION)


def _embeddings(g: _Graph, spec: BertSpec, w: Weights) -> str:
    ids = g.op("Cast", ["input_ids"], "ids_int32", to=TensorProto.INT32)
    types = g.op("Cast", ["token_type_ids"], "types_int32", to=TensorProto.INT32)
    inputs = [ids, types] + [
        g.const(f"emb.{part}", w[f"embeddings.{name}"])
        for part, name in [
            ("words", "word_embeddings.weight"),
            ("positions", "position_embeddings.weight"),
            ("types", "token_type_embeddings.weight"),
            ("gamma", "LayerNorm.weight"),
            ("beta", "LayerNorm.bias"),
        ]
    ]
    # Two outputs: ORT's kernel always writes mask_index; we feed Attention the raw mask instead,
    # which also handles left padding.
    return g.op("EmbedLayerNormalization", inputs, "emb", domain=_MS, outputs=2, epsilon=spec.layer_norm_eps)


def _layer(g: _Graph, spec: BertSpec, w: Weights, n: int, hidden: str, mask: str) -> str:
    p, t = f"encoder.layer.{n}.", f"l{n}."
    qkv = [w[f"{p}attention.self.{x}.weight"].T for x in ("query", "key", "value")]
    qkv_bias = [w[f"{p}attention.self.{x}.bias"] for x in ("query", "key", "value")]
    attn = g.op(
        "Attention",
        [
            hidden,
            g.const(t + "qkv.w", np.concatenate(qkv, axis=1)),
            g.const(t + "qkv.b", np.concatenate(qkv_bias)),
            mask,
        ],
        t + "attn",
        domain=_MS,
        num_heads=spec.num_heads,
    )
    hidden = _dense_skip_norm(g, spec, w, attn, hidden, p + "attention.output.", t + "attn_out")
    inner = g.op("MatMul", [hidden, g.const(t + "ffn_in.w", w[p + "intermediate.dense.weight"].T)], t + "ffn_in")
    gelu = g.op("BiasGelu", [inner, g.const(t + "ffn_in.b", w[p + "intermediate.dense.bias"])], t + "gelu", domain=_MS)
    return _dense_skip_norm(g, spec, w, gelu, hidden, p + "output.", t + "ffn_out")


def _dense_skip_norm(g: _Graph, spec: BertSpec, w: Weights, x: str, residual: str, p: str, t: str) -> str:
    """LayerNorm(x @ W + b + residual), the projection-then-residual step that closes each sub-block."""
    projected = g.op("MatMul", [x, g.const(t + ".w", w[p + "dense.weight"].T)], t)
    biased = g.op("Add", [projected, g.const(t + ".b", w[p + "dense.bias"])], t + ".bias")
    summed = g.op("Add", [biased, residual], t + ".residual")
    norm = [g.const(t + ".gamma", w[p + "LayerNorm.weight"]), g.const(t + ".beta", w[p + "LayerNorm.bias"])]
    return g.op("LayerNormalization", [summed, *norm], t + ".norm", axis=-1, epsilon=spec.layer_norm_eps)
