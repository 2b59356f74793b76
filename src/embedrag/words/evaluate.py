"""Intrinsic evaluation of word vectors on the standard files.

* Word similarity (WordSim-353, SimLex-999 layout): ``#`` comment lines, then
  ``word1<TAB>word2<TAB>score``. Reported: Spearman's rho (and Pearson's r) between the
  cosines and the human scores, the pairs scored, and the out-of-vocabulary pairs.
* Analogies (Google ``questions-words.txt`` layout): ``: section`` headers, then
  ``a b c expected`` questions (*a is to b as c is to expected*). Reported: accuracy
  overall and per section, the questions scored and the out-of-vocabulary questions.

Both follow gensim's ``evaluate_word_pairs`` / ``evaluate_word_analogies`` so the numbers
agree: lookups are case-insensitive (the most frequent case variant wins), only the first
``restrict_vocab`` words count (default 300,000), and input words (and their case
variants) are never the answer. Deliberate differences: ``oov`` is a count, not gensim's
percentage; malformed lines raise :class:`~embedrag.errors.InputError` (gensim skips
them); analogies are scored in numpy batches (seconds, not minutes) and may also use
3CosMul.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embedrag._linalg import top_k
from embedrag.errors import InputError
from embedrag.words.results import AnalogyScore, SectionScore, SimilarityScore
from embedrag.words.scoring import ANALOGY_METHODS, Matrix
from embedrag.words.stats import pearson, spearman
from embedrag.words.vectors import WordVectors

__all__ = ["DEFAULT_RESTRICT_VOCAB", "evaluate_analogies", "evaluate_similarity", "gensim_test_file"]

DEFAULT_RESTRICT_VOCAB = 300_000
"""Only the first (most frequent) 300,000 words count, as gensim's default."""
_BATCH_CELLS = 1 << 24  # scores held at once (64 MB of float32) when scoring analogies
Progress = Callable[[int, int], None]


def evaluate_similarity(
    vectors: WordVectors, path: str | Path, *, restrict_vocab: int | None = DEFAULT_RESTRICT_VOCAB
) -> SimilarityScore:
    """Correlate cosines with the human scores of a word-pair file."""
    vocab = _Vocab(vectors, restrict_vocab)
    gold: list[float] = []
    pairs: list[tuple[int, int]] = []
    oov: list[tuple[str, str]] = []
    for line_no, line in _lines(Path(path)):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\r\n").split("\t")
        try:
            a, b, score = fields[0], fields[1], float(fields[2])
        except (IndexError, ValueError) as exc:
            raise InputError(f"{path}: line {line_no}: expected 'word1<TAB>word2<TAB>score'") from exc
        if len(fields) != 3:
            raise InputError(f"{path}: line {line_no}: expected 3 tab-separated fields, found {len(fields)}")
        ra, rb = vocab.get(a), vocab.get(b)
        if ra is None or rb is None:
            oov.append((a, b))
            continue
        gold.append(score)
        pairs.append((ra, rb))
    rows = np.array(pairs, dtype=np.intp).reshape(-1, 2)
    unit = vectors.unit
    model = np.einsum("ij,ij->i", unit[rows[:, 0]], unit[rows[:, 1]]).astype(np.float64)
    truth = np.array(gold, dtype=np.float64)
    return SimilarityScore(
        file=str(path),
        spearman=spearman(model, truth),
        pearson=pearson(model, truth),
        pairs=len(gold),
        oov=len(oov),
        oov_pairs=tuple(oov),
    )


def evaluate_analogies(
    vectors: WordVectors,
    path: str | Path,
    *,
    restrict_vocab: int | None = DEFAULT_RESTRICT_VOCAB,
    method: str = "add",
    epsilon: float = 1e-3,
    on_progress: Progress | None = None,
) -> AnalogyScore:
    """Answer every question of an analogies file; ``on_progress(done, total)`` follows the scoring."""
    if method not in ANALOGY_METHODS:
        raise InputError(f"unknown analogy method '{method}'; choose one of: {', '.join(ANALOGY_METHODS)}")
    vocab = _Vocab(vectors, restrict_vocab)
    questions = _read_questions(Path(path), vocab)
    correct = _score_questions(vectors.unit, vocab, questions.rows, method, epsilon, on_progress)
    sections = tuple(
        SectionScore(
            name=name,
            correct=int(correct[questions.section == s].sum()),
            questions=int((questions.section == s).sum()),
            oov=questions.oov[s],
        )
        for s, name in enumerate(questions.names)
    )
    return AnalogyScore(
        file=str(path),
        method=method,
        correct=int(correct.sum()),
        questions=len(correct),
        oov=sum(questions.oov),
        sections=sections,
    )


