"""Per-layer vectors from a user's own BERT folder (a tiny random one the test builds)."""

from __future__ import annotations

import shutil
from pathlib import Path

from embedrag.embed.contextual import ContextualEncoder


def test_any_bert_folder_gives_one_vector_set_per_layer(minilm_dir: Path, tmp_path: Path) -> None:
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(hidden_size=32, num_hidden_layers=3, num_attention_heads=2, intermediate_size=64)
    BertModel(config).save_pretrained(tmp_path / "model")
    shutil.copy(minilm_dir / "tokenizer.json", tmp_path / "model" / "tokenizer.json")  # 30,522 pieces, as BERT's
    encoder = ContextualEncoder(str(tmp_path / "model"))
    tokens = encoder.encode("the cat sat")
    assert encoder.num_layers == 3
    assert tokens.pieces == ["the", "cat", "sat"]
    assert tokens.vectors.shape == (4, 3, 32)
