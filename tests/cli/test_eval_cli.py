"""``embedrag eval``, ``datasets`` and ``plot`` through the real entry point."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

TINY = Path(__file__).parent.parent / "eval" / "fixtures" / "tiny"
MODEL = "tokenlearn-static-64"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TINY, tmp_path / "tiny"))


def test_eval_retrieval_json_has_results_per_mode_and_timing(cli, tiny: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("eval", "retrieval", str(tiny), "-m", MODEL, "--cache", str(tmp_path / "c"), "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["dataset"] == "tiny"
    assert list(report["results"]) == ["dense", "bm25", "hybrid"]
    assert set(report["results"]["bm25"]) == {"ndcg@10", "recall@10", "recall@100", "mrr@10", "map@100"}
    assert report["results"]["bm25"]["recall@100"] == pytest.approx(5 / 6, abs=1e-6)
    assert {"index_s", "dense_ms_per_query", "bm25_ms_per_query", "hybrid_ms_per_query"} <= set(report["timing"])


def test_eval_retrieval_table_and_chart(cli, tiny: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chart = tmp_path / "chart.png"
    result = cli(
        "eval", "retrieval", str(tiny), "-m", MODEL, "--cache", str(tmp_path / "c"), "--mode", "bm25,dense",
        "--fusion", "weighted", "--plot", str(chart),
    )  # fmt: skip
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert any(line.startswith("│ bm25 ") and "0.8333" in line for line in lines)
    assert "6 queries, 9 documents" in result.out
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "sparse"], "error: unknown mode 'sparse'; choose dense, bm25, hybrid or all"),
        (["--split", "dev"], "qrels/dev.tsv: no such file"),
        (["--max-queries", "0"], "error: --max-queries must be at least 1"),
    ],
)
def test_eval_retrieval_errors_are_one_line(cli, tiny: Path, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("eval", "retrieval", str(tiny), "-m", MODEL, *args)
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1 and message in result.err


def test_eval_retrieval_names_the_bad_line(cli, tiny: Path) -> None:  # type: ignore[no-untyped-def]
    (tiny / "queries.jsonl").write_text('{"_id": "q1", "text": "ok"}\n{"_id": "q2"\n')
    result = cli("eval", "retrieval", str(tiny), "-m", MODEL)
    assert result.code == 1
    assert "queries.jsonl: line 2: not valid JSON" in result.err


def test_eval_words_sorts_files_into_similarity_and_analogies(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vectors = tmp_path / "v.txt"
    vectors.write_text("4 2\nking 1 0.1\nqueen 0.9 0.3\nman 0.2 1\nwoman 0.1 1.2\n")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("# word pairs\nking\tqueen\t9\nking\tman\t3\nman\twoman\t8\nking\tdragon\t1\n")
    analogies = tmp_path / "analogies.txt"
    analogies.write_text(": royalty\nman king woman queen\nman woman king queen\n")
    result = cli("eval", "words", str(pairs), str(analogies), "--vectors", str(vectors), "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert [s["pairs"] for s in report["similarity"]] == [3] and report["similarity"][0]["oov"] == 1
    assert report["analogy"][0]["questions"] == 2


def test_datasets_list_and_prepare(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    listed = json.loads(cli("datasets", "list", "--json").out)["datasets"]
    names = ["bbc-news", "python-docs", "python-code", "wordnet", "man-pages", "word-sets"]
    assert [d["name"] for d in listed] == names
    assert all(d["available"] for d in listed if d["name"] not in {"wordnet", "man-pages"})  # those two: apt-get
    result = cli("datasets", "prepare", "bbc-news", "-o", str(tmp_path / "bbc"))
    assert result.code == 0, result.err
    assert "2,092 documents" in result.out and (tmp_path / "bbc" / "qrels" / "test.tsv").is_file()
    assert cli("datasets", "prepare", "nope", "-o", str(tmp_path)).code == 1


def test_plot_writes_a_map_of_a_collection(cli, tiny: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "c"
    assert cli("eval", "retrieval", str(tiny), "-m", MODEL, "--cache", str(cache), "--mode", "bm25").code == 0
    page = tmp_path / "map.html"
    result = cli("plot", "-c", str(cache), "-o", str(page), "--color-by", "nothing")
    assert result.code == 0, result.err
    assert "9 chunks, 1 colours by nothing" in result.out
    assert page.read_text().count("<circle") == 9
    assert cli("plot", "-c", str(cache), "-o", str(tmp_path / "m.png"), "--method", "tsne").code == 1


def test_the_report_says_which_queries_it_scored_and_which_judged_documents_are_missing(
    cli, tiny: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # A query judged only 0 is left out of the averages, and a judged document missing from the corpus
    # counts as a miss: the report said "6 queries" and nothing of either.
    qrels = tiny / "qrels" / "test.tsv"
    qrels.write_text(qrels.read_text().replace("q6\tgarden\t1", "q6\tgarden\t0") + "q5\tnot-in-the-corpus\t1\n")
    command = ["eval", "retrieval", str(tiny), "-m", MODEL, "--cache", str(tmp_path / "c"), "--mode", "bm25"]
    result = cli(*command)
    assert result.code == 0, result.err
    assert "6 queries (5 with a relevant document, the ones scored), 9 documents" in result.out
    assert "1 judged document is not in the corpus: it counts as a miss" in result.err
    report = json.loads(cli(*command, "--json").out)
    assert (report["queries"], report["scored_queries"], report["unknown_documents"]) == (6, 5, 1)
