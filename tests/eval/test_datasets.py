"""Data sets made offline, in the BEIR layout the reader accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedrag.errors import InputError
from embedrag.eval import load_beir
from embedrag.eval.datasets import DATASETS, prepare


@pytest.fixture(scope="module")
def bbc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bbc")
    prepare("bbc-news", out)
    return out


def test_bbc_news_stores_each_text_once_and_asks_for_it_by_headline(bbc: Path) -> None:
    test = load_beir(bbc, split="test")
    assert len(test.corpus) == 2092  # 2,225 articles, 98 exact copies, 35 more copies under another headline
    assert len({doc.text for doc in test.corpus.values()}) == len(test.corpus)
    assert test.corpus["business/001"].metadata == {"category": "business"}
    assert not test.corpus["business/001"].text.startswith(
        "Ad sales boost Time Warner profit"
    )  # the headline is the query
    assert test.queries["q0"] == "Ad sales boost Time Warner profit"
    assert test.qrels["q0"] == {"business/001": 1}
    assert test.unknown_documents == 0


def test_bbc_news_reworded_headlines_of_one_text_both_ask_for_it(bbc: Path) -> None:
    queries = {json.loads(line)["text"]: json.loads(line)["_id"] for line in (bbc / "queries.jsonl").open()}
    both = {queries["Slim PlayStation triples sales"], queries["Slimmer PlayStation triple sales"]}
    assert len(both) == 2
    assert "tech/178" not in load_beir(bbc, split="test").corpus  # stored once, as tech/130


def test_train_dev_and_test_splits_share_no_query_and_cover_all(bbc: Path) -> None:
    splits = {split: set(load_beir(bbc, split=split).queries) for split in ("train", "dev", "test")}
    assert len(splits["test"]) == 524 and len(splits["dev"]) == 262 and len(splits["train"]) == 1310
    assert not splits["dev"] & splits["test"] and not splits["train"] & (splits["dev"] | splits["test"])
    assert sum(map(len, splits.values())) == sum(1 for _ in (bbc / "queries.jsonl").open())
    counts = json.loads((bbc / "embedrag-dataset.json").read_text())["counts"]
    assert counts["test queries"] == 524 and counts["train queries"] == 1310


def test_python_docs_asks_for_a_function_by_its_docstring_summary(tmp_path: Path) -> None:
    counts = prepare("python-docs", tmp_path)
    data = load_beir(tmp_path)
    assert counts["documents"] == len(data.corpus) > 500
    assert all("." in doc_id and doc.title == doc_id for doc_id, doc in data.corpus.items())
    query_id, judged = next(iter(data.qrels.items()))
    assert data.queries[query_id] not in data.corpus[next(iter(judged))].text  # the summary is the query, not the text


def test_word_sets_are_copied_for_eval_words(tmp_path: Path) -> None:
    counts = prepare("word-sets", tmp_path)
    assert counts == {"wordsim353.tsv": 353, "simlex999.txt": 999, "questions-words.txt": 19544}
    assert (tmp_path / "questions-words.txt").read_text().startswith(": capital-common-countries")


def test_every_data_set_says_where_it_comes_from() -> None:
    assert set(DATASETS) == {"bbc-news", "python-docs", "python-code", "wordnet", "man-pages", "word-sets"}
    assert all(d.source and d.license and d.description for d in DATASETS.values())


def test_unknown_names_are_refused() -> None:
    with pytest.raises(InputError, match="unknown data set 'nope'; choose one of bbc-news"):
        prepare("nope", "x")
