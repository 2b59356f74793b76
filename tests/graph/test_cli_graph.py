from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from embedrag.words import WordVectors


def test_embed_then_eval_round_trip_through_the_cli(cli: Any, karate_files: tuple[Path, Path], tmp_path: Path) -> None:
    edges, labels = karate_files
    out = tmp_path / "karate.vec"
    done = cli("graph", "embed", str(edges), "-o", str(out), "--dims", "32", "--seed", "1", "--json")
    assert done.code == 0, done.err
    info = json.loads(done.out)
    assert info["nodes"] == 34 and info["edges"] == 78 and info["dims"] == 32 and info["output"] == str(out)
    vectors = WordVectors.load(out)
    assert len(vectors) == 34 and vectors.dims == 32
    scored = cli("graph", "eval", str(out), str(labels), "--json")
    assert scored.code == 0, scored.err
    result = json.loads(scored.out)
    assert result["nodes"] == 34 and result["classes"] == 2 and result["folds"] == 5
    assert result["accuracy"] >= 0.8
    text = cli("graph", "eval", str(out), str(labels), "--folds", "3")
    assert text.code == 0 and text.out.startswith("accuracy ") and "3-fold" in text.out


def test_embed_reports_dropped_self_loops_and_merged_repeats(cli: Any, tmp_path: Path) -> None:
    edges = tmp_path / "small.edges"
    edges.write_text("a b\nb a\nb c\nc c\nc a\n")
    done = cli(
        "graph", "embed", str(edges), "-o", str(tmp_path / "v.bin"), "--dims", "4", "--walks", "2", "--workers", "2"
    )
    assert done.code == 0, done.err
    assert "3 nodes, 3 edges (dropped 1 self-loops, merged 1 repeated edges)" in done.out
    assert WordVectors.load(tmp_path / "v.bin").dims == 4


def test_bad_input_is_one_line_and_exit_code_one(cli: Any, karate_files: tuple[Path, Path], tmp_path: Path) -> None:
    edges = tmp_path / "bad.edges"
    edges.write_text("a b\na b c d\n")
    done = cli("graph", "embed", str(edges), "-o", str(tmp_path / "out.vec"))
    assert done.code == 1 and done.out == ""
    assert done.err.strip().count("\n") == 0 and f"{edges}: line 2:" in done.err
    vectors = tmp_path / "two.vec"
    WordVectors(["0", "1"], [[1.0, 0.0], [0.0, 1.0]]).save(vectors)
    unknown = cli("graph", "eval", str(vectors), str(karate_files[1]))
    assert unknown.code == 1 and "unknown node '2'" in unknown.err
    bad_format = cli("graph", "embed", str(edges), "-o", str(tmp_path / "x"), "--format", "nope")
    assert bad_format.code == 1 and "unknown --format 'nope'" in bad_format.err
