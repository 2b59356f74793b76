"""``WordVectors``: a vocabulary, its matrix, and the queries people run on them."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embedrag._linalg import top_k, unit_rows
from embedrag.errors import InputError
from embedrag.words.formats import Format, read_vectors, write_vectors
from embedrag.words.results import Neighbor
from embedrag.words.scoring import ANALOGY_METHODS, Matrix

__all__ = ["DEFAULT_VECTORS", "WordVectors"]

DEFAULT_VECTORS = "glove-6B-50d"
"""The catalogue name :meth:`WordVectors.load` uses when given none."""


class WordVectors:
    """Static word vectors: ``words[i]`` has the vector ``vectors[i]``.

    Rows are kept as given (GloVe rows are not unit length); queries use cosines over a
    unit-length copy made once, on the first query. Words are looked up exactly, and
    also lower-cased when the vocabulary has no upper-case letters (as GloVe). Unknown
    words raise :class:`~embedrag.errors.InputError` naming them.

    >>> wv = WordVectors(["cat", "dog", "car"], np.array([[1, 0.1], [1, 0.2], [0, 1]]))
    >>> [(n.word, round(n.score, 4)) for n in wv.most_similar("Cat", k=2)]
    [('dog', 0.9952), ('car', 0.0995)]
    """

    def __init__(self, words: Sequence[str], vectors: npt.ArrayLike, *, name: str = "") -> None:
        matrix = np.asanyarray(vectors)  # keeps a np.memmap memory-mapped
        if matrix.dtype != np.float32:
            matrix = matrix.astype(np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != len(words):
            raise InputError(f"expected a matrix with one row per word ({len(words)}), got shape {matrix.shape}")
        self.words: list[str] = list(words)
        self.vectors: Matrix = matrix
        self.name = name
        self._index = {word: i for i, word in enumerate(self.words)}
        if len(self._index) != len(self.words):
            raise InputError("the vocabulary holds duplicate words")

    # ---- construction and persistence --------------------------------------------------

    @classmethod
    def load(cls, name_or_path: str | Path = DEFAULT_VECTORS, *, format: Format | None = None) -> WordVectors:
        """Load a catalogue model (default ``glove-6B-50d``) or a file / folder in any known format.

        Names resolve offline through :func:`embedrag.models.resolve`; ``format`` is
        detected when ``None`` (see :mod:`embedrag.words.formats`).
        """
        from embedrag.models import resolve

        found = resolve(name_or_path, kind="word")
        if format is None and found.info is not None:
            format = found.info.format  # type: ignore[assignment]
        words, vectors = read_vectors(found.path, format)
        return cls(words, vectors, name=found.name)

    def save(self, path: str | Path, *, format: Format | None = None) -> Path:
        """Write ``word2vec`` text (default), ``word2vec-binary`` (default for ``.bin``) or ``glove`` text."""
        target = Path(path)
        fmt: Format = format or ("word2vec-binary" if target.suffix == ".bin" else "word2vec")
        write_vectors(target, self.words, self.vectors, fmt)
        return target

    # ---- lookup ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._find(word) is not None

    def __getitem__(self, word: str) -> Matrix:
        """The stored (not normalised) vector of ``word``."""
        return np.asarray(self.vectors[self.rows([word])[0]])

    def __repr__(self) -> str:
        return f"WordVectors(name={self.name!r}, words={len(self)}, dims={self.dims})"

    @property
    def dims(self) -> int:
        """Length of each vector."""
        return int(self.vectors.shape[1])

    @functools.cached_property
    def lowercase_only(self) -> bool:
        """True when no word has an upper-case letter: lookups then lower-case the query."""
        text = "\n".join(self.words)
        return text == text.lower()

    @functools.cached_property
    def unit(self) -> Matrix:
        """The rows scaled to unit length, computed once on first use."""
        return unit_rows(self.vectors)

    def rows(self, words: Iterable[str]) -> npt.NDArray[np.intp]:
        """Row index of each word; one :class:`InputError` names every unknown word."""
        words = list(words)
        found = [self._find(word) for word in words]
        missing = [word for word, row in zip(words, found, strict=True) if row is None]
        if missing:
            where = f" of {self.name}" if self.name else ""
            raise InputError(f"not in the vocabulary{where}: {', '.join(repr(w) for w in missing)}")
        return np.array(found, dtype=np.intp)

    def _find(self, word: str) -> int | None:
        row = self._index.get(word)
        if row is None and self.lowercase_only:
            row = self._index.get(word.lower())
        return row

    # ---- queries -----------------------------------------------------------------------

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two words."""
        ra, rb = self.rows([a, b])
        return float(self.unit[ra] @ self.unit[rb])

    def most_similar(self, word_or_vector: str | npt.ArrayLike, k: int = 10) -> list[Neighbor]:
        """The ``k`` words nearest by cosine to a word (itself excluded) or to a vector."""
        if isinstance(word_or_vector, str):
            rows = self.rows([word_or_vector])
            query, what = self.unit[rows[0]], f"{word_or_vector!r} has an all-zero vector"
        else:
            rows = np.empty(0, dtype=np.intp)
            raw = np.asarray(word_or_vector, dtype=np.float32).reshape(-1)
            if raw.shape[0] != self.dims:
                raise InputError(f"expected a vector of {self.dims} numbers, got {raw.shape[0]}")
            if not np.isfinite(raw).all():
                raise InputError("the vector is not finite (it holds NaN or infinity)")
            query, what = unit_rows(raw)[0], "the vector is all zeros"
        if not query.any():  # every cosine would be 0: the 'neighbours' would be arbitrary words
            raise InputError(f"{what}: it has no direction to find neighbours in")
        return self._best(self.unit @ query, rows, k)

    def analogy(
        self,
        positive: Sequence[str],
        negative: Sequence[str] = (),
        *,
        k: int = 10,
        method: str = "add",
        epsilon: float = 1e-3,
    ) -> list[Neighbor]:
        """Words closest to ``sum(positive) - sum(negative)``, the input words excluded.

        ``method`` is ``"add"`` (3CosAdd, scores are cosines) or ``"mul"`` (3CosMul,
        ``epsilon`` in its denominator); see :mod:`embedrag.words.scoring`.
        ``analogy(["king", "woman"], ["man"])`` answers *man is to king as woman is to ?*.
        """
        if method not in ANALOGY_METHODS:
            raise InputError(f"unknown analogy method '{method}'; choose one of: {', '.join(ANALOGY_METHODS)}")
        if not positive:
            raise InputError("an analogy needs at least one positive word")
        rows = self.rows([*positive, *negative])  # one error names every unknown word
        pos, neg = rows[: len(positive)], rows[len(positive) :]
        if np.abs(self.unit[pos].sum(axis=0) - self.unit[neg].sum(axis=0)).max() <= 1e-6:
            written = " + ".join(positive) + "".join(f" - {w}" for w in negative)
            raise InputError(f"the words cancel out: {written} is a zero vector, with no direction to search")
        scores = ANALOGY_METHODS[method](self.unit, self.unit, pos[None, :], neg[None, :], epsilon)[0]
        return self._best(scores, np.concatenate([pos, neg]), k)

    def doesnt_match(self, words: Sequence[str]) -> Neighbor:
        """The odd one out: the word least similar to the mean of all ``words`` (its cosine as score)."""
        if len(set(words)) < 3:
            raise InputError("give at least three different words to find the odd one out")
        rows = self.rows(words)
        mean = unit_rows(self.unit[rows].mean(axis=0, keepdims=True))[0]
        cosines = self.unit[rows] @ mean
        odd = int(np.argmin(cosines))
        return Neighbor(words[odd], float(cosines[odd]))

    def _best(self, scores: Matrix, exclude: npt.NDArray[np.intp], k: int) -> list[Neighbor]:
        if k < 1:
            raise InputError(f"k must be at least 1, got {k}")
        scores[exclude] = -np.inf  # the input words are never their own answer
        best = top_k(scores, min(k, len(self) - len(set(exclude.tolist()))))
        return [Neighbor(self.words[i], float(scores[i])) for i in best]
