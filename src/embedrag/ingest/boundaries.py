"""Where a text may be cut, and how good a cut it is: sections, paragraphs, sentences, words.

Each boundary is the offset where the next piece starts. Finding them is a few
regular-expression passes over the whole text: linear, however long the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from embedrag.ingest.structure import heading_starts

__all__ = ["MID_WORD", "PARAGRAPH", "PIECE", "SECTION", "SENTENCE", "SPACE", "mark_boundaries"]

# Strength of the break before a token, weakest first.
MID_WORD = 0  # inside a word: "unbeliev|able"
PIECE = 1  # between two pieces of text the tokenizer splits apart anyway: "end|."
SPACE = 2  # at whitespace
SENTENCE = 3  # after . ! ? (and their CJK forms), or at a line break
PARAGRAPH = 4  # after a blank line or a page break
SECTION = 5  # where a heading starts

# Anchored on a line break, not on the spaces before it: one pass over a 5 MB text stays fast.
_PARAGRAPH = re.compile(r"(?:\r\n|\r|\n)(?:[ \t]*(?:\r\n|\r|\n))+\s*|\f\s*")
_SENTENCE = re.compile(r"[.!?…。！？]+[\"'”’)\]]*\s+|(?:\r\n|\r|\n)\s*")


def _starts(pattern: re.Pattern[str], text: str) -> NDArray[np.int64]:
    return np.fromiter((m.end() for m in pattern.finditer(text)), dtype=np.int64)


def mark_boundaries(
    text: str, metadata: Mapping[str, Any], starts: NDArray[np.int64], breaks: NDArray[np.int8]
) -> None:
    """Raise ``breaks[i]`` (the break before token ``i``, which starts at ``starts[i]``)
    to SENTENCE, PARAGRAPH or SECTION where such a boundary falls just before that token.

    >>> text = "One. Two\\n\\nThree"
    >>> starts = np.array([0, 3, 5, 8, 10], dtype=np.int64)  # One . Two \\n\\n Three
    >>> breaks = np.array([0, 1, 2, 2, 2], dtype=np.int8)
    >>> mark_boundaries(text, {}, starts, breaks)
    >>> breaks.tolist()
    [0, 1, 3, 2, 4]
    """
    heading = np.asarray(heading_starts(metadata), dtype=np.int64)
    for level, positions in (
        (SENTENCE, _starts(_SENTENCE, text)),
        (PARAGRAPH, _starts(_PARAGRAPH, text)),
        (SECTION, heading),
    ):
        tokens = np.searchsorted(starts, positions, side="left")
        tokens = tokens[tokens < len(starts)]
        tokens = tokens[breaks[tokens] >= PIECE]  # never promote a cut inside a word
        breaks[tokens] = np.maximum(breaks[tokens], level)
