"""What the library warns about (a query cut to the model's limit) is one clear note on stderr, not a raw warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

LONG_QUERY = "the committee discussed the budget again " * 2800  # ~114 KB, ~17,000 word pieces


@pytest.fixture(scope="module")
def minilm_collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from embedrag.cli.app import main

    root = tmp_path_factory.mktemp("notes")
    (root / "docs").mkdir()
    (root / "docs" / "budget.txt").write_text("The committee met to discuss the budget.\n", encoding="utf-8")
    (root / "docs" / "cats.txt").write_text("Cats purr and hunt mice at night.\n", encoding="utf-8")
    assert main(["ingest", str(root / "docs"), "-c", str(root / "col")]) == 0  # all-MiniLM-L6-v2: 256 pieces
    return root / "col"


def _note(err: str) -> str:
    assert "Warning" not in err and "warnings.warn" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("note: "), err
    return lines[0]


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_a_query_over_the_model_limit_is_one_note_and_the_results(cli, minilm_collection: Path, mode: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", LONG_QUERY, "-c", str(minilm_collection), "--mode", mode, "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)[0]["id"] == "budget.txt#0"
    note = _note(result.err)
    assert "word pieces; all-MiniLM-L6-v2 read the first 256 for dense search" in note, note


def test_ask_says_it_too(cli, minilm_collection: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("ask", LONG_QUERY, "-c", str(minilm_collection), "--mode", "dense", "--budget", "40000", "--json")
    assert result.code == 0, result.err
    _note(result.err)


def test_a_query_within_the_limit_says_nothing(cli, minilm_collection: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "the budget", "-c", str(minilm_collection), "--json")
    assert result.code == 0 and result.err == "", result.err
