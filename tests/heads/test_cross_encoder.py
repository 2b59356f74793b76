from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import InputError, ModelFormatError, TruncationWarning
from embedrag.heads import CrossEncoder


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


def test_single_label_scores_are_sigmoids(tiny_cross_encoder) -> None:  # type: ignore[no-untyped-def]
    path = tiny_cross_encoder(labels=1)
    scores = CrossEncoder(path).score(PAIRS)
    expected = 1 / (1 + np.exp(-_reference(path, PAIRS)[:, 0]))
    assert scores.shape == (2,)
    np.testing.assert_allclose(scores, expected, atol=1e-5)


def test_two_labels_use_softmax_of_last_label(tiny_cross_encoder) -> None:  # type: ignore[no-untyped-def]
    path = tiny_cross_encoder(labels=2)
    logits = _reference(path, PAIRS)
    expected = np.exp(logits[:, 1]) / np.exp(logits).sum(axis=1)
    np.testing.assert_allclose(CrossEncoder(path).score(PAIRS), expected, atol=1e-5)


def test_model_without_head_is_refused(tiny_cross_encoder) -> None:  # type: ignore[no-untyped-def]
    path = tiny_cross_encoder(labels=1, head=False)
    with pytest.raises(ModelFormatError, match="no trained classification head"):
        CrossEncoder(path)


def test_long_pairs_are_cut_with_a_warning(tiny_cross_encoder) -> None:  # type: ignore[no-untyped-def]
    model = CrossEncoder(tiny_cross_encoder(labels=1))
    with pytest.warns(TruncationWarning, match="1 pair"):
        scores = model.score([("q", "word " * 200)])
    assert 0.0 <= float(scores[0]) <= 1.0


def test_a_first_text_that_leaves_no_room_for_the_second_is_named(tiny_cross_encoder) -> None:  # type: ignore[no-untyped-def]
    # The tokenizer's own "Truncation error: Sequence to truncate too short" escaped (a long query to rerank with).
    model = CrossEncoder(tiny_cross_encoder(labels=1))  # reads 64 tokens
    with pytest.raises(InputError, match=r"pair 1: its first text takes 62 tokens, .* 64 tokens .* shorten it"):
        model.score([("q", "fine"), ("why " * 62, "a passage")])


def test_bad_pairs_are_named(tiny_cross_encoder) -> None:  # type: ignore[no-untyped-def]
    model = CrossEncoder(tiny_cross_encoder(labels=1))
    with pytest.raises(InputError, match="pair 1"):
        model.score([("a", "b"), ("a", "")])


def test_cli_scores_each_text_against_the_first(tiny_cross_encoder, cli) -> None:  # type: ignore[no-untyped-def]
    import json

    model = tiny_cross_encoder(labels=1)
    result = cli("score", "how do cats hunt?", "Cats stalk mice.", "Stocks fell.", "--model", str(model), "--json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [r["text"] for r in rows] == ["Cats stalk mice.", "Stocks fell."]
    query = "how do cats hunt?"
    expected = CrossEncoder(model).score([(query, "Cats stalk mice."), (query, "Stocks fell.")])
    assert [r["score"] for r in rows] == pytest.approx(expected.tolist(), abs=1e-6)


def test_cli_score_without_a_head_fails_in_one_line(tiny_cross_encoder, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("score", "a", "b", "--model", str(tiny_cross_encoder(labels=1, head=False)))
    assert result.code == 1 and "no trained classification head" in result.err
