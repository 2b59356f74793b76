from __future__ import annotations

import json

from embedrag import __version__


def test_version(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--version")
    assert result.code == 0 and __version__ in result.out


def test_unknown_option_is_one_line_and_exit_1(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("models", "--bogus")
    assert result.code == 1
    assert result.err.strip().splitlines() == ["error: No such option: --bogus"]


def test_models_json_lists_catalogue_with_availability(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("models", "--json")
    assert result.code == 0
    rows = {row["name"]: row for row in json.loads(result.out)["models"]}
    assert rows["all-MiniLM-L6-v2"]["available"] is True
    assert rows["all-MiniLM-L6-v2"]["dims"] == 384
    assert {"sentence", "word", "static", "tokenizer"} <= {r["kind"] for r in rows.values()}


def test_models_install_unknown_name_fails_cleanly(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("models", "install", "no-such-model")
    assert result.code == 1
    assert "not in the catalogue" in result.err
    assert "Traceback" not in result.err
