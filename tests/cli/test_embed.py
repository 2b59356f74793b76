from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def test_embed_texts_json(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("embed", "A man is eating food.", "A man eats bread.", "--json")
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert payload["model"] == "all-MiniLM-L6-v2"
    assert payload["dims"] == 384
    vectors = np.array([e["embedding"] for e in payload["embeddings"]])
    assert vectors.shape == (2, 384)
    assert float(vectors[0] @ vectors[1]) > 0.5
    assert payload["embeddings"][0]["tokens"] == 8


def test_embed_texts_readable_view_shows_similarity(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("embed", "A cat sits on the mat.", "Stock markets fell sharply today.")
    assert result.code == 0, result.err
    assert "cosine similarity" in result.out
    assert "384 dims" in result.out


def test_embed_file_to_npy(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "first passage"}\n"second passage"\n{"text": "third"}\n', encoding="utf-8")
    out = tmp_path / "out" / "vectors.npy"
    result = cli("embed", "--input", str(source), "--output", str(out), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {"output": str(out), "count": 3, "dims": 384, "truncated": []}
    vectors = np.load(out)
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert [p.name for p in out.parent.iterdir()] == ["vectors.npy"]


def test_invalid_utf8_names_file_and_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "bad.txt"
    source.write_bytes(b"fine line\nbad \xff byte\n")
    result = cli("embed", "--input", str(source), "--output", str(tmp_path / "v.npy"))
    assert result.code == 1
    assert "line 2 is not valid UTF-8: byte 0xFF at offset 14" in result.err
    assert not (tmp_path / "v.npy").exists()


def test_blank_line_is_an_error_not_a_skip(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "gap.txt"
    source.write_text("one\n\nthree\n", encoding="utf-8")
    result = cli("embed", "--input", str(source), "--output", str(tmp_path / "v.npy"))
    assert result.code == 1
    assert "line 2 is empty" in result.err


def test_texts_and_input_are_exclusive(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("embed")
    assert result.code == 1
    assert "either TEXT arguments or --input FILE" in result.err


def test_unknown_model_is_one_line(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("embed", "hello", "--model", "nope")
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1
    assert "model 'nope' not found" in result.err
