"""``embedrag train cross-encoder|embedder`` through the real entry point, on tiny models and the tiny BEIR set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedrag.heads import CrossEncoder

TINY = Path(__file__).parents[1] / "eval" / "fixtures" / "tiny"


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory, tiny_bert_folder) -> Path:  # type: ignore[no-untyped-def]
    return tiny_bert_folder(tmp_path_factory.mktemp("encoder"), "BertModel", max_positions=64)


def test_cross_encoder_from_a_beir_split_with_random_negatives(cli, encoder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "ce"
    args = ("train", "cross-encoder", str(TINY), "--split", "test", "--mine", "random", "--negatives", "2")
    result = cli(*args, "--init", str(encoder), "-o", str(out), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["positives"] == 8 and data["negatives"] == 12 and data["pairs"] == 20  # 6 queries x 2
    assert CrossEncoder(out).score([("cats", "Cats purr.")]).shape == (1,)


def test_embedder_mines_hard_negatives_from_the_corpus_of_a_beir_folder(cli, encoder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "emb"
    result = cli("train", "embedder", str(TINY), "--split", "test", "--init", str(encoder), "-o", str(out))
    assert result.code == 0, result.err
    assert "pairs: 8 positive, 6 negative" in result.out  # one hard negative per query
    assert f"embedrag eval retrieval DATA --model {out}" in result.out
    assert json.loads((out / "embedrag-train.json").read_text())["task"] == "embedder"


def test_hard_negatives_from_a_pairs_file_need_a_collection(cli, encoder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("cats\tCats purr.\n", encoding="utf-8")
    result = cli("train", "cross-encoder", str(pairs), "--init", str(encoder), "-o", str(tmp_path / "ce"))
    assert result.code == 1 and "need --collection" in result.err and len(result.err.strip().splitlines()) == 1
    assert not (tmp_path / "ce").exists()


@pytest.mark.parametrize(
    ("option", "value", "message"), [("--mine", "best", "unknown --mine"), ("--negatives", "-1", "0 or more")]
)
def test_bad_mining_options_are_one_line_errors(
    cli, encoder: Path, tmp_path: Path, option: str, value: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    result = cli("train", "embedder", str(TINY), "--split", "test", option, value, "-o", str(tmp_path / "e"))
    assert result.code == 1 and message in result.err
