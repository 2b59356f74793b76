"""The int8 variant: deterministic, every recipe runnable (closeness to fp32: test_int8_fidelity.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest

from conftest import run_onnx
from embedrag.embed.export import onnx_for
from embedrag.embed.export.quantize import DEFAULT_RECIPE, RECIPES, fp32_nodes, quantize_int8


def test_quantisation_is_deterministic(tiny_bert: Path, tmp_path: Path) -> None:
    fp32 = onnx_for(tiny_bert)
    quantize_int8(fp32, tmp_path / "a.onnx")
    quantize_int8(fp32, tmp_path / "b.onnx")
    assert (tmp_path / "a.onnx").read_bytes() == (tmp_path / "b.onnx").read_bytes()


def test_generic_recipe_keeps_embeddings_and_first_ffn_in_fp32(tiny_bert: Path) -> None:
    model = onnx.load(str(onnx_for(tiny_bert, variant="int8", target="generic")))
    ops = {node.name: node.op_type for node in model.graph.node}
    assert ops["emb"] == "EmbedLayerNormalization"
    assert ops["l0.ffn_in"] == ops["l0.ffn_out"] == "MatMul"
    assert "l1.ffn_in" not in ops  # replaced by its quantised form
    assert "QAttention" in ops.values()
    kept = fp32_nodes(onnx.load(str(onnx_for(tiny_bert))), RECIPES[DEFAULT_RECIPE])
    assert kept == ["emb", "l0.ffn_in", "l0.ffn_out"]


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_every_recipe_gives_a_runnable_graph(tiny_bert_tokenized: Path, tmp_path: Path, recipe: str) -> None:
    out = tmp_path / f"{recipe}.onnx"
    quantize_int8(onnx_for(tiny_bert_tokenized), out, recipe=recipe, model_dir=tiny_bert_tokenized)
    ids = np.array([[101, 5, 6, 102], [101, 7, 102, 0]], np.int64)
    hidden = run_onnx(out, ids, (ids != 0).astype(np.int64))
    assert hidden.shape == (2, 4, 32) and np.isfinite(hidden).all()


def test_changing_the_default_recipe_builds_a_new_graph(tiny_bert: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from embedrag.embed.export import quantize

    first = onnx_for(tiny_bert, variant="int8", target="generic")
    monkeypatch.setattr(quantize, "DEFAULT_RECIPE", "u8")
    second = onnx_for(tiny_bert, variant="int8", target="generic")
    assert second != first
    ops = {node.op_type for node in onnx.load(str(second)).graph.node}
    assert "MatMul" not in ops  # u8 quantises every MatMul: the new recipe was really applied


def test_avx2_weights_keep_to_7_bits(tiny_bert: Path) -> None:
    """AVX2's u8 x s8 kernel adds pairs of products in 16 bits: 2 x 255 x 64 fits, 2 x 255 x 127 does not."""
    from onnx import numpy_helper

    model = onnx.load(str(onnx_for(tiny_bert, variant="int8", target="avx2")))
    weights = [numpy_helper.to_array(t) for t in model.graph.initializer if t.data_type == onnx.TensorProto.INT8]
    assert weights and max(int(np.abs(w.astype(np.int32)).max()) for w in weights) <= 64


def test_the_u8_target_calibrates_on_its_model_and_keys_the_text(tiny_bert_tokenized: Path) -> None:
    from embedrag.embed.export.build import int8_key
    from embedrag.embed.export.cpu import choose_target

    assert ":calibration=" in int8_key(choose_target(set()))  # editing calibration.txt rebuilds
    graph = onnx_for(tiny_bert_tokenized, variant="int8", target="u8")
    ops = {node.name: node.op_type for node in onnx.load(str(graph)).graph.node}
    assert "l0.ffn_outliers.in" in ops  # the outlier rewrite ran, calibrated with the model's tokenizer
    assert ops["l0.ffn_out"] == ops["l1.ffn_in"] == "MatMul"  # the two blocks it keeps in fp32
    assert "l0.ffn_in" not in ops  # quantised
