from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from embedrag.cli import tokenize as tokenize_cli
from embedrag.tokenize import DEFAULT_TOKENIZER


def test_json_has_exactly_tokenizer_tokens_ids_and_count(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("tokenize", "hello world", "--tokenizer", "cl100k_base", "--json")
    assert result.code == 0
    assert json.loads(result.out) == {
        "tokenizer": "cl100k_base",
        "tokens": ["hello", " world"],
        "ids": [15339, 1917],
        "count": 2,
    }


def test_the_default_tokenizer_is_the_embedding_models(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("tokenize", "The man went to the store", "--json")
    payload = json.loads(result.out)
    assert payload["tokenizer"] == DEFAULT_TOKENIZER == "bert-base-uncased"
    assert payload["ids"] == [101, 1996, 2158, 2253, 2000, 1996, 3573, 102]


def test_the_show_command_can_be_named(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("tokenize", "show", "list", "-t", "cl100k", "--json")
    assert json.loads(result.out)["tokens"] == ["list"]


def test_the_view_shows_pieces_ids_and_counts(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("tokenize", "hello world 🤖", "-t", "cl100k")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "cl100k_base  5 tokens  13 characters  vocabulary 100,277"
    assert lines[1] == "hello│ world│ <0xF0><0x9F>│<0xA4>│<0x96>"
    assert lines[2] == "15339 1917 11410 97 244"


def test_line_breaks_in_pieces_are_visible(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("tokenize", "a\tb\nc", "-t", "cl100k")
    assert "→" in result.out and "↵" in result.out


def test_file_text_is_tokenized(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "doc.txt"
    path.write_text("hello world", encoding="utf-8")
    result = cli("tokenize", "--file", str(path), "-t", "cl100k", "--json")
    assert json.loads(result.out)["ids"] == [15339, 1917]


def test_stdin_text_is_tokenized(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"hello world")))
    result = cli("tokenize", "-f", "-", "-t", "cl100k", "--json")
    assert json.loads(result.out)["count"] == 2


def test_a_file_that_is_not_utf8_is_one_error_line_with_the_byte_offset(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "latin1.txt"
    path.write_bytes("café".encode("latin-1"))
    result = cli("tokenize", "--file", str(path))
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        f"error: {path} is not valid UTF-8: byte 0xE9 at offset 3 (unexpected end of data)"
    ]


def test_a_missing_file_is_a_user_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("tokenize", "--file", str(tmp_path / "nope.txt"))
    assert result.code == 1
    assert "cannot read" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("args", [(), ("text", "--file", "x.txt")])
def test_exactly_one_of_text_and_file_is_required(cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = cli("tokenize", *args)
    assert result.code == 1
    assert "TEXT" in result.err


def test_an_unknown_tokenizer_is_one_line_listing_the_known_ones(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("tokenize", "hi", "-t", "gpt-17")
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1
    assert "cl100k_base" in result.err


def test_list_json_names_the_catalogue_tokenizers(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("tokenize", "list", "--json")
    rows = {row["name"]: row for row in json.loads(result.out)["tokenizers"]}
    assert {"bert-base-uncased", "cl100k_base", "o200k_base", "all-MiniLM-L6-v2"} <= set(rows)
    assert rows["cl100k_base"]["available"] is True
    assert rows["cl100k_base"]["aliases"] == ["cl100k", "gpt-4"]


def test_list_table_shows_the_names(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("tokenize", "list")
    assert result.code == 0 and "o200k_base" in result.out


def test_train_writes_a_model_that_tokenize_can_use(cli, small_corpus: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "my.model"
    result = cli("tokenize", "train", str(small_corpus), "--vocab-size", "300", "-o", str(out), "--json")
    assert result.code == 0
    assert json.loads(result.out) == {
        "model": str(out),
        "model_type": "unigram",
        "vocab_size": 300,
        "corpus": str(small_corpus),
    }
    shown = cli("tokenize", "the store", "-t", str(out), "--json")
    assert json.loads(shown.out)["tokenizer"] == str(out)


def test_train_says_where_it_wrote_the_model(cli, small_corpus: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "my.model"
    result = cli("tokenize", "train", str(small_corpus), "-n", "300", "-o", str(out), "--model-type", "bpe")
    assert result.code == 0
    assert f"wrote {out}: bpe SentencePiece, 300 pieces" in result.out


def test_train_defaults_to_a_model_named_after_the_corpus_in_the_current_folder(  # type: ignore[no-untyped-def]
    cli, small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("tokenize", "train", str(small_corpus), "-n", "300").code == 0
    assert (tmp_path / "corpus.model").is_file()


def test_train_with_too_large_a_vocabulary_fails_with_the_maximum(cli, small_corpus: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("tokenize", "train", str(small_corpus), "-n", "50000", "-o", str(tmp_path / "x.model"))
    assert result.code == 1
    assert "at most" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("command", [tokenize_cli.show, tokenize_cli.list_tokenizers, tokenize_cli.train])
def test_every_command_documents_an_example(command) -> None:  # type: ignore[no-untyped-def]
    assert "Example: embedrag tokenize" in (command.__doc__ or "")
