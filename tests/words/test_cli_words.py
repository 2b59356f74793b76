from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from embedrag.words import WordVectors

Cli = Any
GensimFile = Callable[[str], Path]


def test_similar_prints_the_results_json_shape(cli: Cli, shared_glove: WordVectors) -> None:
    result = cli("words", "similar", "frog", "--top-k", "3", "--json")
    assert result.code == 0
    rows = json.loads(result.out)["results"]
    assert [r["word"] for r in rows] == ["snake", "ape", "toad"]
    assert set(rows[0]) == {"word", "score"} and isinstance(rows[0]["score"], float)


def test_similar_is_the_default_command_and_prints_a_table(cli: Cli, shared_glove: WordVectors) -> None:
    result = cli("words", "frog", "-k", "2")
    assert result.code == 0 and "snake" in result.out and "0.8445" in result.out


def test_analogy_short_form(cli: Cli, shared_glove: WordVectors) -> None:
    result = cli("words", "analogy", "king - man + woman", "--top-k", "3", "--json")
    assert result.code == 0
    rows = json.loads(result.out)["results"]
    assert [r["word"] for r in rows] == ["queen", "throne", "prince"]
    assert round(rows[0]["score"], 4) == 0.8524


def test_analogy_with_several_words_per_option_and_3cosmul(cli: Cli, shared_glove: WordVectors) -> None:
    result = cli("words", "analogy", "--positive", "king", "woman", "--negative", "man", "--method", "mul", "--json")
    assert result.code == 0
    assert json.loads(result.out)["results"][0]["word"] == "queen"


def test_analogy_help_documents_the_short_form(cli: Cli) -> None:
    result = cli("words", "analogy", "--help")
    assert result.code == 0 and "king - man + woman" in result.out and "Example:" in result.out


def test_unknown_word_is_one_red_line_and_exit_1(cli: Cli, shared_glove: WordVectors) -> None:
    result = cli("words", "similar", "xyzzyq")
    assert result.code == 1
    assert result.err.strip().splitlines() == ["error: not in the vocabulary of glove-6B-50d: 'xyzzyq'"]


def test_bad_analogy_expression_exits_1(cli: Cli, shared_glove: WordVectors) -> None:
    result = cli("words", "analogy", "king", "man")
    assert result.code == 1 and "king - man + woman" in result.err


def test_similarity_and_oddoneout(cli: Cli, shared_glove: WordVectors) -> None:
    assert cli("words", "similarity", "king", "queen").out.strip() == "0.7839"
    odd = json.loads(cli("words", "oddoneout", "breakfast", "cereal", "dinner", "lunch", "--json").out)
    assert odd["word"] == "cereal"


def test_vectors_option_reads_a_users_file(cli: Cli, gensim_file: GensimFile) -> None:
    result = cli("words", "similar", "the", "--vectors", str(gensim_file("lee_fasttext.vec")), "-k", "2", "--json")
    assert result.code == 0 and len(json.loads(result.out)["results"]) == 2


def test_unknown_format_exits_1(cli: Cli, gensim_file: GensimFile) -> None:
    result = cli("words", "similar", "the", "-v", str(gensim_file("lee_fasttext.vec")), "--format", "xml")
    assert result.code == 1 and "unknown --format 'xml'" in result.err


def test_eval_prints_the_json_shape(
    cli: Cli, shared_glove: WordVectors, gensim_file: GensimFile, tmp_path: Path
) -> None:
    questions = tmp_path / "q.txt"
    questions.write_text(": family\nboy girl brother sister\nking queen man woman\nxyzzyq a b c\n")
    sim = str(gensim_file("wordsim353.tsv"))
    result = cli("words", "eval", "--similarity", sim, "--analogies", str(questions), "--json")
    assert result.code == 0
    payload = json.loads(result.out)
    similarity = payload["similarity"][0]
    assert (similarity["file"], similarity["pairs"], similarity["oov"]) == (sim, 353, 0)
    assert similarity["spearman"] == pytest.approx(0.5033, abs=1e-4)
    analogy = payload["analogy"][0]
    assert (analogy["file"], analogy["questions"], analogy["oov"]) == (str(questions), 2, 1)
    assert set(analogy) >= {"file", "accuracy", "questions", "oov", "sections"}
    assert set(analogy["sections"]["family"]) >= {"accuracy", "questions", "oov"}


