"""Bad input on the command line is one clear line and exit code 1, never a traceback or a silent "no results".

A command-line argument that is not valid UTF-8 reaches Python as lone surrogates (U+DC80..U+DCFF);
text that is not valid Unicode cannot be tokenized, stored or printed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

STATIC = "tokenlearn-static-64"
LONE = "ab\ud800cd"
BAD_BYTE = "ab\udcedcd"  # what Python makes of the argument bytes b"ab\xedcd"


@pytest.fixture
def small(cli, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A static-model collection of three documents with a numeric ``size`` and a ``date`` in their metadata."""
    corpus = tmp_path / "docs.jsonl"
    rows = [
        {"id": "cats", "text": "Cats purr and hunt mice at night.", "size": 3, "date": "2004-05-01"},
        {"id": "dogs", "text": "Dogs bark at strangers in the park.", "size": 5, "date": "2003-01-01"},
        {"id": "bread", "text": "Bake bread with flour, water and yeast.", "size": 8, "date": "2010-12-31"},
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    collection = tmp_path / "col"
    result = cli(
        "ingest", str(corpus), "-c", str(collection), "--model", STATIC, "--id-field", "id",
        "--metadata-field", "size", "--metadata-field", "date",
    )  # fmt: skip
    assert result.code == 0, result.err
    return collection


def _one_line(result) -> str:  # type: ignore[no-untyped-def]
    assert result.code == 1, (result.out, result.err)
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return str(lines[0])


@pytest.mark.parametrize("text", [LONE, BAD_BYTE], ids=["lone surrogate", "invalid utf-8 byte"])
def test_embed_text_that_is_not_unicode_is_one_line(cli, text: str) -> None:  # type: ignore[no-untyped-def]
    line = _one_line(cli("embed", "fine", text, "--model", STATIC))
    assert "text 1" in line and "position 2" in line and "not valid Unicode" in line, line


@pytest.mark.parametrize("tokenizer", ["bert-base-uncased", "cl100k_base"])
def test_tokenize_text_that_is_not_unicode_is_one_line(cli, tokenizer: str) -> None:  # type: ignore[no-untyped-def]
    line = _one_line(cli("tokenize", LONE, "--tokenizer", tokenizer))
    assert "position 2" in line and "not valid Unicode" in line, line


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_search_query_that_is_not_unicode_is_one_line(cli, small: Path, mode: str) -> None:  # type: ignore[no-untyped-def]
    line = _one_line(cli("search", BAD_BYTE, "-c", str(small), "--mode", mode))
    assert "not valid Unicode" in line, line


def test_ids_and_filters_that_are_not_unicode_are_one_line(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    _one_line(cli("similar", BAD_BYTE, "-c", str(small)))
    _one_line(cli("recommend", "--like", BAD_BYTE, "-c", str(small)))
    _one_line(cli("search", "cats", "-c", str(small), "--filter", f"size={BAD_BYTE}"))


@pytest.mark.parametrize("expression", ["size>>3", "size>=abc", "size=>3", "date>=yesterday"])
def test_a_filter_typo_is_an_error_naming_it_not_no_results(cli, small: Path, expression: str) -> None:  # type: ignore[no-untyped-def]
    line = _one_line(cli("search", "animals", "-c", str(small), "--mode", "bm25", "--filter", expression))
    assert repr(expression) in line, line


def test_numeric_and_date_filters_still_select(cli, small: Path) -> None:  # type: ignore[no-untyped-def]
    def ids(*filters: str) -> list[str]:
        args = [a for f in filters for a in ("--filter", f)]
        result = cli("search", "cats dogs bread", "-c", str(small), "--mode", "dense", "--json", *args)
        assert result.code == 0, result.err
        return sorted(h["id"].split("#")[0] for h in json.loads(result.out))

    assert ids("size>3") == ["bread", "dogs"]
    assert ids("date>=2004-01-01") == ["bread", "cats"]
    assert ids("date>=2004-01-01", "date<2005-01") == ["cats"]
