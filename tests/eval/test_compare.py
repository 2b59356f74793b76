"""Several settings on the tiny set in one run, each tested against the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedrag.errors import InputError
from embedrag.eval.compare import Comparison, compare_retrieval, parse_setting

MODEL = "tokenlearn-static-64"
TINY = Path(__file__).parent / "fixtures" / "tiny"


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    settings = [parse_setting(f"{text}@{MODEL}") for text in ("hybrid", "bm25", "hybrid/rrf")]
    return compare_retrieval(TINY, settings, chunk_tokens=16, cache=tmp_path_factory.mktemp("c"), rounds=500)


def test_settings_are_written_mode_fusion_rerank_model() -> None:
    setting = parse_setting("hybrid/rrf+late@my-model")
    assert (setting.spec.mode, setting.spec.fusion, setting.spec.rerank, setting.model) == (
        "hybrid",
        "rrf",
        "late",
        "my-model",
    )
    assert parse_setting("dense").label == "dense" and parse_setting("dense").model is None
    with pytest.raises(InputError, match="unknown mode 'semantic'"):
        parse_setting("semantic")
    with pytest.raises(InputError, match="only hybrid takes a fusion"):
        parse_setting("dense/rrf")


def test_every_setting_is_scored_and_each_but_the_first_is_tested(comparison: Comparison) -> None:
    labels = [f"hybrid@{MODEL}", f"bm25@{MODEL}", f"hybrid/rrf@{MODEL}"]
    assert list(comparison.results) == labels and comparison.baseline == labels[0] and comparison.queries == 6
    assert list(comparison.tests) == labels[1:]
    for label in labels[1:]:
        for measure, test in comparison.tests[label].items():
            assert test.delta == pytest.approx(
                comparison.results[label][measure] - comparison.results[labels[0]][measure]
            )
            assert 0 < test.p_value <= 1
            assert test.verdict == "tie"  # six queries cannot make a difference significant
    shape = comparison.as_dict()
    assert shape["tests"][labels[1]]["ndcg@10"]["verdict"] == "tie" and shape["test"]["rounds"] == 500


def test_one_setting_or_a_repeated_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least two settings"):
        compare_retrieval(TINY, [parse_setting("bm25")], cache=tmp_path)
    with pytest.raises(InputError, match="named twice"):
        compare_retrieval(TINY, [parse_setting("bm25"), parse_setting("bm25")], cache=tmp_path)
    with pytest.raises(InputError, match="--cache holds one collection"):
        compare_retrieval(TINY, [parse_setting("bm25@a"), parse_setting("bm25@b")], cache=tmp_path)


def test_the_chart_is_drawn(comparison: Comparison, tmp_path: Path) -> None:
    from embedrag.plot.compare import plot_comparison

    out = plot_comparison(comparison, tmp_path / "compare.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
