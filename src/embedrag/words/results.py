"""Small frozen result types returned by word-vector queries and evaluations."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["AnalogyScore", "Neighbor", "SectionScore", "SimilarityScore"]


@dataclass(frozen=True)
class Neighbor:
    """A vocabulary word and its score (a cosine, or the 3CosMul objective)."""

    word: str
    score: float


@dataclass(frozen=True)
class SimilarityScore:
    """How well cosines match human ratings in one word-pair file.

    ``pairs`` were scored; ``oov`` pairs had a word outside the (restricted) vocabulary
    and are listed in ``oov_pairs``: reported, never silently dropped.
    """

    file: str
    spearman: float
    pearson: float
    pairs: int
    oov: int
    oov_pairs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SectionScore:
    """Analogy results of one ``: section`` of a questions file."""

    name: str
    correct: int
    questions: int
    oov: int

    @property
    def accuracy(self) -> float:
        """``correct / questions``; NaN when every question was out of vocabulary."""
        return self.correct / self.questions if self.questions else math.nan


@dataclass(frozen=True)
class AnalogyScore:
    """Analogy results of one questions file, overall and per section.

    ``questions`` counts the questions whose four words are all in the (restricted)
    vocabulary; ``oov`` counts the others, which are not scored.
    """

    file: str
    method: str
    correct: int
    questions: int
    oov: int
    sections: tuple[SectionScore, ...]

    @property
    def accuracy(self) -> float:
        """``correct / questions``; NaN when every question was out of vocabulary."""
        return self.correct / self.questions if self.questions else math.nan
