"""Training a masked-LM head: on a tiny random BERT, with a tiny corpus, in seconds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import InputError, ModelFormatError
from embedrag.heads import MaskedLM
from embedrag.train.mlm import train_mlm

LINES = [
    "the cat sat on the mat",
    "the dog sat on the rug",
    "a bird sang in the tree",
    "the cat chased the mouse",
    "a dog barked at the cat",
] * 12


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory: pytest.TempPathFactory, tiny_bert_folder) -> Path:  # type: ignore[no-untyped-def]
    """A tiny random encoder without any head, with BERT's 30,522-piece tokenizer."""
    return tiny_bert_folder(tmp_path_factory.mktemp("encoder"), "BertModel")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def test_training_lowers_the_loss_and_saves_a_fill_model(encoder_dir: Path, corpus: Path, tmp_path: Path) -> None:
    steps: list[int] = []
    report = train_mlm(
        corpus,
        init=encoder_dir,
        output=tmp_path / "out",
        steps=40,
        batch_size=8,
        progress=lambda s, n, loss: steps.append(s),
    )
    assert steps == list(range(1, 41))
    assert report.last_loss < report.first_loss
    assert (report.train_lines, report.held_out_lines) == (54, 6)
    assert 0 <= report.top5_accuracy <= 1 and 0 <= report.baseline_top5_accuracy <= 1
    filled = MaskedLM(tmp_path / "out").fill("the cat sat on the [MASK]")
    assert len(filled) == 1 and len(filled[0]) == 5


def test_with_no_top_layers_the_encoder_is_left_as_it_was(encoder_dir: Path, corpus: Path, tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    report = train_mlm(corpus, init=encoder_dir, output=tmp_path / "out", steps=3, batch_size=4, top_layers=0)
    assert report.top_layers == 0
    before, after = load_file(encoder_dir / "model.safetensors"), load_file(tmp_path / "out" / "model.safetensors")
    weight = "embeddings.word_embeddings.weight"
    assert (after[f"bert.{weight}"] == before[weight]).all()
    assert any(name.startswith("cls.predictions") for name in after)


def test_by_default_every_encoder_layer_trains_but_not_the_word_embeddings(
    encoder_dir: Path, corpus: Path, tmp_path: Path
) -> None:
    from safetensors.numpy import load_file

    report = train_mlm(corpus, init=encoder_dir, output=tmp_path / "out", steps=3, batch_size=4)
    assert report.top_layers == 2
    before, after = load_file(encoder_dir / "model.safetensors"), load_file(tmp_path / "out" / "model.safetensors")
    for layer in (0, 1):
        weight = f"encoder.layer.{layer}.output.dense.weight"
        assert not np.allclose(after[f"bert.{weight}"], before[weight])
    word = "embeddings.word_embeddings.weight"
    assert (after[f"bert.{word}"] == before[word]).all()


def test_top_layers_train_only_the_top_of_the_encoder(encoder_dir: Path, corpus: Path, tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    train_mlm(corpus, init=encoder_dir, output=tmp_path / "out", steps=3, batch_size=4, top_layers=1)
    before, after = load_file(encoder_dir / "model.safetensors"), load_file(tmp_path / "out" / "model.safetensors")
    top, below = "encoder.layer.1.output.dense.weight", "encoder.layer.0.output.dense.weight"  # 2 layers
    assert not np.allclose(after[f"bert.{top}"], before[top])
    assert (after[f"bert.{below}"] == before[below]).all()
    word = "embeddings.word_embeddings.weight"
    assert (after[f"bert.{word}"] == before[word]).all()
    with pytest.raises(InputError, match="the encoder has 2 layers"):
        train_mlm(corpus, init=encoder_dir, output=tmp_path / "x", steps=1, top_layers=3)


def test_a_new_head_starts_at_word_frequency(encoder_dir: Path, corpus: Path, tmp_path: Path) -> None:
    from safetensors.numpy import load_file
    from transformers import AutoTokenizer

    train_mlm(corpus, init=encoder_dir, output=tmp_path / "out", steps=1, batch_size=2)
    bias = load_file(tmp_path / "out" / "model.safetensors")["cls.predictions.bias"]
    the, cat, bird, unseen = AutoTokenizer.from_pretrained(encoder_dir).convert_tokens_to_ids(
        ["the", "cat", "bird", "zebra"]
    )
    assert bias[the] > bias[cat] > bias[bird] > bias[unseen]  # 'the' is the most frequent piece, 'zebra' never occurs
    assert int(bias.argmax()) == the


def test_the_loss_at_masked_positions_is_the_models_own_loss(encoder_dir: Path) -> None:
    import torch
    from transformers import AutoTokenizer, BertForMaskedLM

    from embedrag.train.mlm import _masked_batch, _masked_loss

    tokenizer, model = AutoTokenizer.from_pretrained(encoder_dir), BertForMaskedLM.from_pretrained(encoder_dir).eval()
    pieces = [tokenizer(line, add_special_tokens=False)["input_ids"] for line in LINES[:6]]
    ids, labels, attention = _masked_batch(pieces, tokenizer, np.random.default_rng(3))
    with torch.no_grad():
        expected = model(input_ids=ids, attention_mask=attention, labels=labels).loss
        assert torch.isclose(_masked_loss(model, ids, labels, attention), expected, atol=1e-5)


def test_a_batch_always_has_a_target(encoder_dir: Path) -> None:
    from transformers import AutoTokenizer

    from embedrag.train.mlm import _masked_batch

    tokenizer = AutoTokenizer.from_pretrained(encoder_dir)
    for seed in range(50):  # one piece per line: most draws of 15% pick nothing
        _, labels, _ = _masked_batch([[1037], [2003]], tokenizer, np.random.default_rng(seed))
        assert (labels != -100).sum() >= 1


def test_a_non_bert_encoder_is_refused(tmp_path: Path, corpus: Path, minilm_dir: str) -> None:
    import shutil

    import transformers

    config = transformers.DistilBertConfig(dim=32, n_layers=1, n_heads=2, hidden_dim=64)
    transformers.DistilBertForMaskedLM(config).save_pretrained(tmp_path / "distil")
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if (Path(minilm_dir) / name).exists():
            shutil.copy(Path(minilm_dir) / name, tmp_path / "distil" / name)
    with pytest.raises(ModelFormatError, match="needs a BERT-style encoder; this is a DistilBertForMaskedLM"):
        train_mlm(corpus, init=tmp_path / "distil", output=tmp_path / "out", steps=1)
    assert not (tmp_path / "out").exists()


def test_a_used_output_folder_is_refused_before_training(encoder_dir: Path, corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not an empty folder"):
        train_mlm(corpus, init=encoder_dir, output=tmp_path / "out", steps=1)
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"


def test_a_tiny_corpus_is_refused(encoder_dir: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_text("one line\n\nanother\n")
    with pytest.raises(InputError, match="at least 10"):
        train_mlm(small, init=encoder_dir, output=tmp_path / "out", steps=1)


def test_cli_train_mlm_reports_json(cli, encoder_dir: Path, corpus: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = cli("train", "mlm", str(corpus), "--init", str(encoder_dir), "-o", str(out), "--steps", "2", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["steps"] == 2 and data["output"] == str(out) and (out / "config.json").exists()
    assert data["top_layers"] == 2  # every layer of the tiny encoder, by default
