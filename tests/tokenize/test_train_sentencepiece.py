from __future__ import annotations

from pathlib import Path

import pytest

from embedrag.errors import ConfigError, InputError
from embedrag.tokenize import SentencePieceTokenizer, train_sentencepiece

SENTENCE = "The man went to the store"


def test_training_writes_a_model_that_encodes_and_round_trips(small_corpus: Path, tmp_path: Path) -> None:
    tok = train_sentencepiece(small_corpus, vocab_size=300, output=tmp_path / "lee.model")
    assert (tmp_path / "lee.model").is_file()
    assert tok.vocab_size == 300
    assert tok.decode(tok.encode(SENTENCE)) == SENTENCE


def test_pieces_mark_word_starts(small_corpus: Path, tmp_path: Path) -> None:
    tok = train_sentencepiece(small_corpus, vocab_size=300, output=tmp_path / "lee.model")
    assert tok.tokens(SENTENCE)[0].startswith("▁")


@pytest.mark.parametrize("model_type", ["unigram", "bpe"])
def test_training_twice_gives_the_same_model(small_corpus: Path, tmp_path: Path, model_type: str) -> None:
    first = train_sentencepiece(small_corpus, vocab_size=300, model_type=model_type, output=tmp_path / "a.model")  # type: ignore[arg-type]
    second = train_sentencepiece(small_corpus, vocab_size=300, model_type=model_type, output=tmp_path / "b.model")  # type: ignore[arg-type]
    assert (tmp_path / "a.model").read_bytes() == (tmp_path / "b.model").read_bytes()
    assert first.encode(SENTENCE) == second.encode(SENTENCE)


def test_the_written_model_loads_with_the_same_ids(small_corpus: Path, tmp_path: Path) -> None:
    trained = train_sentencepiece(small_corpus, vocab_size=300, model_type="bpe", output=tmp_path / "lee.model")
    loaded = SentencePieceTokenizer.from_file(tmp_path / "lee.model")
    assert loaded.encode(SENTENCE) == trained.encode(SENTENCE)


def test_only_the_model_file_is_written(small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    train_sentencepiece(small_corpus, vocab_size=300, output=tmp_path / "out" / "lee.model")
    assert list(cwd.iterdir()) == []
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["lee.model"]


def test_training_is_silent(small_corpus: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    train_sentencepiece(small_corpus, vocab_size=300, output=tmp_path / "lee.model")
    assert capfd.readouterr() == ("", "")


def test_a_vocab_size_too_high_for_the_corpus_gives_the_maximum(small_corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"vocab_size 50000 is too high for .*corpus.txt: this corpus allows at most \d+"
    ):
        train_sentencepiece(small_corpus, vocab_size=50_000, output=tmp_path / "lee.model")
    assert not (tmp_path / "lee.model").exists()


def test_a_vocab_size_smaller_than_the_alphabet_is_an_input_error(small_corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"vocab_size 5 is too small .* at least \d+"):
        train_sentencepiece(small_corpus, vocab_size=5, output=tmp_path / "lee.model")


def test_an_empty_corpus_is_an_input_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="no text to train on"):
        train_sentencepiece(empty, vocab_size=100, output=tmp_path / "e.model")


def test_a_corpus_that_is_not_utf8_names_the_file_and_byte_offset(tmp_path: Path) -> None:
    corpus = tmp_path / "latin1.txt"
    corpus.write_bytes("first line\ncafé\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1.txt is not valid UTF-8: byte 0xE9 at offset 14"):
        train_sentencepiece(corpus, vocab_size=100, output=tmp_path / "l.model")


def test_a_missing_corpus_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a file"):
        train_sentencepiece(tmp_path / "nope.txt", vocab_size=100, output=tmp_path / "n.model")


def test_an_unknown_model_type_is_a_config_error(small_corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unigram, bpe"):
        train_sentencepiece(small_corpus, vocab_size=300, model_type="char", output=tmp_path / "c.model")  # type: ignore[arg-type]
