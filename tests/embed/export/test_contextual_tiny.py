"""Per-layer vectors from a user's own BERT folder (a tiny random one the test builds)."""

from __future__ import annotations

from pathlib import Path

from embedrag.embed.contextual import ContextualEncoder


def test_any_bert_folder_gives_one_vector_set_per_layer(tiny_bert_folder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = tiny_bert_folder(tmp_path / "model", "BertModel", num_hidden_layers=3)
    encoder = ContextualEncoder(str(model))
    tokens = encoder.encode("the cat sat")
    assert encoder.num_layers == 3
    assert tokens.pieces == ["the", "cat", "sat"]
    assert tokens.vectors.shape == (4, 3, 32)
