from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from embedrag.errors import InputError, ModelFormatError
from embedrag.words import WordVectors, detect_format
from embedrag.words.formats import read_vectors

WORDS = ["cat", "dog", "naïve", "don't"]
MATRIX = np.array([[0.1, -2.5, 3e-5], [1.0, 0.0, -0.333], [7.25, 1e9, -1e-9], [0.5, 0.25, 0.125]], np.float32)


@pytest.mark.parametrize(("fmt", "name"), [("word2vec", "v.txt"), ("word2vec-binary", "v.bin"), ("glove", "g.txt")])
def test_save_then_load_round_trips_exactly(tmp_path: Path, fmt: str, name: str) -> None:
    path = WordVectors(WORDS, MATRIX).save(tmp_path / name, format=fmt)  # type: ignore[arg-type]
    assert detect_format(path) == fmt
    loaded = WordVectors.load(path)
    assert loaded.words == WORDS
    np.testing.assert_array_equal(loaded.vectors, MATRIX)


def test_save_picks_binary_for_a_bin_suffix(tmp_path: Path) -> None:
    path = WordVectors(WORDS, MATRIX).save(tmp_path / "v.bin")
    assert detect_format(path) == "word2vec-binary"


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_what_we_write(tmp_path: Path, binary: bool) -> None:
    from gensim.models import KeyedVectors

    path = WordVectors(WORDS, MATRIX).save(tmp_path / ("v.bin" if binary else "v.txt"))
    kv = KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert kv.index_to_key == WORDS
    np.testing.assert_array_equal(kv.vectors, MATRIX)


def test_we_read_gensims_binary_without_newlines(tmp_path: Path) -> None:
    from gensim.models import KeyedVectors

    kv = KeyedVectors(3)
    kv.add_vectors(WORDS, MATRIX)
    kv.save_word2vec_format(str(tmp_path / "g.bin"), binary=True)
    loaded = WordVectors.load(tmp_path / "g.bin")
    assert loaded.words == WORDS
    np.testing.assert_array_equal(loaded.vectors, MATRIX)


def test_reads_gensims_glove_text_file(gensim_file: Callable[[str], Path]) -> None:
    path = gensim_file("test_glove.txt")
    assert detect_format(path) == "glove"
    wv = WordVectors.load(path)
    assert (len(wv), wv.dims) == (76, 50)


def test_reads_gensims_fasttext_vec_like_gensim(gensim_file: Callable[[str], Path]) -> None:
    from gensim.models import KeyedVectors

    path = gensim_file("lee_fasttext.vec")
    wv = WordVectors.load(path)
    kv = KeyedVectors.load_word2vec_format(str(path))
    assert (len(wv), wv.dims) == (1762, 10)
    assert wv.words == kv.index_to_key
    np.testing.assert_allclose(wv.vectors, kv.vectors)


def test_reads_utf8_words_of_gensims_russian_vectors(gensim_file: Callable[[str], Path]) -> None:
    wv = WordVectors.load(gensim_file("crime-and-punishment.vec"))
    assert any(any("а" <= ch <= "я" for ch in word) for word in wv.words)


def test_explicit_format_overrides_detection(tmp_path: Path) -> None:
    path = WordVectors(WORDS, MATRIX).save(tmp_path / "v.txt", format="glove")
    with pytest.raises(InputError, match="line 1"):
        WordVectors.load(path, format="word2vec")


def test_header_announcing_more_words_than_the_file_holds(gensim_file: Callable[[str], Path]) -> None:
    # gensim's pretrained.vec: header "3 5" followed by a single vector.
    with pytest.raises(InputError, match="announces 3 words but the file holds 1"):
        WordVectors.load(gensim_file("pretrained.vec"))


def _write(tmp_path: Path, content: bytes, name: str = "bad.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_short_line_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, b"2 3\na 1 2 3\nb 1 2\n")
    with pytest.raises(InputError, match=r"bad\.txt: line 3: expected a word and 3 numbers, found 3 fields"):
        WordVectors.load(path)


def test_non_number_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, b"a 1 2\nb 1 x\n")
    with pytest.raises(InputError, match=r"bad\.txt: line 2: not a number"):
        WordVectors.load(path)


def test_duplicate_word_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, b"a 1 2\nb 1 2\na 3 4\n")
    with pytest.raises(InputError, match=r"line 3: duplicate word 'a'"):
        WordVectors.load(path)


def test_invalid_utf8_word_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, b"a 1 2\n\xa3x 1 2\n")
    with pytest.raises(InputError, match="line 2: the word is not valid UTF-8"):
        WordVectors.load(path)


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        WordVectors.load(_write(tmp_path, b""))


def test_truncated_binary_file_names_the_record(tmp_path: Path) -> None:
    path = WordVectors(WORDS, MATRIX).save(tmp_path / "v.bin")
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(InputError, match=r"record 4 .*file ends early"):
        WordVectors.load(path)


def test_missing_file_is_a_not_found_error(tmp_path: Path) -> None:
    from embedrag.errors import ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match=r"no-such\.vec"):
        WordVectors.load(tmp_path / "no-such.vec")


def test_glove_npy_folder_needs_both_pieces(tmp_path: Path) -> None:
    np.save(tmp_path / "m.npy", MATRIX)
    with pytest.raises(ModelFormatError, match=r"one \.npy and one \.parquet"):
        read_vectors(tmp_path)


def test_glove_npy_folder_round_trip(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    np.save(tmp_path / "m.npy", MATRIX)
    pq.write_table(pa.table({"index": WORDS}), tmp_path / "v.parquet")
    wv = WordVectors.load(tmp_path)
    assert wv.words == WORDS
    np.testing.assert_array_equal(wv.vectors, MATRIX)


def test_words_with_spaces_cannot_be_saved(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="may not be empty or hold spaces"):
        WordVectors(["new york"], MATRIX[:1]).save(tmp_path / "v.txt")
