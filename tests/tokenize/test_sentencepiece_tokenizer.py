from __future__ import annotations

from pathlib import Path

import pytest

from embedrag.errors import InputError, ModelFormatError
from embedrag.tokenize import SentencePieceTokenizer, Tokenizer, load_tokenizer, train_sentencepiece


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from gensim.test.utils import datapath

    out = tmp_path_factory.mktemp("spm") / "lee.model"
    train_sentencepiece(datapath("lee_background.cor"), vocab_size=1000, model_type="bpe", output=out)
    return out


def test_a_model_file_loads_by_path(model_path: Path) -> None:
    tok = load_tokenizer(model_path)
    assert isinstance(tok, SentencePieceTokenizer)
    assert tok.name == str(model_path)
    assert tok.vocab_size == 1000


def test_a_model_folder_loads_its_model_file(model_path: Path, tmp_path: Path) -> None:
    (tmp_path / "tokenizer.model").write_bytes(model_path.read_bytes())
    assert load_tokenizer(tmp_path).encode("the store") == load_tokenizer(model_path).encode("the store")


def test_it_satisfies_the_tokenizer_protocol(model_path: Path) -> None:
    assert isinstance(load_tokenizer(model_path), Tokenizer)


def test_encoding_adds_no_bos_or_eos(model_path: Path) -> None:
    tok = load_tokenizer(model_path)
    assert 1 not in tok.encode("the man") and 2 not in tok.encode("the man")


def test_round_trip_of_corpus_like_text(model_path: Path) -> None:
    tok = load_tokenizer(model_path)
    text = "The government said on Tuesday that the talks would continue."
    assert tok.decode(tok.encode(text)) == text


def test_an_unknown_character_is_the_unk_piece(model_path: Path) -> None:
    tok = load_tokenizer(model_path)
    assert "<unk>" in tok.tokens("🤖")


def test_count_is_the_number_of_ids(model_path: Path) -> None:
    tok = load_tokenizer(model_path)
    assert tok.count("the man went to the store") == len(tok.encode("the man went to the store"))


def test_decoding_an_id_outside_the_vocabulary_is_an_input_error(model_path: Path) -> None:
    with pytest.raises(InputError, match=r"not in range\(1000\)"):
        load_tokenizer(model_path).decode([1000])


def test_bytes_that_are_not_a_model_are_a_format_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.model"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelFormatError, match="not a SentencePiece model"):
        load_tokenizer(bad)
