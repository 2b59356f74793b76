"""Training pairs: reading them, and the negatives added to them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedrag.collection import Collection
from embedrag.errors import InputError
from embedrag.train import Pair, hard_negatives, random_negatives, read_pairs
from embedrag.types import Document

TINY = Path(__file__).parents[1] / "eval" / "fixtures" / "tiny"


def test_jsonl_pairs_default_to_positive_and_keep_doc_ids(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    rows = [{"query": "q", "passage": "a", "doc_id": "d1"}, {"query": "q", "passage": "b", "label": 0}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    assert read_pairs(path) == [Pair("q", "a", 1.0, "d1"), Pair("q", "b", 0.0)]


def test_tsv_pairs_skip_a_header_and_take_an_optional_label(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("query\tpassage\tlabel\nq\ta\t1\nq\tb\t0\nr\tc\n", encoding="utf-8")
    assert read_pairs(path) == [Pair("q", "a", 1.0), Pair("q", "b", 0.0), Pair("r", "c", 1.0)]


def test_a_beir_split_gives_one_positive_per_judged_document() -> None:
    pairs = read_pairs(TINY, split="test")
    assert len(pairs) == 8  # 9 judgements, one of grade 0
    cats = [p for p in pairs if p.doc_id == "cats"]
    assert len(cats) == 1 and cats[0].query == "what do cats hunt at night" and "hunt mice" in cats[0].passage
    assert all(p.label == 1.0 and p.doc_id for p in pairs)
    assert not any(p.doc_id == "dogs" for p in pairs)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("p.jsonl", '{"query": "q", "passage": "a"}\n{"query": "q"}\n', "p.jsonl: line 2"),
        ("p.jsonl", '{"query": "q", "passage": "a", "label": 2}\n', "outside [0, 1]"),
        ("p.jsonl", '{"query": "q", "passage": " "}\n', "line 1: empty query or passage"),
        ("p.jsonl", '{"query": 3, "passage": "a"}\n', "must be strings"),
        ("p.tsv", "q\ta\tyes\n", "line 1: label 'yes' is not a number"),
        ("p.tsv", "q\n", "line 1: 1 tab-separated fields"),
        ("p.tsv", "q\ta\t0\n", "no positive pair"),
    ],
)
def test_bad_pairs_files_name_the_line(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_pairs(path)


def test_a_missing_source_or_split_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_pairs(tmp_path / "nope.jsonl")
    with pytest.raises(InputError, match=r"train\.tsv"):
        read_pairs(TINY, split="train")


@pytest.fixture(scope="module")
def tiny_collection(tmp_path_factory: pytest.TempPathFactory) -> Collection:
    """The tiny BEIR corpus in a collection of the small static model."""
    from embedrag.eval.beir import load_beir

    data = load_beir(TINY, split="test")
    col = Collection.open(tmp_path_factory.mktemp("col") / "c", model="tokenlearn-static-64")
    col.add(Document(doc_id, doc.full_text, doc_id) for doc_id, doc in data.corpus.items())
    return col


def test_hard_negatives_are_top_hits_that_are_not_answers(tiny_collection: Collection) -> None:
    pairs = read_pairs(TINY, split="test")
    negatives = hard_negatives(pairs, tiny_collection, per_query=2)
    answers = {(p.query, p.doc_id) for p in pairs}
    assert negatives and all(n.label == 0.0 for n in negatives)
    assert not any((n.query, n.doc_id) in answers for n in negatives)
    by_query: dict[str, list[Pair]] = {}
    for n in negatives:
        by_query.setdefault(n.query, []).append(n)
    assert set(by_query) == {p.query for p in pairs} and all(len(v) == 2 for v in by_query.values())
    # the best non-answer hit comes first, as the search ranked it
    query = "how to bake bread with yeast"
    ranked = [h.doc_id for h in tiny_collection.search(query, k=10) if not h.doc_id.startswith("bread")]
    assert [n.doc_id for n in by_query[query]] == ranked[:2]


def test_a_copy_of_an_answer_is_no_negative_even_without_doc_ids(tiny_collection: Collection) -> None:
    text = "Bake bread with flour, water, salt and yeast for forty minutes."
    negatives = hard_negatives([Pair("bake bread", text, 1.0)], tiny_collection, per_query=9)
    assert len(negatives) == 8  # ten documents, two of them the answer's text
    assert not any(text in n.passage for n in negatives)


def test_with_documents_a_negative_is_a_whole_document_once(tmp_path: Path) -> None:
    docs = {
        f"d{i}": " ".join(f"Sentence {j} of document {i} is about bread and ovens." for j in range(6)) for i in range(5)
    }
    with Collection.open(tmp_path / "c", model="tokenlearn-static-64", chunk_tokens=24, overlap_tokens=0) as col:
        col.add(Document(doc_id, text, doc_id) for doc_id, text in docs.items())
        assert col.stats()["chunks"] > 2 * len(docs)
        pairs = [Pair("bread and ovens", docs["d0"], 1.0, "d0")]
        chunks = hard_negatives(pairs, col, per_query=3)
        whole = hard_negatives(pairs, col, per_query=3, documents=docs)
    assert len(whole) == 3 and all(n.passage == docs[str(n.doc_id)] for n in whole)
    assert len({n.doc_id for n in whole}) == 3 and "d0" not in {n.doc_id for n in whole}
    assert len(chunks) == 3 and not any(n.passage in docs.values() for n in chunks)  # without: chunk texts


def test_random_negatives_come_from_other_queries(tmp_path: Path) -> None:
    pairs = [Pair(f"q{i}", f"passage {i}", 1.0) for i in range(10)]
    negatives = random_negatives(pairs, per_query=3, seed=1)
    assert len(negatives) == 30
    assert all(n.passage != f"passage {n.query[1:]}" and n.label == 0.0 for n in negatives)
    assert negatives == random_negatives(pairs, per_query=3, seed=1)
    with pytest.raises(InputError, match="per_query"):
        random_negatives(pairs, per_query=0)