def gensim_test_file(name: str) -> Path | None:
    """A file of gensim's bundled test data (``wordsim353.tsv`` ...), if gensim is installed.

    Found without importing gensim (which is slow); ``None`` when absent.
    """
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "test" / "test_data" / name
    return path if path.is_file() else None


class _Vocab:
    """Case-insensitive lookup in the first ``restrict_vocab`` words, most frequent variant first."""

    def __init__(self, vectors: WordVectors, restrict_vocab: int | None) -> None:
        if restrict_vocab is not None and restrict_vocab < 1:
            raise InputError(f"restrict_vocab must be at least 1, got {restrict_vocab}")
        self.size = len(vectors) if restrict_vocab is None else min(restrict_vocab, len(vectors))
        self.rows: dict[str, int] = {}
        for row, word in enumerate(vectors.words[: self.size]):
            self.rows.setdefault(word.lower(), row)
        # canonical[r]: the row that stands for r's lower-cased form.
        self.canonical = np.array([self.rows[w.lower()] for w in vectors.words[: self.size]], dtype=np.intp)

    def get(self, word: str) -> int | None:
        return self.rows.get(word.lower())


@dataclass
class _Questions:
    names: list[str]
    oov: list[int]
    rows: npt.NDArray[np.intp]  # (questions, 4): a, b, c, expected
    section: npt.NDArray[np.intp]


def _read_questions(path: Path, vocab: _Vocab) -> _Questions:
    names: list[str] = []
    oov: list[int] = []
    rows: list[tuple[int, ...]] = []
    section: list[int] = []
    for line_no, line in _lines(path):
        if line.startswith(": "):
            names.append(line[2:].strip())
            oov.append(0)
            continue
        words = line.split()
        if not words:
            continue
        if not names:
            raise InputError(f"{path}: line {line_no}: a question before the first ': section' header")
        if len(words) != 4:
            raise InputError(f"{path}: line {line_no}: expected 4 words 'a b c expected', found {len(words)}")
        found = [vocab.get(w) for w in words]
        if any(r is None for r in found):
            oov[-1] += 1
            continue
        rows.append(tuple(r for r in found if r is not None))
        section.append(len(names) - 1)
    if not names:
        raise InputError(f"{path}: no ': section' header; not an analogies file")
    return _Questions(names, oov, np.array(rows, dtype=np.intp).reshape(-1, 4), np.array(section, dtype=np.intp))


def _score_questions(
    unit: Matrix,
    vocab: _Vocab,
    questions: npt.NDArray[np.intp],
    method: str,
    epsilon: float,
    on_progress: Progress | None,
) -> npt.NDArray[np.bool_]:
    candidates = unit[: vocab.size]
    batch = max(1, _BATCH_CELLS // vocab.size)
    correct = np.zeros(len(questions), dtype=bool)
    for start in range(0, len(questions), batch):
        chunk = questions[start : start + batch]
        a, b, c = chunk[:, 0:1], chunk[:, 1:2], chunk[:, 2:3]
        scores = ANALOGY_METHODS[method](unit, candidates, np.hstack([b, c]), a, epsilon)
        inputs = chunk[:, :3]
        scores[np.arange(len(chunk))[:, None], inputs] = -np.inf
        predicted = _predict(scores, inputs, vocab.canonical)
        correct[start : start + batch] = predicted == chunk[:, 3]
        if on_progress is not None:
            on_progress(min(start + batch, len(questions)), len(questions))
    return correct


def _predict(scores: Matrix, inputs: npt.NDArray[np.intp], canonical: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """The best row per question; a case variant of an input word is passed over, as gensim does.

    gensim looks at its top 5 and takes the first that is not an input word in another case;
    only vocabularies with mixed case take the slow path below.
    """
    predicted: npt.NDArray[np.intp] = canonical[np.argmax(scores, axis=1)]
    clash = (predicted[:, None] == inputs).any(axis=1)
    for i in np.flatnonzero(clash):
        top = canonical[top_k(scores[i], 5)]
        allowed = top[~np.isin(top, inputs[i])]
        predicted[i] = allowed[0] if len(allowed) else -1
    return predicted


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            try:
                yield line_no, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: line {line_no}: not valid UTF-8") from exc
