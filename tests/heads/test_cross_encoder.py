from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import InputError, ModelFormatError, TruncationWarning
from embedrag.heads import CrossEncoder

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json")


def _tiny(tmp_path: Path, minilm_dir: str, *, labels: int, head: bool = True) -> Path:
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertModel

    torch.manual_seed(0)
    config = BertConfig(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=labels,
    )
    model = BertForSequenceClassification(config) if head else BertModel(config)
    out = tmp_path / f"ce-{labels}-{head}"
    model.save_pretrained(out)
    for name in TOKENIZER_FILES:
        shutil.copy(Path(minilm_dir) / name, out / name)
    return out


def _reference(path: Path, pairs: list[tuple[str, str]]) -> np.ndarray:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(path))
    model = AutoModelForSequenceClassification.from_pretrained(str(path)).eval()
    logits = []
    for a, b in pairs:
        with torch.no_grad():
            logits.append(model(**tok(a, b, return_tensors="pt")).logits[0])
    return torch.stack(logits).numpy()


PAIRS = [("what do cats eat?", "Cats are carnivores and eat meat."), ("stock markets", "The river was calm.")]


def test_single_label_scores_are_sigmoids(tmp_path: Path, minilm_dir: str) -> None:
    path = _tiny(tmp_path, minilm_dir, labels=1)
    scores = CrossEncoder(path).score(PAIRS)
    expected = 1 / (1 + np.exp(-_reference(path, PAIRS)[:, 0]))
    assert scores.shape == (2,)
    np.testing.assert_allclose(scores, expected, atol=1e-5)


def test_two_labels_use_softmax_of_last_label(tmp_path: Path, minilm_dir: str) -> None:
    path = _tiny(tmp_path, minilm_dir, labels=2)
    logits = _reference(path, PAIRS)
    expected = np.exp(logits[:, 1]) / np.exp(logits).sum(axis=1)
    np.testing.assert_allclose(CrossEncoder(path).score(PAIRS), expected, atol=1e-5)


def test_model_without_head_is_refused(tmp_path: Path, minilm_dir: str) -> None:
    path = _tiny(tmp_path, minilm_dir, labels=1, head=False)
    with pytest.raises(ModelFormatError, match="no trained classification head"):
        CrossEncoder(path)


def test_long_pairs_are_cut_with_a_warning(tmp_path: Path, minilm_dir: str) -> None:
    model = CrossEncoder(_tiny(tmp_path, minilm_dir, labels=1))
    with pytest.warns(TruncationWarning, match="1 pair"):
        scores = model.score([("q", "word " * 200)])
    assert 0.0 <= float(scores[0]) <= 1.0


def test_bad_pairs_are_named(tmp_path: Path, minilm_dir: str) -> None:
    model = CrossEncoder(_tiny(tmp_path, minilm_dir, labels=1))
    with pytest.raises(InputError, match="pair 1"):
        model.score([("a", "b"), ("a", "")])
