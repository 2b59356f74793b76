"""The BEIR reader: plain and gzip files, and errors that name the file and line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from embedrag.errors import InputError
from embedrag.eval import load_beir


def test_reads_corpus_queries_and_the_judged_queries_of_a_split(tiny: Path) -> None:
    data = load_beir(tiny)
    assert data.name == "tiny"
    assert len(data.corpus) == 10
    assert data.corpus["cats"].full_text == "Cats\n\nCats purr, sleep most of the day and hunt mice at night."
    assert data.corpus["stocks"].full_text.startswith("Stock markets")  # no title: just the text
    assert sorted(data.queries) == ["q1", "q2", "q3", "q4", "q5", "q6"]  # q7 has no judgement
    assert data.qrels["q1"] == {"cats": 2, "dogs": 0}
    assert data.unknown_documents == 0


def test_reads_gzip_files(tiny: Path) -> None:
    for name in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv"):
        path = tiny / name
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
    assert load_beir(tiny).qrels == load_beir(Path(__file__).parent / "fixtures" / "tiny").qrels


def test_integer_ids_are_read_as_strings(tmp_path: Path) -> None:
    (tmp_path / "qrels").mkdir()
    (tmp_path / "corpus.jsonl").write_text('{"_id": 7, "text": "seven"}\n')
    (tmp_path / "queries.jsonl").write_text('{"_id": 1, "text": "number seven"}\n')
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\t7\t1\n")
    data = load_beir(tmp_path)
    assert data.corpus["7"].text == "seven"
    assert data.queries == {"1": "number seven"}


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("corpus.jsonl", '{"_id": "a", "text": "x"}\n{"_id": "b", "text": \n', "corpus.jsonl: line 2: not valid JSON"),
        ("corpus.jsonl", '{"_id": "a", "text": 5}\n', "corpus.jsonl: line 1: 'text' must be a string"),
        ("corpus.jsonl", '{"text": "x"}\n', "corpus.jsonl: line 1: '_id' must be a string"),
        ("corpus.jsonl", '{"_id": "a", "text": "x"}\n{"_id": "a", "text": "y"}\n', "line 2: _id 'a' appears twice"),
        ("corpus.jsonl", "[1, 2]\n", "corpus.jsonl: line 1: expected a JSON object"),
        ("queries.jsonl", '{"_id": "q1"}\n', "queries.jsonl: line 1: 'text' must be a string"),
        ("qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\tcats\n", "test.tsv: line 2: expected 'query-id<TAB>"),
        ("qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\tcats\thigh\n", "test.tsv: line 2: score 'high'"),
        ("qrels/test.tsv", "q9\tcats\t1\n", "test.tsv: query id 'q9' is not in"),
    ],
)
def test_bad_files_name_the_file_and_line(tiny: Path, file: str, content: str, message: str) -> None:
    (tiny / file).write_text(content)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_beir(tiny)


def test_a_pair_judged_twice_names_both_lines(tiny: Path) -> None:
    # The second grade silently replaced the first: the pair counted as not relevant.
    (tiny / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\tcats\t2\nq2\trates\t1\nq1\tcats\t0\n")
    with pytest.raises(InputError, match=r"test.tsv: line 4: query 'q1' judges document 'cats' again \(line 2\)"):
        load_beir(tiny)


def test_qrels_whose_relevant_documents_are_all_missing_from_the_corpus_are_refused(tiny: Path) -> None:
    # Ids of another corpus (or another spelling) scored 0.0 on every measure, without a word.
    (tiny / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\tdoc-7\t1\nq2\tcats\t0\n")
    with pytest.raises(InputError, match=r"test.tsv: none of the 1 documents judged relevant is in .*corpus.jsonl"):
        load_beir(tiny)
    (tiny / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\tdoc-7\t1\nq2\tcats\t1\n")
    assert load_beir(tiny).unknown_documents == 1  # one found: the other counts as a miss


def test_invalid_utf8_and_broken_gzip_are_named(tiny: Path) -> None:
    (tiny / "queries.jsonl").write_bytes(b'{"_id": "q1", "text": "caf\xe9"}\n')
    with pytest.raises(InputError, match=r"queries.jsonl: line 1: not valid UTF-8"):
        load_beir(tiny)
    (tiny / "corpus.jsonl").unlink()
    (tiny / "corpus.jsonl.gz").write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match=r"corpus.jsonl.gz: cannot read"):
        load_beir(tiny)


def test_missing_files_and_splits_say_what_is_missing(tiny: Path) -> None:
    with pytest.raises(InputError, match=r"qrels/dev.tsv: no such file"):
        load_beir(tiny, split="dev")
    with pytest.raises(InputError, match="not a folder"):
        load_beir(tiny / "nope")
