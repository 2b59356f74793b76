"""Fine-tuning a cross-encoder and a sentence embedder: on tiny random BERTs, a task they can learn in seconds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import InputError, ModelFormatError
from embedrag.heads import CrossEncoder
from embedrag.train import Pair, train_cross_encoder, train_embedder

TOPICS = {
    "cats": "cats purr and chase mice",
    "rain": "rain falls from grey clouds",
    "bread": "bread is baked with yeast",
    "chess": "chess players move kings and pawns",
    "ships": "ships sail across the sea",
    "piano": "piano keys are black and white",
}


def _pairs() -> list[Pair]:
    """Each topic word asks for its sentence; every other sentence is a negative for it (6 x 6 pairs)."""
    return [Pair(word, text, float(word == other)) for word in TOPICS for other, text in TOPICS.items()]


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory, tiny_bert_folder) -> Path:  # type: ignore[no-untyped-def]
    # a wider initialisation than BERT's 0.02 lets a 2-layer model learn the tests' signals in ~100 steps
    return tiny_bert_folder(tmp_path_factory.mktemp("encoder"), "BertModel", max_positions=64, initializer_range=0.2)


def test_cross_encoder_training_learns_the_labels_and_saves_a_reranker(encoder: Path, tmp_path: Path) -> None:
    # a signal a tiny random model learns in a few steps: a passage that answers says "indeed"
    pairs = [
        Pair(w, f"{t} {'indeed' if w == o else 'never'}", float(w == o)) for w in TOPICS for o, t in TOPICS.items()
    ]
    steps: list[int] = []
    report = train_cross_encoder(
        pairs,
        init=encoder,
        output=tmp_path / "ce",
        epochs=30,
        batch_size=12,
        learning_rate=3e-3,
        progress=lambda step, total, loss: steps.append(step),
    )
    assert report.steps == 30 * 3 == len(steps) and report.positives == 6 and report.pairs == 36
    assert report.last_loss < report.first_loss
    scores = CrossEncoder(tmp_path / "ce").score([(p.query, p.passage) for p in pairs])
    labels = np.array([p.label for p in pairs])
    assert scores[labels == 1].min() > scores[labels == 0].max()
    saved = json.loads((tmp_path / "ce" / "embedrag-train.json").read_text())
    assert saved["task"] == "cross-encoder" and saved["steps"] == 90


def test_the_saved_cross_encoder_scores_the_same_in_sentence_transformers(encoder: Path, tmp_path: Path) -> None:
    from sentence_transformers import CrossEncoder as StCrossEncoder

    pairs = _pairs()
    train_cross_encoder(pairs, init=encoder, output=tmp_path / "ce", epochs=1)
    texts = [(p.query, p.passage) for p in pairs[:8]]
    ours = CrossEncoder(tmp_path / "ce").score(texts)
    theirs = StCrossEncoder(str(tmp_path / "ce"), device="cpu").predict(texts)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_cross_encoder_training_needs_both_kinds_of_pairs(encoder: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="negative pairs"):
        train_cross_encoder([Pair("a", "b", 1.0)] * 4, init=encoder, output=tmp_path / "ce")
    assert not (tmp_path / "ce").exists()


def test_cross_encoder_training_counts_cut_passages_and_refuses_long_queries(encoder: Path, tmp_path: Path) -> None:
    long = " ".join(["word"] * 100)
    pairs = [Pair("short", long, 1.0), Pair("short", "other", 0.0)]
    report = train_cross_encoder(pairs, init=encoder, output=tmp_path / "ce", max_tokens=32)
    assert report.truncated == 1
    with pytest.raises(InputError, match="word pieces; the limit for queries is 16"):
        train_cross_encoder(
            [Pair(long, "a", 1.0), Pair(long, "b", 0.0)], init=encoder, output=tmp_path / "x", max_tokens=32
        )


def test_a_classifier_with_two_labels_is_not_trained_as_one(tiny_cross_encoder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelFormatError, match="2 labels"):
        train_cross_encoder(_pairs(), init=tiny_cross_encoder(labels=2), output=tmp_path / "ce")


def test_an_existing_output_is_never_overwritten(encoder: Path, tmp_path: Path) -> None:
    (tmp_path / "ce").mkdir()
    (tmp_path / "ce" / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not an empty folder"):
        train_cross_encoder(_pairs(), init=encoder, output=tmp_path / "ce")
    with pytest.raises(InputError, match="not an empty folder"):
        train_embedder(_pairs(), init=encoder, output=tmp_path / "ce")
    assert (tmp_path / "ce" / "keep.txt").read_text() == "mine"


def _rank_of_own(vectors_q: np.ndarray, vectors_p: np.ndarray) -> float:
    """Share of queries whose own passage is the nearest."""
    return float(((vectors_q @ vectors_p.T).argmax(axis=1) == np.arange(len(vectors_q))).mean())


def test_embedder_training_pulls_queries_to_their_passages(encoder: Path, tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    pairs = [Pair(word, text, 1.0) for word, text in TOPICS.items()]
    words, texts = list(TOPICS), list(TOPICS.values())
    before = SentenceTransformer(str(encoder), device="cpu")
    report = train_embedder(pairs, init=encoder, output=tmp_path / "emb", epochs=40, batch_size=6, learning_rate=3e-3)
    after = SentenceTransformer(str(tmp_path / "emb"), device="cpu")
    assert report.steps == 40 and report.last_loss < report.first_loss * 0.5
    enc = {"normalize_embeddings": True}
    assert _rank_of_own(after.encode(words, **enc), after.encode(texts, **enc)) == 1.0
    assert _rank_of_own(before.encode(words, **enc), before.encode(texts, **enc)) < 1.0


def test_the_fine_tuned_embedder_loads_in_embedrag_without_torch_code(encoder: Path, tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    from embedrag import Embedder

    train_embedder([Pair(w, t, 1.0) for w, t in TOPICS.items()], init=encoder, output=tmp_path / "emb", batch_size=3)
    texts = list(TOPICS.values())
    ours = Embedder(tmp_path / "emb").encode(texts, normalize=True)
    theirs = SentenceTransformer(str(tmp_path / "emb"), device="cpu").encode(texts, normalize_embeddings=True)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_embedder_hard_negatives_join_the_batch_and_answers_are_masked(encoder: Path, tmp_path: Path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    from embedrag.train.embedder import _examples, _loss

    pairs = [Pair("cats", TOPICS["cats"], 1.0), Pair("cats", TOPICS["rain"], 1.0), Pair("cats", TOPICS["bread"], 0.0)]
    pairs += [Pair("ships", TOPICS["ships"], 1.0)]
    examples = _examples(pairs)
    assert [(e.query, e.negative) for e in examples] == [("cats", TOPICS["bread"])] * 2 + [("ships", None)]
    model = SentenceTransformer(str(encoder), device="cpu")
    with torch.no_grad():
        loss = float(_loss(model, examples))
    # rows: cats->cats, cats->rain, ships; columns: 3 positives + 1 hard negative; the other
    # answer of "cats" is masked, so each cats row chooses among 3 columns, not 4
    q = model.encode(["cats", "cats", "ships"], normalize_embeddings=True, convert_to_tensor=True)
    p = model.encode(
        [TOPICS["cats"], TOPICS["rain"], TOPICS["ships"], TOPICS["bread"]],
        normalize_embeddings=True,
        convert_to_tensor=True,
    )
    scores = 20.0 * (q @ p.T)
    scores[0, 1] = scores[1, 0] = float("-inf")
    expected = float(torch.nn.functional.cross_entropy(scores, torch.arange(3)))
    assert loss == pytest.approx(expected, rel=1e-4)


def test_embedder_training_needs_two_positives(encoder: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least 2 positive pairs"):
        train_embedder([Pair("a", "b", 1.0), Pair("a", "c", 0.0)], init=encoder, output=tmp_path / "emb")
