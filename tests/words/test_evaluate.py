from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedrag.errors import InputError
from embedrag.words import WordVectors, evaluate_analogies, evaluate_similarity

GensimFile = Callable[[str], Path]


def _sections(source: Path, target: Path, names: set[str], per_section: int) -> Path:
    """The first questions of some sections of questions-words.txt (gensim is slow on all of it)."""
    lines: list[str] = []
    keep, count = False, 0
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith(": "):
            keep, count = line[2:].strip() in names, 0
            if keep:
                lines.append(line)
        elif keep and count < per_section:
            lines.append(line)
            count += 1
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.txt"])
def test_similarity_agrees_with_gensim(glove: WordVectors, glove_kv: Any, gensim_file: GensimFile, name: str) -> None:
    path = gensim_file(name)
    ours = evaluate_similarity(glove, path)
    (pearson, _), (spearman, _), oov_percent = glove_kv.evaluate_word_pairs(str(path))
    assert ours.spearman == pytest.approx(spearman, abs=1e-6)
    assert ours.pearson == pytest.approx(pearson, abs=1e-6)
    # gensim reports the OOV ratio in percent; we report the count.
    assert 100 * ours.oov / (ours.pairs + ours.oov) == pytest.approx(oov_percent)


def test_wordsim353_on_glove_matches_the_published_figure(glove: WordVectors, gensim_file: GensimFile) -> None:
    score = evaluate_similarity(glove, gensim_file("wordsim353.tsv"))
    assert (round(score.spearman, 4), round(score.pearson, 4), score.pairs, score.oov) == (0.5033, 0.5066, 353, 0)


def test_similarity_lists_the_oov_pairs(glove: WordVectors, gensim_file: GensimFile) -> None:
    score = evaluate_similarity(glove, gensim_file("simlex999.txt"))
    assert (score.pairs, score.oov, score.oov_pairs) == (998, 1, (("disorganize", "organize"),))


def test_restrict_vocab_turns_rare_words_into_oov(glove: WordVectors, gensim_file: GensimFile) -> None:
    score = evaluate_similarity(glove, gensim_file("wordsim353.tsv"), restrict_vocab=30_000)
    assert score.oov == 13 and score.pairs == 340


def test_analogies_agree_with_gensim_on_two_sections(
    glove: WordVectors, glove_kv: Any, gensim_file: GensimFile, tmp_path: Path
) -> None:
    names = {"family", "gram3-comparative"}
    path = _sections(gensim_file("questions-words.txt"), tmp_path / "q.txt", names, per_section=60)
    ours = evaluate_analogies(glove, path, restrict_vocab=30_000)
    accuracy, sections = glove_kv.evaluate_word_analogies(str(path), restrict_vocab=30_000)
    assert ours.accuracy == pytest.approx(accuracy)
    by_name = {s["section"]: s for s in sections}
    for section in ours.sections:
        assert section.correct == len(by_name[section.name]["correct"])
        assert section.questions == section.correct + len(by_name[section.name]["incorrect"])
    assert ours.questions + ours.oov == 120


def test_analogies_agree_with_gensim_on_a_mixed_case_vocabulary(tmp_path: Path) -> None:
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(7)
    words = ["Paris", "paris", "France", "france", "Rome", "Italy", "rome", "Berlin", "Germany", "PARIS"]
    words += [f"w{i}" for i in range(40)]
    matrix = rng.normal(size=(len(words), 4)).astype(np.float32)
    matrix[1] = matrix[0] + 0.01  # a case variant next to its twin: gensim passes over it
    path = tmp_path / "q.txt"
    path.write_text(": capitals\nfrance paris italy rome\nFrance Paris Germany Berlin\nitaly rome france paris\n")
    kv = KeyedVectors(4)
    kv.add_vectors(words, matrix)
    ours = evaluate_analogies(WordVectors(words, matrix), path, restrict_vocab=None)
    _, sections = kv.evaluate_word_analogies(str(path), restrict_vocab=len(words))
    assert ours.correct == len(sections[0]["correct"])
    assert ours.questions == 3


def test_full_questions_words_on_glove_is_fast_and_matches_gensims_figure(
    glove: WordVectors, gensim_file: GensimFile
) -> None:
    score = evaluate_analogies(glove, gensim_file("questions-words.txt"), restrict_vocab=30_000)
    assert (score.correct, score.questions, score.oov) == (7393, 14877, 4667)
    assert round(score.accuracy, 4) == 0.4969
    assert len(score.sections) == 14


def test_3cosmul_evaluation_runs_and_counts_the_same_questions(
    glove: WordVectors, gensim_file: GensimFile, tmp_path: Path
) -> None:
    path = _sections(gensim_file("questions-words.txt"), tmp_path / "q.txt", {"family"}, per_section=100)
    add = evaluate_analogies(glove, path, restrict_vocab=30_000)
    mul = evaluate_analogies(glove, path, restrict_vocab=30_000, method="mul")
    assert mul.questions == add.questions and mul.method == "mul"
    assert mul.accuracy >= add.accuracy - 0.05


def test_progress_reports_reach_the_number_of_questions(glove: WordVectors, tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_text(": family\nboy girl brother sister\nking queen man woman\n")
    seen: list[tuple[int, int]] = []
    evaluate_analogies(glove, path, on_progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (2, 2)


def test_section_with_only_oov_questions_has_nan_accuracy(glove: WordVectors, tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_text(": made-up\nxyzzyq a b c\n: family\nboy girl brother sister\n")
    score = evaluate_analogies(glove, path)
    assert math.isnan(score.sections[0].accuracy) and score.sections[0].oov == 1
    assert (score.questions, score.oov) == (1, 1)


def test_question_before_a_section_header_is_an_error(glove: WordVectors, tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_text("boy girl brother sister\n")
    with pytest.raises(InputError, match=r"q\.txt: line 1: a question before"):
        evaluate_analogies(glove, path)


def test_question_with_three_words_is_an_error(glove: WordVectors, tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_text(": family\nboy girl brother\n")
    with pytest.raises(InputError, match="line 2: expected 4 words"):
        evaluate_analogies(glove, path)


def test_pair_file_with_a_bad_score_names_the_line(glove: WordVectors, tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("# header\ntiger\tcat\t7.35\ntiger\ttiger\thigh\n")
    with pytest.raises(InputError, match=r"pairs\.tsv: line 3"):
        evaluate_similarity(glove, path)


def test_missing_evaluation_file_is_an_input_error(glove: WordVectors, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        evaluate_similarity(glove, tmp_path / "nope.tsv")
