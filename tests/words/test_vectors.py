from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from embedrag.errors import InputError
from embedrag.words import Neighbor, WordVectors


def test_default_load_is_the_memory_mapped_glove_6b_50d(glove: WordVectors) -> None:
    assert (len(glove), glove.dims, glove.name) == (400_000, 50, "glove-6B-50d")
    assert isinstance(glove.vectors, np.memmap)
    assert glove.words[:4] == ["the", ",", ".", "of"]


def test_king_minus_man_plus_woman_is_queen(glove: WordVectors) -> None:
    results = glove.analogy(["king", "woman"], ["man"], k=3)
    assert [n.word for n in results] == ["queen", "throne", "prince"]
    assert [round(n.score, 4) for n in results] == [0.8524, 0.7664, 0.7592]


def test_analogy_agrees_with_gensim_most_similar(glove: WordVectors, glove_kv: Any) -> None:
    ours = glove.analogy(["paris", "germany"], ["france"], k=5)
    theirs = glove_kv.most_similar(positive=["paris", "germany"], negative=["france"], topn=5)
    assert [n.word for n in ours] == [w for w, _ in theirs]
    assert [n.score for n in ours] == pytest.approx([s for _, s in theirs], abs=1e-5)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_3cosmul_matches_gensim_cosmul_with_the_same_epsilon(glove: WordVectors, glove_kv: Any) -> None:
    ours = glove.analogy(["king", "woman"], ["man"], k=5, method="mul", epsilon=1e-6)
    theirs = glove_kv.most_similar_cosmul(positive=["king", "woman"], negative=["man"], topn=5)
    assert [n.word for n in ours] == [w for w, _ in theirs]
    assert [n.score for n in ours] == pytest.approx([s for _, s in theirs], rel=1e-4)


def test_3cosmul_also_answers_queen(glove: WordVectors) -> None:
    assert glove.analogy(["king", "woman"], ["man"], k=1, method="mul")[0].word == "queen"


def test_analogy_never_returns_an_input_word() -> None:
    # "b" is the true nearest point to b - a + c here; it must be skipped.
    wv = WordVectors(["a", "b", "c", "d"], np.array([[1, 0], [0.9, 0.1], [0.1, 0.9], [0, 1]]))
    for method in ("add", "mul"):
        words = [n.word for n in wv.analogy(["b", "c"], ["a"], k=3, method=method)]
        assert words == ["d"]


def test_most_similar_excludes_the_query_word_and_is_sorted(glove: WordVectors) -> None:
    results = glove.most_similar("frog", 5)
    assert [n.word for n in results] == ["snake", "ape", "toad", "monkey", "spider"]
    assert all(a.score >= b.score for a, b in itertools.pairwise(results))


def test_most_similar_accepts_a_vector(glove: WordVectors) -> None:
    results = glove.most_similar(glove["frog"], 2)
    assert results[0] == Neighbor("frog", pytest.approx(1.0, abs=1e-5))


def test_similarity_of_king_and_queen(glove: WordVectors) -> None:
    assert glove.similarity("king", "queen") == pytest.approx(0.7839, abs=1e-4)


def test_lookups_are_lower_cased_for_a_lower_case_vocabulary(glove: WordVectors) -> None:
    assert glove.lowercase_only
    assert "King" in glove
    assert glove.similarity("KING", "Queen") == glove.similarity("king", "queen")


def test_mixed_case_vocabulary_is_looked_up_exactly() -> None:
    wv = WordVectors(["Paris", "paris", "rome"], np.eye(3))
    assert not wv.lowercase_only
    assert wv.most_similar("Paris", 1)[0].word in {"paris", "rome"}
    with pytest.raises(InputError, match="'PARIS'"):
        wv.most_similar("PARIS")


def test_unknown_words_raise_input_error_naming_all_of_them(glove: WordVectors) -> None:
    with pytest.raises(InputError, match=r"not in the vocabulary of glove-6B-50d: 'xyzzyq', 'qwxzv'"):
        glove.analogy(["king", "xyzzyq"], ["qwxzv"])


def test_oov_word_in_most_similar_is_an_error_not_an_empty_result(glove: WordVectors) -> None:
    with pytest.raises(InputError, match="xyzzyq"):
        glove.most_similar("xyzzyq")


def test_doesnt_match_finds_the_odd_one_out(glove: WordVectors) -> None:
    assert glove.doesnt_match(["breakfast", "cereal", "dinner", "lunch"]).word == "cereal"


def test_doesnt_match_needs_three_words(glove: WordVectors) -> None:
    with pytest.raises(InputError, match="at least three"):
        glove.doesnt_match(["cat", "dog"])


def test_unknown_analogy_method_is_an_input_error(glove: WordVectors) -> None:
    with pytest.raises(InputError, match="add, mul"):
        glove.analogy(["king"], method="plus")


def test_k_larger_than_the_vocabulary_returns_every_other_word() -> None:
    wv = WordVectors(["a", "b", "c"], np.eye(3))
    assert len(wv.most_similar("a", 10)) == 2


def test_k_below_one_is_an_input_error() -> None:
    with pytest.raises(InputError, match="k must be"):
        WordVectors(["a", "b"], np.eye(2)).most_similar("a", 0)


def test_constructor_rejects_a_matrix_of_the_wrong_shape() -> None:
    with pytest.raises(InputError, match="one row per word"):
        WordVectors(["a", "b"], np.eye(3))


@pytest.mark.parametrize("method", ["add", "mul"])
def test_an_analogy_whose_words_cancel_out_is_an_input_error(method: str) -> None:
    wv = WordVectors(["king", "queen", "man"], np.array([[1.0, 0.2], [0.9, 0.5], [0.1, 1.0]]))
    with pytest.raises(InputError, match="cancel out"):
        wv.analogy(["king"], ["king"], method=method)
    assert wv.analogy(["king", "queen"], ["king"], k=1)[0].word == "man"  # queen's neighbour, king left out


@pytest.mark.parametrize("vector", [[0.0, 0.0], [np.nan, 1.0], [np.inf, 1.0]])
def test_a_vector_without_a_direction_is_an_input_error(vector: list[float]) -> None:
    wv = WordVectors(["a", "b", "c"], np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    with pytest.raises(InputError, match=r"no direction|not finite"):
        wv.most_similar(vector)


def test_a_word_whose_vector_is_zero_has_no_neighbours() -> None:
    wv = WordVectors(["pad", "a", "b"], np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    with pytest.raises(InputError, match=r"'pad'.*no direction"):
        wv.most_similar("pad")
