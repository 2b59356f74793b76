"""``embedrag ingest --token-vectors``: a collection that keeps token vectors, from the shell."""

from __future__ import annotations

import json
from pathlib import Path


def test_ingest_with_token_vectors_keeps_them_and_a_static_model_is_one_clear_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "cats.txt").write_text("Cats purr and hunt mice at night.\n", encoding="utf-8")
    (corpus / "bread.txt").write_text("Bake bread with flour, water and yeast.\n", encoding="utf-8")
    col = tmp_path / "col"
    assert cli("ingest", str(corpus), "-c", str(col), "--token-vectors", "--json").code == 0
    stats = json.loads(cli("stats", "-c", str(col), "--json").out)
    assert stats["token_vectors"] == "int8" and stats["token_vector_bytes"] > 0
    hits = json.loads(cli("search", "what do cats hunt?", "-c", str(col), "--rerank", "late", "--json").out)
    assert hits[0]["id"] == "cats.txt#0"

    refused = cli("ingest", str(corpus), "-c", str(tmp_path / "s"), "-m", "tokenlearn-static-64", "--token-vectors")
    assert refused.code != 0 and "no contextual token vectors" in refused.err
    assert len(refused.err.strip().splitlines()) == 1
