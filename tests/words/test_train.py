from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import ConfigError, InputError, MissingDependencyError
from embedrag.words import WordVectors, tokenize, train_word2vec


@pytest.fixture(scope="module")
def lee(gensim_file: Callable[[str], Path]) -> Path:
    return gensim_file("lee_background.cor")


@pytest.fixture(scope="module")
def lee_vectors(lee: Path) -> WordVectors:
    return train_word2vec(lee, dims=20, epochs=2, min_count=5, workers=2)


def test_vocabulary_is_every_token_seen_min_count_times_most_frequent_first(
    lee: Path, lee_vectors: WordVectors
) -> None:
    counts = Counter(t for line in lee.read_text(encoding="utf-8").splitlines() for t in tokenize(line))
    assert set(lee_vectors.words) == {w for w, n in counts.items() if n >= 5}
    assert lee_vectors.words[0] == counts.most_common(1)[0][0] == "the"


def test_trained_vectors_have_the_requested_size_and_are_finite(lee_vectors: WordVectors) -> None:
    assert lee_vectors.dims == 20 and lee_vectors.name == "lee_background"
    assert np.isfinite(lee_vectors.vectors).all()


def test_trained_vectors_answer_queries_and_survive_a_save(lee_vectors: WordVectors, tmp_path: Path) -> None:
    before = lee_vectors.most_similar("government", 5)
    after = WordVectors.load(lee_vectors.save(tmp_path / "lee.bin")).most_similar("government", 5)
    assert [n.word for n in after] == [n.word for n in before]


def test_cbow_with_progress_reports_from_zero_to_one(lee: Path) -> None:
    seen: list[float] = []
    wv = train_word2vec(lee, architecture="cbow", dims=10, epochs=1, min_count=20, on_progress=seen.append)
    assert len(wv) > 100
    assert seen[-1] == 1.0 and seen == sorted(seen) and 0 < seen[0] < 0.1


def test_tokenize_lower_cases_and_keeps_inner_apostrophes() -> None:
    assert tokenize("The U.S. didn't WIN—again!") == ["the", "u", "s", "didn't", "win", "again"]


def test_corpus_without_frequent_words_is_an_input_error(tmp_path: Path) -> None:
    corpus = tmp_path / "tiny.txt"
    corpus.write_text("one two three\n")
    with pytest.raises(InputError, match="min_count=5"):
        train_word2vec(corpus)


def test_missing_corpus_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such corpus"):
        train_word2vec(tmp_path / "nope.txt")


def test_corpus_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    corpus = tmp_path / "latin1.txt"
    corpus.write_bytes(b"fine line\ncosts \xa3 5\n")
    with pytest.raises(InputError, match="line 2: not valid utf-8"):
        train_word2vec(corpus, min_count=1)


def test_bad_option_is_a_config_error(lee: Path) -> None:
    with pytest.raises(ConfigError, match="epochs must be at least 1"):
        train_word2vec(lee, epochs=0)


def test_without_gensim_training_names_the_extra(lee: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gensim", None)
    with pytest.raises(MissingDependencyError, match=r"embedrag-toolkit\[train\]"):
        train_word2vec(lee)
