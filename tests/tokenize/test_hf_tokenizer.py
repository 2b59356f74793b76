from __future__ import annotations

from pathlib import Path

import pytest
from tokenizers import ByteLevelBPETokenizer, SentencePieceUnigramTokenizer

from embedrag.errors import ModelFormatError
from embedrag.tokenize import HFTokenizer, Tokenizer, load_tokenizer

SENTENCE = "The man went to the store"
LONG_TEXT = "retrieval augmented generation " * 100  # 300 words, far beyond the file's 128


def test_wordpiece_ids_of_the_reference_sentence(bert: Tokenizer) -> None:
    assert bert.encode(SENTENCE) == [101, 1996, 2158, 2253, 2000, 1996, 3573, 102]


def test_vocabulary_and_special_ids_are_bert_uncased(bert: HFTokenizer) -> None:
    assert bert.vocab_size == 30_522
    assert [bert.backend.token_to_id(t) for t in ("[CLS]", "[SEP]", "[MASK]")] == [101, 102, 103]


def test_short_text_is_not_padded(bert: Tokenizer) -> None:
    assert bert.encode("hi") == [101, 7632, 102]


def test_count_of_a_text_longer_than_128_tokens_is_the_true_count(bert: Tokenizer) -> None:
    assert bert.count(LONG_TEXT) == 302  # 3 pieces per repetition + [CLS] + [SEP]
    assert len(bert.encode(LONG_TEXT)) == 302


def test_backend_is_neither_padded_nor_truncated(bert: HFTokenizer) -> None:
    assert bert.backend.padding is None
    assert bert.backend.truncation is None


def test_encode_batch_gives_each_text_its_own_unpadded_ids(bert: HFTokenizer) -> None:
    assert bert.encode_batch([SENTENCE, "hi", LONG_TEXT]) == [
        bert.encode(SENTENCE),
        [101, 7632, 102],
        bert.encode(LONG_TEXT),
    ]


def test_special_tokens_can_be_left_out() -> None:
    tok = load_tokenizer("bert-base-uncased")
    assert isinstance(tok, HFTokenizer)
    tok.add_special_tokens = False
    assert tok.encode(SENTENCE) == [1996, 2158, 2253, 2000, 1996, 3573]


def test_special_token_text_is_tokenized_as_plain_text(bert: Tokenizer) -> None:
    ids = bert.encode("a [SEP] b [MASK]")
    assert ids.count(102) == 1 and ids[-1] == 102
    assert 103 not in ids


def test_decode_drops_special_tokens_and_gives_the_normalised_text(bert: Tokenizer) -> None:
    assert bert.decode(bert.encode("The Naïve Café")) == "the naive cafe"


def test_pieces_show_wordpiece_continuations(bert: Tokenizer) -> None:
    assert bert.tokens("tokenization") == ["[CLS]", "token", "##ization", "[SEP]"]


def test_an_emoji_is_an_unknown_piece(bert: Tokenizer) -> None:
    assert bert.tokens("🤖") == ["[CLS]", "[UNK]", "[SEP]"]


def test_cjk_characters_are_pieces_of_their_own(bert: Tokenizer) -> None:
    assert bert.tokens("東京") == ["[CLS]", "東", "京", "[SEP]"]


def test_unigram_tokenizer_json_keeps_metaspace_pieces(tmp_path: Path) -> None:
    trainer = SentencePieceUnigramTokenizer()
    trainer.train_from_iterator(["hello world, hello tokens", "the world says hello"] * 50, vocab_size=40)
    trainer.save(str(tmp_path / "tokenizer.json"))
    tok = load_tokenizer(tmp_path / "tokenizer.json")
    assert tok.tokens("hello world")[-1] == "▁world"
    assert tok.decode(tok.encode("hello world")) == "hello world"


@pytest.fixture(scope="module")
def byte_level_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GPT-2-style byte-level BPE tokenizer.json, trained on a few words."""
    trainer = ByteLevelBPETokenizer()
    trainer.train_from_iterator(["hello world, hello tokens"] * 20, vocab_size=300, show_progress=False)
    path = tmp_path_factory.mktemp("bytelevel") / "tokenizer.json"
    trainer.save(str(path))
    return path


def test_byte_level_pieces_show_spaces_as_spaces(byte_level_json: Path) -> None:
    tok = load_tokenizer(byte_level_json)
    assert tok.tokens("hello world") == ["hello", " world"]


def test_byte_level_pieces_show_partial_characters_in_hex(byte_level_json: Path) -> None:
    tok = load_tokenizer(byte_level_json)
    assert tok.tokens("é") == ["<0xC3>", "<0xA9>"]
    assert tok.decode(tok.encode("é")) == "é"


def test_a_file_that_is_not_a_tokenizer_json_is_a_format_error(tmp_path: Path) -> None:
    bad = tmp_path / "tokenizer.json"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(ModelFormatError, match=r"not a usable tokenizer\.json"):
        HFTokenizer.from_file(bad)
