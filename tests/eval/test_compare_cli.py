"""``embedrag eval retrieval --compare`` through the real CLI, on the tiny committed set."""

from __future__ import annotations

import json
from pathlib import Path

MODEL = "tokenlearn-static-64"
TINY = Path(__file__).parent / "fixtures" / "tiny"


def test_compare_prints_each_setting_against_the_first(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = f"hybrid@{MODEL},bm25@{MODEL}"
    chart = tmp_path / "compare.png"
    args = ("eval", "retrieval", str(TINY), "--compare", settings, "--compare", f"dense@{MODEL}")
    result = cli(*args, "--cache", str(tmp_path / "c"), "--chunk-tokens", "16", "--json", "--plot", str(chart))
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert list(report["results"]) == [f"hybrid@{MODEL}", f"bm25@{MODEL}", f"dense@{MODEL}"]
    assert report["tests"][f"bm25@{MODEL}"]["ndcg@10"]["verdict"] == "tie"
    assert chart.read_bytes()[:4] == b"\x89PNG"
    table = cli(*args, "--cache", str(tmp_path / "c"), "--chunk-tokens", "16")
    assert table.code == 0 and "against hybrid@" in table.out and "p=" in table.out


def test_compare_refuses_the_single_run_options_and_bad_settings(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    both = cli("eval", "retrieval", str(TINY), "--compare", "hybrid,dense", "--mode", "bm25")
    assert both.code == 1 and "--compare names each setting itself" in both.err
    bad = cli("eval", "retrieval", str(TINY), "--compare", "hybrid,semantic", "--cache", str(tmp_path))
    assert bad.code == 1 and "unknown mode 'semantic'" in bad.err
