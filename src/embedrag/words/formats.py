"""Word-vector file formats: detect, read and write.

Formats (the registry below is data, one reader and writer per name):

``glove-npy``
    A folder with one ``.npy`` matrix (float32, one row per word, memory-mapped) and
    one ``.parquet`` file whose first string column holds the words in row order. This
    is how the shipped GloVe 6B 50d is laid out.
``word2vec``
    Text: a header ``<count> <dims>``, then ``word v1 ... vD`` per line.
``word2vec-binary``
    The same header line, then per word ``word<space>`` and ``dims`` little-endian
    float32 values (a newline after each vector is optional, as in the C tool).
``glove``
    Text without a header: ``word v1 ... vD`` per line (Stanford GloVe ``.txt``).

Text is UTF-8; fields are separated by single spaces, as in gensim. A bad file raises
:class:`~embedrag.errors.InputError` naming the file and the line (or record).
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import numpy.typing as npt

from embedrag.errors import InputError, ModelFormatError

__all__ = ["FORMATS", "Format", "detect_format", "read_vectors", "write_vectors"]

Format = Literal["glove-npy", "word2vec", "word2vec-binary", "glove"]
FORMATS: tuple[Format, ...] = ("glove-npy", "word2vec", "word2vec-binary", "glove")
Matrix = npt.NDArray[np.float32]
Loaded = tuple[list[str], Matrix]


def detect_format(path: Path) -> Format:
    """Guess the format of ``path`` from its first two lines (a folder is ``glove-npy``).

    A ``<count> <dims>`` header means word2vec; the next line tells text from binary.
    """
    if path.is_dir():
        return "glove-npy"
    with path.open("rb") as fh:
        first = fh.readline()
        header = _parse_header(first)
        if header is None:
            if not first.strip():
                raise InputError(f"{path}: line 1: empty, not a word-vector file")
            return "glove"
        # A text vector line is at most ~32 characters per value; binary rarely holds a newline that early.
        second = fh.readline(header[1] * 32 + 4096)
    return "word2vec" if _is_text_record(second, header[1]) else "word2vec-binary"


def read_vectors(path: Path, format: Format | None = None) -> Loaded:
    """Read ``path`` in ``format`` (detected when ``None``): the words and their matrix."""
    fmt = format or detect_format(path)
    if fmt not in _READERS:
        raise InputError(f"unknown word-vector format '{fmt}'; known: {', '.join(FORMATS)}")
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    return _READERS[fmt](path)


def write_vectors(path: Path, words: list[str], vectors: Matrix, format: Format) -> None:
    """Write ``words`` and ``vectors`` to ``path`` as ``word2vec``, ``word2vec-binary`` or ``glove``."""
    if format not in _WRITERS:
        raise InputError(f"cannot write format '{format}'; writable: {', '.join(_WRITERS)}")
    for word in words:
        if not word or any(ch.isspace() for ch in word):
            raise InputError(f"cannot save the word {word!r}: words in {format} files may not be empty or hold spaces")
    _WRITERS[format](path, words, vectors)


# ---- readers -------------------------------------------------------------------------


def _read_glove_npy(folder: Path) -> Loaded:
    if not folder.is_dir():
        raise InputError(f"{folder}: glove-npy needs a folder holding one .npy and one .parquet file")
    npys, parquets = sorted(folder.glob("*.npy")), sorted(folder.glob("*.parquet"))
    if len(npys) != 1 or len(parquets) != 1:
        raise ModelFormatError(
            f"{folder}: expected one .npy and one .parquet file, found {len(npys)} and {len(parquets)}"
        )
    import pyarrow.parquet as pq

    table = pq.read_table(parquets[0])
    column = "index" if "index" in table.column_names else table.column_names[0]
    words = [str(w) for w in table.column(column).to_pylist()]
    # Memory-mapped: 400k x 50 float32 stays on disk until rows are touched.
    matrix = np.load(npys[0], mmap_mode="r")
    if matrix.ndim != 2 or matrix.dtype != np.float32 or matrix.shape[0] != len(words):
        raise ModelFormatError(
            f"{npys[0]}: expected a float32 matrix with {len(words)} rows (one per word in {parquets[0].name}), "
            f"found {matrix.dtype} {matrix.shape}"
        )
    return words, matrix


def _read_word2vec_text(path: Path) -> Loaded:
    with path.open("rb") as fh:
        header = _parse_header(fh.readline())
        if header is None:
            raise InputError(f"{path}: line 1: expected a '<count> <dims>' header")
        count, dims = header
        words, rows = _read_text_records(path, _numbered(fh, start=2), dims)
    if len(words) != count:
        raise InputError(f"{path}: the header announces {count} words but the file holds {len(words)}")
    return words, rows


def _read_glove_text(path: Path) -> Loaded:
    with path.open("rb") as fh:
        lines = _numbered(fh, start=1)
        first = next(lines, None)
        if first is None:
            raise InputError(f"{path}: line 1: empty, not a word-vector file")
        dims = len(first[1].rstrip().split(b" ")) - 1
        if dims < 1:
            raise InputError(f"{path}: line {first[0]}: expected a word followed by numbers")
        return _read_text_records(path, _chain(first, lines), dims)


def _read_text_records(path: Path, lines: Iterator[tuple[int, bytes]], dims: int) -> Loaded:
    words: list[str] = []
    rows: list[Matrix] = []
    seen: dict[str, int] = {}
    for line_no, raw in lines:
        parts = raw.rstrip().split(b" ")
        if len(parts) == 1 and not parts[0]:
            continue  # blank line
        if len(parts) != dims + 1:
            raise InputError(f"{path}: line {line_no}: expected a word and {dims} numbers, found {len(parts)} fields")
        word = _decode(path, f"line {line_no}", parts[0])
        try:
            rows.append(np.array(parts[1:], dtype=np.float32))
        except ValueError as exc:
            raise InputError(f"{path}: line {line_no}: not a number in the vector of {word!r}") from exc
        _add_word(path, f"line {line_no}", word, seen)
        words.append(word)
    matrix = np.stack(rows) if rows else np.zeros((0, dims), dtype=np.float32)
    return words, matrix


def _read_word2vec_binary(path: Path) -> Loaded:
    with path.open("rb") as fh:
        first = fh.readline()
        header = _parse_header(first)
        if header is None:
            raise InputError(f"{path}: line 1: expected a '<count> <dims>' header")
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _read_binary_records(path, data, len(first), *header)


def _read_binary_records(path: Path, data: mmap.mmap, pos: int, count: int, dims: int) -> Loaded:
    matrix = np.empty((count, dims), dtype=np.float32)
    words: list[str] = []
    seen: dict[str, int] = {}
    width = 4 * dims
    for i in range(count):
        while data[pos : pos + 1] == b"\n":  # the C tool ends each vector with a newline; gensim does not
            pos += 1
        space = data.find(b" ", pos)
        if space < 0 or space + 1 + width > len(data):
            raise InputError(f"{path}: record {i + 1} (byte {pos}): the file ends early; header announces {count}")
        word = _decode(path, f"record {i + 1} (byte {pos})", data[pos:space])
        matrix[i] = np.frombuffer(data, dtype="<f4", count=dims, offset=space + 1)
        _add_word(path, f"record {i + 1}", word, seen)
        words.append(word)
        pos = space + 1 + width
    if data[pos:].strip():
        raise InputError(f"{path}: byte {pos}: data after the {count} records the header announces")
    return words, matrix


# ---- writers -------------------------------------------------------------------------


def _write_text(path: Path, words: list[str], vectors: Matrix, *, header: bool) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        if header:
            fh.write(f"{len(words)} {vectors.shape[1]}\n")
        for word, row in zip(words, vectors, strict=True):
            # astype(str) gives the shortest text that reads back to the same float32.
            fh.write(word + " " + " ".join(np.asarray(row, dtype=np.float32).astype(str)) + "\n")


def _write_binary(path: Path, words: list[str], vectors: Matrix) -> None:
    with path.open("wb") as fh:
        fh.write(f"{len(words)} {vectors.shape[1]}\n".encode())
        for word, row in zip(words, vectors, strict=True):
            fh.write(word.encode("utf-8") + b" " + np.asarray(row, dtype="<f4").tobytes() + b"\n")


_READERS: dict[str, Callable[[Path], Loaded]] = {
    "glove-npy": _read_glove_npy,
    "word2vec": _read_word2vec_text,
    "word2vec-binary": _read_word2vec_binary,
    "glove": _read_glove_text,
}
_WRITERS: dict[str, Callable[[Path, list[str], Matrix], None]] = {
    "word2vec": lambda p, w, v: _write_text(p, w, v, header=True),
    "word2vec-binary": _write_binary,
    "glove": lambda p, w, v: _write_text(p, w, v, header=False),
}


# ---- small helpers -------------------------------------------------------------------


def _parse_header(line: bytes) -> tuple[int, int] | None:
    parts = line.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts) and int(parts[1]) > 0:
        return int(parts[0]), int(parts[1])
    return None


def _is_text_record(line: bytes, dims: int) -> bool:
    parts = line.rstrip().split(b" ")
    if len(parts) != dims + 1:
        return False
    try:
        parts[0].decode("utf-8")
        np.array(parts[1:], dtype=np.float32)
    except ValueError:  # UnicodeDecodeError is a ValueError too
        return False
    return True


def _numbered(fh: BinaryIO, *, start: int) -> Iterator[tuple[int, bytes]]:
    yield from enumerate(fh, start=start)


def _chain(first: tuple[int, bytes], rest: Iterator[tuple[int, bytes]]) -> Iterator[tuple[int, bytes]]:
    yield first
    yield from rest


def _decode(path: Path, where: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: {where}: the word is not valid UTF-8 ({raw[:40]!r})") from exc


def _add_word(path: Path, where: str, word: str, seen: dict[str, int]) -> None:
    if not word:
        raise InputError(f"{path}: {where}: empty word")
    if word in seen:
        raise InputError(f"{path}: {where}: duplicate word {word!r} (first at entry {seen[word]})")
    seen[word] = len(seen) + 1
