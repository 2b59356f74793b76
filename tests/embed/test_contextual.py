from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from polysemy import SENSES

from embedrag.embed.contextual import ContextualEncoder, compare_word
from embedrag.errors import ConfigError, InputError


@pytest.fixture(scope="module")
def encoder() -> ContextualEncoder:
    return ContextualEncoder()


def test_the_last_layer_is_what_the_embedder_pools(encoder: ContextualEncoder, embedder) -> None:  # type: ignore[no-untyped-def]
    text = "Contextual vectors change with every layer of the encoder."
    tokens = encoder.encode(text)
    assert tokens.vectors.shape == (encoder.num_layers + 1, len(tokens.pieces), 384) == (7, 13, 384)
    last = tokens.vectors[-1] / np.linalg.norm(tokens.vectors[-1], axis=1, keepdims=True)
    np.testing.assert_allclose(last, embedder.token_vectors([text])[0], atol=1e-5)
    assert [text[a:b].lower() for a, b in tokens.offsets] == [p.removeprefix("##") for p in tokens.pieces]


def test_the_model_is_loaded_into_one_session(monkeypatch: pytest.MonkeyPatch) -> None:
    import onnxruntime as ort

    opened: list[object] = []
    real = ort.InferenceSession.__init__

    def count(self: ort.InferenceSession, *args: object, **kwargs: object) -> None:
        opened.append(args[0])
        real(self, *args, **kwargs)

    monkeypatch.setattr(ort.InferenceSession, "__init__", count)
    encoder = ContextualEncoder()
    assert len(opened) == 1 and isinstance(opened[0], bytes)  # the graph with the hidden states as outputs
    assert len(encoder.encode("A bat.").vectors) == 7


def test_a_word_of_several_pieces_is_their_mean(encoder: ContextualEncoder) -> None:
    tokens = encoder.encode("Tokenization is fun.")
    vectors, pieces = tokens.word("tokenization")
    assert pieces == ["token", "##ization"]
    np.testing.assert_allclose(vectors, tokens.vectors[:, :2].mean(axis=1), atol=1e-6)


def test_words_match_whole_words_only(encoder: ContextualEncoder) -> None:
    with pytest.raises(InputError, match="'bat' does not occur as a word"):
        encoder.encode("She took a bath.").word("bat")


def test_senses_separate_in_the_upper_layers(encoder: ContextualEncoder) -> None:
    """Same-sense pairs are closer than cross-sense pairs: measured 12 of 12 words in layers 1-6,
    7 of 12 in the embedding layer (where only the position differs)."""
    wins = np.zeros(encoder.num_layers + 1)
    for word, (first, second) in SENSES.items():
        result = compare_word(encoder, word, [*first, *second])
        for layer, m in enumerate(result.layers):
            same = (m[0, 1] + m[2, 3]) / 2
            cross = (m[0, 2] + m[0, 3] + m[1, 2] + m[1, 3]) / 4
            wins[layer] += same > cross
    rate = wins / len(SENSES)
    assert len(SENSES) >= 10
    assert rate[encoder.num_layers // 2 :].min() >= 0.9
    assert rate[-1] > rate[0]


def test_the_static_vector_is_the_same_in_every_sentence(encoder: ContextualEncoder) -> None:
    result = compare_word(encoder, "bank", ["The river bank.", "The bank lends money."], static=np.ones(50))
    assert result.static is not None and np.allclose(result.static, 1.0)
    assert result.layers[0].shape == (2, 2)


@pytest.mark.parametrize(
    ("sentences", "message"),
    [(["one bat"], "at least two sentences"), (["a bat", "a ball"], "'bat' does not occur")],
)
def test_bad_comparisons_are_clear(encoder: ContextualEncoder, sentences: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        compare_word(encoder, "bat", sentences)


def test_too_long_text_is_refused_not_cut(encoder: ContextualEncoder) -> None:
    with pytest.raises(InputError, match="takes 256"):
        encoder.encode("word " * 300)


def test_a_static_model_has_no_layers() -> None:
    with pytest.raises(ConfigError, match="static model"):
        ContextualEncoder("tokenlearn-static-64")


def test_cli_compare_json_has_one_matrix_per_layer(cli) -> None:  # type: ignore[no-untyped-def]
    sentences = ["He saw a bat fly out of the cave.", "He swung the bat at the ball."]
    result = cli("contextual", "compare", "--word", "bat", *sentences, "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["word"] == "bat" and data["sentences"] == sentences
    assert [layer["layer"] for layer in data["layers"]] == list(range(7))
    assert all(np.array(layer["similarity"]).shape == (2, 2) for layer in data["layers"])
    assert data["static"] == [[1.0, 1.0], [1.0, 1.0]]


def test_cli_show_refuses_a_layer_out_of_range(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("contextual", "A bat.", "--layer", "7")
    assert result.code == 1 and "--layer must be 0..6" in result.err


def test_cli_compare_plot_draws_the_curves(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chart = tmp_path / "bat.png"
    sentences = ["He saw a bat fly out of the cave.", "He swung the bat at the ball."]
    result = cli("contextual", "compare", "--word", "bat", *sentences, "--plot", str(chart), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["word"] == "bat" and f"chart: {chart}" in result.err
    data = chart.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_cli_compare_refuses_a_bad_plot_name_before_running(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("contextual", "compare", "--word", "bat", "a bat", "a bat", "--plot", str(tmp_path / "bat.bmp"))
    assert result.code == 1 and result.out == ""
    [line] = result.err.strip().splitlines()
    assert line.startswith("error: cannot draw 'bat.bmp': unknown image format '.bmp'; use .png, .svg or .pdf (or ")
