"""The retrieval runner end to end on the tiny committed set, with the small static model."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedrag.eval import RunSpec, evaluate_retrieval, evaluate_run, load_beir

MODEL = "tokenlearn-static-64"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    cache = tmp_path_factory.mktemp("eval-cache")
    specs = [RunSpec("dense"), RunSpec("bm25"), RunSpec("hybrid"), RunSpec("hybrid", fusion="weighted")]
    return evaluate_retrieval(
        Path(__file__).parent / "fixtures" / "tiny", specs, model=MODEL, chunk_tokens=16, cache=cache
    )


def test_reports_every_measure_for_every_run(report) -> None:  # type: ignore[no-untyped-def]
    assert list(report.results) == ["dense", "bm25", "hybrid", "hybrid/weighted"]
    assert all(
        list(scores) == ["ndcg@10", "recall@10", "recall@100", "mrr@10", "map@100"]
        for scores in report.results.values()
    )
    assert report.queries == 6
    assert report.timing["index_s"] > 0
    assert all(report.timing[f"{label}_ms_per_query"] > 0 for label in report.results)


def test_long_documents_are_chunked_and_ranked_once_by_their_best_chunk(report) -> None:  # type: ignore[no-untyped-def]
    assert report.chunks > report.documents
    for run in report.runs.values():
        for ranking in run.values():
            assert len(ranking) == len(set(ranking))
    assert report.runs["bm25"]["q4"][0] == "volcano"  # "farmers prize volcanic soil": the last chunk


def test_documents_with_the_same_text_are_stored_once_and_ranked_together(report) -> None:  # type: ignore[no-untyped-def]
    assert report.documents == 9  # 10 in the corpus, bread-copy has bread's text
    ranking = report.runs["dense"]["q3"]
    assert ranking.index("bread-copy") == ranking.index("bread") + 1


def test_bm25_misses_a_query_without_shared_words(report) -> None:  # type: ignore[no-untyped-def]
    assert report.runs["bm25"]["q6"] == []  # "sunny vegetables" shares no word with the corpus
    assert report.results["bm25"]["recall@100"] == pytest.approx(5 / 6)
    assert report.results["dense"]["recall@100"] == pytest.approx(1.0)  # dense ranks every document


def test_scores_are_the_metrics_of_the_rankings(report) -> None:  # type: ignore[no-untyped-def]
    qrels = load_beir(Path(__file__).parent / "fixtures" / "tiny").qrels
    for label, run in report.runs.items():
        assert evaluate_run(run, qrels) == report.results[label]


def test_the_collection_is_built_once_and_reused(tiny: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = evaluate_retrieval(tiny, [RunSpec("bm25")], model=MODEL, cache=cache, max_queries=2)
    marker_time = (cache / "embedrag-eval.json").stat().st_mtime_ns
    second = evaluate_retrieval(tiny, [RunSpec("bm25")], model=MODEL, cache=cache, max_queries=2)
    assert (cache / "embedrag-eval.json").stat().st_mtime_ns == marker_time
    assert second.timing["index_s"] == first.timing["index_s"]
    assert second.queries == 2
    assert second.results == first.results


@pytest.mark.filterwarnings("ignore::embedrag.errors.TruncationWarning")  # the tiny model reads 64 tokens
def test_a_reranker_rescores_the_head_of_each_ranking(tiny: Path, tmp_path: Path, tiny_cross_encoder) -> None:  # type: ignore[no-untyped-def]
    folder = tiny_cross_encoder(labels=1)
    report = evaluate_retrieval(tiny, [RunSpec("dense", rerank=str(folder))], model=MODEL, cache=tmp_path / "c")
    label = f"dense+{folder.name}"
    assert list(report.results) == [label]
    assert set(report.runs[label]["q1"]) == set(load_beir(tiny).corpus)  # the tail stays below the head
