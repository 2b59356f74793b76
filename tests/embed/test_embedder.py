from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from embedrag.embed import Embedder
from embedrag.embed.export.cpu import int8_target
from embedrag.errors import ConfigError, InputError, ModelNotFoundError, TruncationWarning

LONG = "The committee met again on Tuesday to discuss the budget. " * 60  # ~660 word pieces


@pytest.fixture(scope="module")
def reference(real_sentences: list[str], minilm_dir: str) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(minilm_dir, device="cpu")
    return model.encode(real_sentences, normalize_embeddings=True, batch_size=32)


def test_fp32_matches_sentence_transformers(embedder: Embedder, real_sentences: list[str], reference) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)  # some Lee documents exceed 256 pieces, as in s-t
        vectors = embedder.encode(real_sentences)
    assert vectors.shape == (len(real_sentences), 384)
    assert vectors.dtype == np.float32
    assert float(np.min(np.sum(vectors * reference, axis=1))) >= 0.9999


def test_int8_stays_close_to_sentence_transformers(real_sentences: list[str], reference) -> None:  # type: ignore[no-untyped-def]
    int8 = Embedder("all-MiniLM-L6-v2", variant="int8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        vectors = int8.encode(real_sentences)
    # the spec names the build (int8-ov, int8-vnni, int8-avx2 or int8), as the target table says
    assert int8.spec.variant == int8_target().variant
    assert float(np.min(np.sum(vectors * reference, axis=1))) >= 0.99


def test_order_and_batch_composition_do_not_change_vectors(embedder: Embedder, real_sentences: list[str]) -> None:
    texts = real_sentences[:12]
    together = embedder.encode(texts)
    alone = np.concatenate([embedder.encode([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=2e-5)


def test_empty_input_gives_empty_array(embedder: Embedder) -> None:
    assert embedder.encode([]).shape == (0, 384)


def test_single_string_gives_one_row(embedder: Embedder) -> None:
    assert embedder.encode("hello world").shape == (1, 384)


@pytest.mark.parametrize(
    ("texts", "message"),
    [(["ok", ""], "text 1 is empty"), (["ok", "  \n"], "text 1 is empty"), (["ok", 3], "text 1 is int, expected str")],
)
def test_bad_items_are_named(embedder: Embedder, texts: list[object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        embedder.encode(texts)  # type: ignore[arg-type]


def test_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(ModelNotFoundError, match="looked in"):
        Embedder("no-such-model")


def test_word_model_is_not_a_sentence_encoder() -> None:
    with pytest.raises(ConfigError, match="word model"):
        Embedder("glove-6B-50d")


def test_truncation_is_reported_never_silent(embedder: Embedder) -> None:
    with pytest.warns(TruncationWarning, match=r"1 input\(s\) exceeded 256 word pieces.*\[1\]"):
        embedder.encode(["short", LONG])
    result = embedder.embed(["short", LONG])
    assert result.truncated == (1,)
    assert result.tokens[1] > 256


def test_error_policy_refuses_long_inputs(minilm_dir: str) -> None:
    strict = Embedder(minilm_dir, long_inputs="error")
    with pytest.raises(InputError, match=r"exceed the model's limit of 256 word pieces \(indices \[1\]\)"):
        strict.encode(["short", LONG])


def test_error_policy_names_long_inputs_by_their_place_in_the_whole_stream(minilm_dir: str) -> None:
    strict = Embedder(minilm_dir, long_inputs="error")
    texts = ["a", "b", "c", "d", LONG, "e"]
    with pytest.raises(InputError, match=r"\(indices \[4\]\)"):
        list(strict.stream(texts, chunk_size=2))
    with pytest.raises(InputError, match=r"\(indices \[4\]\)"):
        strict.encode(texts, batch_size=2)


def test_window_policy_embeds_every_token(minilm_dir: str, embedder: Embedder) -> None:
    windowed = Embedder(minilm_dir, long_inputs="window")
    tail = "Penguins waddle across the Antarctic ice to reach the sea."
    text = LONG + tail
    result = windowed.embed([text])
    assert result.windowed == (0,)
    assert result.truncated == ()
    # The tail is past the limit: windows see it, truncation does not.
    probe = embedder.encode([tail])[0]
    with pytest.warns(TruncationWarning):
        truncated = embedder.encode([text])[0]
    assert float(result.vectors[0] @ probe) > float(truncated @ probe)


def test_window_policy_works_under_a_small_max_tokens(minilm_dir: str) -> None:
    # 18 content pieces per window: fewer than the 32 neighbouring windows usually share
    windowed = Embedder(minilm_dir, max_tokens=20, long_inputs="window").embed([LONG])
    truncated = Embedder(minilm_dir, max_tokens=20, long_inputs="truncate").embed([LONG])
    assert windowed.windowed == (0,)
    assert np.isfinite(windowed.vectors).all()
    assert float(windowed.vectors[0] @ truncated.vectors[0]) < 0.999


def test_stream_counts_indices_across_chunks(embedder: Embedder) -> None:
    texts = (t for t in ["a", "b", LONG, "c"])
    parts = list(embedder.stream(texts, chunk_size=2))
    assert [len(p) for p in parts] == [2, 2]
    assert parts[1].truncated == (2,)


def test_normalize_false_returns_raw_pooled_vectors(embedder: Embedder) -> None:
    raw = embedder.encode(["A man is eating food."], normalize=False)
    assert float(np.linalg.norm(raw)) > 1.5


def test_spec_describes_the_vectors(embedder: Embedder) -> None:
    spec = embedder.spec
    assert (spec.model, spec.dims, spec.max_tokens, spec.pooling, spec.normalize) == (
        "all-MiniLM-L6-v2",
        384,
        256,
        "mean",
        True,
    )
    assert len(spec.tokenizer_hash) == 64


def test_users_own_sentence_transformers_folder(tmp_path: Path, minilm_dir: str) -> None:
    import shutil

    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    bert_dir = tmp_path / "bert"
    config = BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    BertModel(config).save_pretrained(bert_dir)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copy(Path(minilm_dir) / name, bert_dir / name)
    transformer = models.Transformer(str(bert_dir), max_seq_length=64)
    pooling = models.Pooling(32, pooling_mode="cls")
    reference = SentenceTransformer(modules=[transformer, pooling], device="cpu")
    user_dir = tmp_path / "my-model"
    reference.save(str(user_dir))

    texts = ["A cat sits on the mat.", "Stock markets fell sharply today, and bond yields rose."]
    ours = Embedder(user_dir)
    assert ours.spec.pooling == "cls"
    assert ours.spec.normalize is False
    assert ours.max_tokens == 64
    expected = reference.encode(texts)
    np.testing.assert_allclose(ours.encode(texts), expected, atol=1e-4)


def test_token_vectors_leave_out_special_tokens(embedder: Embedder) -> None:
    vectors = embedder.token_vectors(["The bat flew out of the cave.", "hello"])
    assert [v.shape for v in vectors] == [(8, 384), (1, 384)]
    np.testing.assert_allclose(np.linalg.norm(vectors[0], axis=1), 1.0, rtol=1e-5)


def test_static_models_have_no_token_vectors() -> None:
    with pytest.raises(ConfigError, match="no contextual token vectors"):
        Embedder("tokenlearn-static-64").token_vectors(["hello"])


def test_token_ids_round_trip_gives_the_same_vectors(embedder: Embedder) -> None:
    from embedrag import load_tokenizer

    texts = ["A man is eating food.", "Stock markets fell sharply today."]
    with_specials = [load_tokenizer("all-MiniLM-L6-v2").encode(t) for t in texts]
    assert with_specials[0][0] == 101 and with_specials[0][-1] == 102  # [CLS] ... [SEP]
    expected = embedder.encode(texts)
    np.testing.assert_array_equal(embedder.embed_ids(embedder.token_ids(texts)).vectors, expected)
    np.testing.assert_array_equal(embedder.embed_ids(with_specials).vectors, expected)


def test_a_padded_row_of_ids_gives_the_vector_of_its_text(embedder: Embedder) -> None:
    # A padded batch (Hugging Face's) ends its shorter rows in [PAD] (0): they were embedded as content.
    from embedrag import load_tokenizer

    ids = load_tokenizer("all-MiniLM-L6-v2").encode("Stock markets fell sharply today.")
    expected = embedder.encode(["Stock markets fell sharply today."])
    np.testing.assert_array_equal(embedder.embed_ids([[*ids, 0, 0, 0]]).vectors, expected)
    with pytest.raises(InputError, match="input 0 has no tokens"):
        embedder.embed_ids([[101, 102, 0, 0]])


@pytest.mark.parametrize(
    ("ids", "message"), [([[1037], [5, 40000]], "input 1: token id 40000"), ([[101, 102]], "input 0 has no tokens")]
)
def test_bad_token_ids_are_named(embedder: Embedder, ids: list[list[int]], message: str) -> None:
    with pytest.raises(InputError, match=message):
        embedder.embed_ids(ids)


@pytest.mark.parametrize("threads", [0, -3, 1.5, True, "2"])
def test_threads_must_be_a_positive_int(threads: object) -> None:
    # threads=-3 ran, with -3 streams.
    with pytest.raises(ConfigError, match=r"threads must be a positive number \(None: every core\)"):
        Embedder("all-MiniLM-L6-v2", threads=threads)  # type: ignore[arg-type]


@pytest.mark.parametrize("budget", [0, -5, 2.5, True, "2048"])
def test_token_budget_must_be_a_positive_int(budget: object) -> None:
    with pytest.raises(ConfigError, match="token_budget must be a positive number"):
        Embedder("all-MiniLM-L6-v2", token_budget=budget)  # type: ignore[arg-type]


def test_batch_size_does_not_change_vectors(embedder: Embedder, real_sentences: list[str]) -> None:
    """A budget of 64 word pieces puts most texts in a batch of their own: the vectors stay the same."""
    texts = real_sentences[:24]
    small = Embedder("all-MiniLM-L6-v2", token_budget=64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        np.testing.assert_allclose(small.encode(texts), embedder.encode(texts), atol=2e-5)
