"""The torch fallback: pytorch_model.bin weights and non-BERT architectures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort

from conftest import run_onnx, save_tiny
from embedrag.embed.export import build, onnx_for


def _reference(model_dir: Path, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    import torch
    import transformers

    model = transformers.AutoModel.from_pretrained(str(model_dir)).eval()
    with torch.no_grad():
        return np.asarray(
            model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).last_hidden_state
        )


IDS = np.array([[101, 7, 8, 9, 102], [101, 5, 102, 0, 0]], np.int64)
MASK = (IDS != 0).astype(np.int64)


def test_pytorch_bin_only_bert_goes_through_torch(tmp_path: Path) -> None:
    model_dir = save_tiny(tmp_path, safe=False)
    assert (model_dir / "pytorch_model.bin").is_file()
    assert build._plan(model_dir, {"model_type": "bert"})[0] == "torch"
    ours = run_onnx(onnx_for(model_dir), IDS, MASK)
    real = MASK.astype(bool)
    np.testing.assert_allclose(ours[real], _reference(model_dir, IDS, MASK)[real], atol=2e-5)


def test_non_bert_model_keeps_the_three_inputs(tmp_path: Path) -> None:
    model_dir = save_tiny(
        tmp_path, arch="DistilBertModel", dim=32, n_layers=1, n_heads=2, hidden_dim=64, vocab_size=200
    )
    path = onnx_for(model_dir)
    names = [i.name for i in ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).get_inputs()]
    assert sorted(names) == ["attention_mask", "input_ids", "token_type_ids"]
    real = MASK.astype(bool)
    np.testing.assert_allclose(run_onnx(path, IDS, MASK)[real], _reference(model_dir, IDS, MASK)[real], atol=2e-5)
