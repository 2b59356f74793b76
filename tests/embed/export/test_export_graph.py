"""The torch-free graph builder reproduces transformers / sentence-transformers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from conftest import run_onnx, save_tiny
from embedrag.embed.export import onnx_for


def _transformers_hidden(model_dir: Path, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    import torch
    import transformers

    model = transformers.AutoModel.from_pretrained(str(model_dir)).eval()
    with torch.no_grad():
        out = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
    return np.asarray(out.last_hidden_state.numpy())


def _padded_batch(vocab: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    lengths = [9, 4, 1, 7]
    ids = np.zeros((len(lengths), max(lengths)), np.int64)
    mask = np.zeros_like(ids)
    for row, n in enumerate(lengths):
        ids[row, :n] = rng.integers(1, vocab, n)
        mask[row, :n] = 1
    return ids, mask


def _assert_real_tokens_match(ours: np.ndarray, theirs: np.ndarray, mask: np.ndarray) -> None:
    real = mask.astype(bool)
    np.testing.assert_allclose(ours[real], theirs[real], atol=2e-5, rtol=0)


def test_tiny_bert_matches_transformers_on_a_padded_batch(tiny_bert: Path) -> None:
    ids, mask = _padded_batch()
    ours = run_onnx(onnx_for(tiny_bert), ids, mask)
    assert ours.shape == (4, 9, 32) and ours.dtype == np.float32
    _assert_real_tokens_match(ours, _transformers_hidden(tiny_bert, ids, mask), mask)


def test_a_padded_row_equals_the_same_text_alone(tiny_bert: Path) -> None:
    ids, mask = _padded_batch()
    path = onnx_for(tiny_bert)
    alone = run_onnx(path, ids[1:2, :4], mask[1:2, :4])
    np.testing.assert_allclose(run_onnx(path, ids, mask)[1, :4], alone[0], atol=1e-5)


def test_checkpoint_with_bert_prefix_loads(tmp_path: Path) -> None:
    model_dir = save_tiny(tmp_path, arch="BertForMaskedLM")
    ids, mask = _padded_batch()
    _assert_real_tokens_match(
        run_onnx(onnx_for(model_dir), ids, mask), _transformers_hidden(model_dir, ids, mask), mask
    )


def test_minilm_matches_sentence_transformers_on_real_sentences(
    minilm_dir: Path, sentences: list[str], embed_onnx: Callable[[Path, list[str]], np.ndarray]
) -> None:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(minilm_dir), device="cpu").encode(sentences, batch_size=32)
    ours = embed_onnx(onnx_for(minilm_dir), sentences)
    assert len(sentences) >= 100
    assert (ours * reference).sum(1).min() >= 0.9999
    assert np.abs(ours - reference).max() < 1e-4


@pytest.mark.parametrize("variant", ["fp32", "int8"])
def test_graph_has_the_contract_inputs_and_output(tiny_bert_tokenized: Path, variant: str) -> None:
    import onnxruntime as ort

    graph = onnx_for(tiny_bert_tokenized, variant=variant)  # type: ignore[arg-type]
    session = ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    inputs = {i.name: (i.type, len(i.shape)) for i in session.get_inputs()}
    assert inputs == dict.fromkeys(["input_ids", "attention_mask", "token_type_ids"], ("tensor(int64)", 2))
    assert [(o.name, o.type) for o in session.get_outputs()] == [("last_hidden_state", "tensor(float)")]
