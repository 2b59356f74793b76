"""The outlier rewrites (outliers.py) change how a graph quantises, never what its fp32 form computes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from conftest import run_onnx
from embedrag.embed.export import onnx_for
from embedrag.embed.export.calibration import calibration_feeds
from embedrag.embed.export.outliers import activation_absmax, rewrite_outliers, statistics_needed
from embedrag.embed.export.quantize import RECIPES, Recipe, quantize_int8
from embedrag.errors import ConfigError

SMOOTH = (("l0.ffn_in", 0.7), ("l1.attn", 0.7), ("l*.attn_out", 0.5))
IDS = np.array([[101, 2023, 2003, 1037, 3231, 102], [101, 7592, 2088, 102, 0, 0]], np.int64)


@pytest.fixture(scope="module")
def rewritten(tiny_bert_tokenized: Path) -> tuple[onnx.ModelProto, onnx.ModelProto, list[str]]:
    original = onnx.load(str(onnx_for(tiny_bert_tokenized)))
    # A freshly initialised BERT has zero biases; real ones do not, and the rewrites must move them too.
    rng = np.random.default_rng(0)
    for tensor in original.graph.initializer:
        if tensor.name.endswith(".b"):
            tensor.CopyFrom(
                numpy_helper.from_array(rng.normal(0, 0.5, tuple(tensor.dims)).astype(np.float32), tensor.name)
            )
    model = onnx.ModelProto()
    model.CopyFrom(original)
    tensors = statistics_needed(model, SMOOTH, outlier_channels=4)
    inputs = {tensor.name for tensor in model.graph.input}
    absmax = activation_absmax(model, tensors, calibration_feeds(tiny_bert_tokenized, 8, inputs))
    added = rewrite_outliers(model, absmax, smooth=SMOOTH, outlier_channels=4)
    return original, model, added


def test_the_rewritten_fp32_graph_computes_what_the_original_does(
    rewritten: tuple[onnx.ModelProto, onnx.ModelProto, list[str]], tmp_path: Path
) -> None:
    original, model, _ = rewritten
    onnx.save(original, str(tmp_path / "a.onnx"))
    onnx.save(model, str(tmp_path / "b.onnx"))
    mask = (IDS != 0).astype(np.int64)
    before, after = run_onnx(tmp_path / "a.onnx", IDS, mask), run_onnx(tmp_path / "b.onnx", IDS, mask)
    real = mask.astype(bool)
    np.testing.assert_allclose(after[real], before[real], rtol=1e-4, atol=1e-5)


def test_the_largest_ffn_channels_move_to_an_fp32_side_path(
    rewritten: tuple[onnx.ModelProto, onnx.ModelProto, list[str]],
) -> None:
    original, model, added = rewritten
    shapes = {t.name: tuple(t.dims) for t in model.graph.initializer}
    assert {t.name: tuple(t.dims) for t in original.graph.initializer}["l0.ffn_in.w"] == (32, 64)
    assert shapes["l0.ffn_in.w"] == (32, 60) and shapes["l0.ffn_outliers.in.w"] == (32, 4)
    assert shapes["l1.ffn_out.w"] == (60, 32) and shapes["l1.ffn_outliers.out.w"] == (4, 32)
    assert added == [f"l{n}.ffn_outliers.{part}" for n in (0, 1) for part in ("in", "out")]
    ops = {node.name: node.op_type for node in model.graph.node}
    assert ops["l0.ffn_in.smooth"] == ops["l1.attn.smooth"] == "Mul"  # smoothed by a division
    assert "l0.attn_out.smooth" not in ops  # folded into the values' weights instead


def test_the_side_paths_stay_fp32_when_the_rest_is_quantised(tiny_bert_tokenized: Path, tmp_path: Path) -> None:
    out = tmp_path / "int8.onnx"
    quantize_int8(onnx_for(tiny_bert_tokenized), out, recipe="s7-avx2-outliers", model_dir=tiny_bert_tokenized)
    ops = {node.name: node.op_type for node in onnx.load(str(out)).graph.node}
    assert ops["l0.ffn_outliers.in"] == ops["l1.ffn_outliers.out"] == "MatMul"
    assert "l0.ffn_in" not in ops and "l0.ffn_out" not in ops  # replaced by their quantised forms


def test_a_recipe_that_calibrates_needs_the_model_directory(tiny_bert_tokenized: Path, tmp_path: Path) -> None:
    assert RECIPES["s7-avx2-outliers"].calibrated and not RECIPES["s7-avx2"].calibrated
    with pytest.raises(ConfigError, match="calibrates on text: pass model_dir"):
        quantize_int8(onnx_for(tiny_bert_tokenized), tmp_path / "x.onnx", recipe=Recipe(outlier_channels=2))
    assert not (tmp_path / "x.onnx").exists()
