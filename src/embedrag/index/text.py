"""Turning text into BM25 terms: lower-case Unicode words, English stop words, optional S-stemming.

Pure functions. The analyzer a collection was created with is recorded in its database,
because stored postings are only meaningful with the analyzer that produced them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ANALYZERS", "STOP_WORDS", "Analyzer", "s_stem", "term_counts", "words"]

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERM_CHARS = 64
"""Longer "words" (base64, hashes, minified code) are dropped: they only bloat the vocabulary."""

# One string split at import: a 130-line set literal would bury the module.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most
    my myself no nor not of off on once only or other our ours ourselves out over own same she should
    so some such than that the their theirs them themselves then there these they this those through to
    too under until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves""".split()  # noqa: SIM905
)
"""A small English list (NLTK's core, minus contractions): words too common to rank by."""


def words(text: str) -> list[str]:
    """Lower-cased Unicode words of ``text``, in order, stop words included.

    >>> words("Héllo, World! It's 2024.")
    ['héllo', 'world', 'it', 's', '2024']
    """
    return [w for w in _WORD.findall(text.casefold()) if len(w) <= MAX_TERM_CHARS]


def s_stem(word: str) -> str:
    """Harman's S-stemmer: fold English plurals only (``ies``->``y``, ``es``->``e``, ``s``->``"``).

    >>> [s_stem(w) for w in ["queries", "indexes", "cats", "glass", "news", "series", "is"]]
    ['query', 'indexe', 'cat', 'glass', 'new', 'sery', 'is']
    """
    if len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Analyzer:
    """A named text -> terms function; the name is what a collection records."""

    name: str
    stop_words: frozenset[str]
    stem: Callable[[str], str] | None

    def terms(self, text: str) -> list[str]:
        """The BM25 terms of ``text``, in order, repeats kept.

        >>> ANALYZERS["en"].terms("The cats and the queries")
        ['cat', 'query']
        """
        kept = [w for w in words(text) if w not in self.stop_words]
        return [self.stem(w) for w in kept] if self.stem else kept


ANALYZERS: dict[str, Analyzer] = {
    "en": Analyzer("en", STOP_WORDS, s_stem),
    "en-nostem": Analyzer("en-nostem", STOP_WORDS, None),
    "plain": Analyzer("plain", frozenset(), None),
}
"""Analyzers by name; ``en`` is the default for new collections."""


def term_counts(analyzer: Analyzer, text: str) -> tuple[Counter[str], int]:
    """Term frequencies of ``text`` and its length in terms (the BM25 document length).

    >>> term_counts(ANALYZERS["en"], "dogs chase dogs")
    (Counter({'dog': 2, 'chase': 1}), 3)
    """
    terms = analyzer.terms(text)
    return Counter(terms), len(terms)