def test_eval_without_files_runs_gensims_bundled_sets(cli: Cli, shared_glove: WordVectors) -> None:
    result = cli("words", "eval", "--restrict-vocab", "2000", "--json")
    assert result.code == 0
    payload = json.loads(result.out)
    assert [Path(s["file"]).name for s in payload["similarity"]] == ["wordsim353.tsv", "simlex999.txt"]
    assert Path(payload["analogy"][0]["file"]).name == "questions-words.txt"


def test_eval_without_files_or_gensim_says_which_files_to_pass(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, shared_glove: WordVectors
) -> None:
    monkeypatch.setattr("embedrag.words.evaluate.gensim_test_file", lambda name: None)
    result = cli("words", "eval")
    assert result.code == 1
    assert "--similarity FILE" in result.err and "--analogies FILE" in result.err


def test_train_writes_vectors_that_load_back(cli: Cli, gensim_file: GensimFile, tmp_path: Path) -> None:
    out = tmp_path / "lee.bin"
    corpus = str(gensim_file("lee_background.cor"))
    result = cli("words", "train", corpus, "-o", str(out), "--cbow", "--dim", "10", "--epochs", "1")
    assert result.code == 0 and "trained" in result.out
    assert WordVectors.load(out).dims == 10


def test_train_missing_corpus_exits_1(cli: Cli, tmp_path: Path) -> None:
    result = cli("words", "train", str(tmp_path / "none.txt"), "-o", str(tmp_path / "v.txt"))
    assert result.code == 1 and "no such corpus" in result.err


def test_every_words_command_documents_an_example(cli: Cli) -> None:
    for command in ("similar", "analogy", "similarity", "oddoneout", "eval", "train"):
        result = cli("words", command, "--help")
        assert result.code == 0 and "Example: embedrag words" in result.out, command


def test_plot_draws_the_analogy_words_with_the_answer_looked_up(
    cli: Cli, shared_glove: WordVectors, tmp_path: Path
) -> None:
    out = tmp_path / "gender.png"
    result = cli("words", "plot", "-o", str(out), "--analogy", "king - man + woman", "-a", "boy:girl::brother:sister")
    assert result.code == 0, result.err
    assert result.out.splitlines()[:2] == [
        "man:woman :: king:queen  (king - man + woman)",
        "boy:girl :: brother:sister",
    ]
    assert "8 words, 4 arrows" in result.out
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_plot_words_alone_and_as_svg(cli: Cli, shared_glove: WordVectors, tmp_path: Path) -> None:
    result = cli("words", "plot", "paris", "france", "rome", "italy", "-o", str(tmp_path / "w.svg"))
    assert result.code == 0, result.err
    assert "4 words, 0 arrows" in result.out and "<svg" in (tmp_path / "w.svg").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["paris", "xyzzyq", "-a", "frobnicatz:woman::king:queen"],
            "not in the vocabulary of glove-6B-50d: 'xyzzyq', 'frobnicatz'",
        ),
        (["paris", "rome", "-o", "{tmp}/w.bmp"], "unknown image format '.bmp'"),
        (["-a", "king:queen"], "cannot read the analogy 'king:queen'; write it like 'man:woman::king:queen'"),
        ([], "nothing to draw"),
    ],
)
def test_plot_errors_are_one_line(
    cli: Cli, shared_glove: WordVectors, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [a.format(tmp=tmp_path) for a in args]
    if "-o" not in args:
        args += ["-o", str(tmp_path / "w.png")]
    result = cli("words", "plot", *args)
    assert result.code == 1
    [line] = result.err.strip().splitlines()
    assert line.startswith("error: ") and message in line
    assert not (tmp_path / "w.png").exists()
