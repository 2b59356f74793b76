"""Masked-word fill-in and next-sentence scoring, on tiny random BERTs the tests build."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import InputError, ModelFormatError
from embedrag.heads import MaskedLM, NextSentence


@pytest.fixture(scope="module")
def mlm_dir(tmp_path_factory: pytest.TempPathFactory, tiny_bert_folder) -> Path:  # type: ignore[no-untyped-def]
    return tiny_bert_folder(tmp_path_factory.mktemp("mlm"), "BertForMaskedLM")


@pytest.fixture(scope="module")
def nsp_dir(tmp_path_factory: pytest.TempPathFactory, tiny_bert_folder) -> Path:  # type: ignore[no-untyped-def]
    return tiny_bert_folder(tmp_path_factory.mktemp("nsp"), "BertForNextSentencePrediction")


@pytest.fixture(scope="module")
def bare_dir(tmp_path_factory: pytest.TempPathFactory, tiny_bert_folder) -> Path:  # type: ignore[no-untyped-def]
    return tiny_bert_folder(tmp_path_factory.mktemp("bare"), "BertModel")


def test_each_mask_gets_a_distribution_that_sums_to_one(mlm_dir: Path) -> None:
    probs = MaskedLM(mlm_dir).distributions("The [MASK] went to the [MASK].")
    assert probs.shape == (2, 30522)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)


def test_fill_matches_the_model_logits(mlm_dir: Path) -> None:
    import torch
    from transformers import AutoTokenizer, BertForMaskedLM

    filled = MaskedLM(mlm_dir).fill("The man went [MASK] the store.", top_k=3)
    tok = AutoTokenizer.from_pretrained(str(mlm_dir))
    model = BertForMaskedLM.from_pretrained(str(mlm_dir)).eval()
    encoded = tok("The man went [MASK] the store.", return_tensors="pt")
    with torch.no_grad():
        logits = model(**encoded).logits[0, 4]
    best = torch.topk(torch.softmax(logits, -1), 3)
    assert len(filled) == 1
    assert [f.token for f in filled[0]] == tok.convert_ids_to_tokens(best.indices.tolist())
    assert [f.probability for f in filled[0]] == pytest.approx(best.values.tolist(), rel=1e-4)


def test_text_without_a_mask_is_refused(mlm_dir: Path) -> None:
    with pytest.raises(InputError, match=r"no \[MASK\] in the text"):
        MaskedLM(mlm_dir).fill("Nothing is missing here.")


@pytest.mark.parametrize("cls", [MaskedLM, NextSentence])
def test_a_model_without_the_head_is_refused(bare_dir: Path, cls: type) -> None:
    with pytest.raises(ModelFormatError, match="head"):
        cls(bare_dir)


def test_next_sentence_is_a_probability_from_label_zero(nsp_dir: Path) -> None:
    import torch
    from transformers import AutoTokenizer, BertForNextSentencePrediction

    score = NextSentence(nsp_dir).score("I went to the shop.", "I bought some milk.")
    tok = AutoTokenizer.from_pretrained(str(nsp_dir))
    model = BertForNextSentencePrediction.from_pretrained(str(nsp_dir)).eval()
    with torch.no_grad():
        logits = model(**tok("I went to the shop.", "I bought some milk.", return_tensors="pt")).logits[0]
    assert 0.0 <= score <= 1.0
    assert score == pytest.approx(float(torch.softmax(logits, -1)[0]), rel=1e-5)


def test_next_sentence_refuses_empty_and_overlong_input(nsp_dir: Path) -> None:
    nsp = NextSentence(nsp_dir)
    with pytest.raises(InputError, match="second sentence is empty"):
        nsp.score("A sentence.", "  ")
    with pytest.raises(InputError, match="the model takes 512"):
        nsp.score("word " * 300, "word " * 300)


def test_cli_fill_and_nsp(cli, mlm_dir: Path, nsp_dir: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("fill", "A [MASK] and a [MASK].", "--model", str(mlm_dir), "--top-k", "2", "--json")
    assert result.code == 0, result.err
    masks = json.loads(result.out)
    assert [len(m) for m in masks] == [2, 2]
    assert masks[0][0]["probability"] >= masks[0][1]["probability"]
    result = cli("nsp", "It rained.", "The streets were wet.", "--model", str(nsp_dir), "--json")
    assert result.code == 0 and 0 <= json.loads(result.out)["is_next"] <= 1
    result = cli("fill", "No mask.", "--model", str(mlm_dir))
    assert result.code == 1 and "no [MASK]" in result.err


def test_the_cli_keeps_transformers_loading_output_off_the_terminal(mlm_dir: Path) -> None:
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("TRANSFORMERS_VERBOSITY", "HF_HUB_DISABLE_PROGRESS_BARS")}
    command = ["fill", "A [MASK].", "--model", str(mlm_dir), "--json"]
    quiet = subprocess.run([sys.executable, "-m", "embedrag", *command], capture_output=True, text=True, env=env)
    assert quiet.returncode == 0 and quiet.stderr == ""
    debug = [sys.executable, "-m", "embedrag", "--debug", *command]
    loud = subprocess.run(debug, capture_output=True, text=True, env=env)
    assert loud.returncode == 0 and "Loading weights" in loud.stderr  # --debug leaves transformers alone
