"""Where each token of a text lies, and how strong the break before it is.

The text is tokenized once, in large pieces cut at whitespace and encoded in
parallel (``encode_batch``): a 5 MB text takes about a second. Chunking then only
looks at these arrays; it never re-tokenizes to try a cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import tokenizers
from numpy.typing import NDArray

from embedrag.ingest.boundaries import MID_WORD, PIECE, SPACE, mark_boundaries
from embedrag.tokenize.protocol import Tokenizer

__all__ = ["TokenSpans", "bare_counter", "token_spans"]

_PIECE_CHARS = 1 << 16
_WHITESPACE = re.compile(r"\s")
_WORDS = re.compile(r"\S+")
# Pre-tokenizers that split only at whitespace and punctuation: the pieces of a text
# cut between two words are exactly the pieces the whole text had there.
_WORD_LOCAL_PRE_TOKENIZERS = frozenset({"BertPreTokenizer", "Whitespace", "WhitespaceSplit"})


@dataclass(frozen=True)
class TokenSpans:
    """Token ``i`` covers ``text[starts[i]:ends[i]]``; ``breaks[i]`` is the break before it."""

    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    breaks: NDArray[np.int8]
    exact: bool
    """Whether a text cut at breaks of PIECE or stronger re-tokenizes to exactly these tokens."""

    def __len__(self) -> int:
        return len(self.starts)


def token_spans(text: str, tokenizer: Tokenizer, metadata: Mapping[str, Any]) -> TokenSpans:
    """Token positions of ``text`` (special tokens excluded) with their breaks marked."""
    backend = getattr(tokenizer, "backend", None)
    if isinstance(backend, tokenizers.Tokenizer):
        starts, ends, breaks = _backend_spans(text, backend)
        exact = type(backend.pre_tokenizer).__name__ in _WORD_LOCAL_PRE_TOKENIZERS
    else:
        starts, ends, breaks = _word_spans(text, tokenizer)
        exact = False
    if len(starts):
        mark_boundaries(text, metadata, starts, breaks)
    return TokenSpans(starts, ends, breaks, exact)


def bare_counter(tokenizer: Tokenizer) -> Callable[[str], int]:
    """A function counting the tokens of a text without the special tokens the tokenizer adds."""
    backend = getattr(tokenizer, "backend", None)
    if isinstance(backend, tokenizers.Tokenizer):
        return lambda text: len(backend.encode(text, add_special_tokens=False).ids)
    specials = tokenizer.count("")
    return lambda text: tokenizer.count(text) - specials


def _pieces(text: str) -> Iterator[int]:
    """Offsets where pieces of about ``_PIECE_CHARS`` start, each at the start of a whitespace run."""
    start = 0
    while start < len(text):
        yield start
        cut = start + _PIECE_CHARS
        if cut >= len(text):
            return
        space = max(text.rfind(" ", start + _PIECE_CHARS // 2, cut), text.rfind("\n", start + _PIECE_CHARS // 2, cut))
        if space < 0:
            found = _WHITESPACE.search(text, cut)
            if found is None:
                return
            space = found.start()
        while space > start + 1 and text[space - 1].isspace():
            space -= 1
        start = space


def _backend_spans(
    text: str, backend: tokenizers.Tokenizer
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int8]]:
    offsets = list(_pieces(text)) or [0]
    bounds = [*offsets[1:], len(text)]
    encodings = backend.encode_batch(
        [text[a:b] for a, b in zip(offsets, bounds, strict=True)], add_special_tokens=False
    )
    spans = [
        np.array(e.offsets, dtype=np.int64).reshape(-1, 2) + offset
        for offset, e in zip(offsets, encodings, strict=True)
    ]
    words = [np.array([-1 if w is None else w for w in e.word_ids], dtype=np.int64) for e in encodings]
    both = np.concatenate(spans) if spans else np.zeros((0, 2), dtype=np.int64)
    word_ids = np.concatenate(words) if words else np.zeros(0, dtype=np.int64)
    starts, ends = both[:, 0].copy(), both[:, 1].copy()
    breaks = np.full(len(starts), MID_WORD, dtype=np.int8)
    if len(starts):
        breaks[1:][word_ids[1:] != word_ids[:-1]] = PIECE
        # Each piece starts a new word (word ids restart per piece).
        firsts = np.cumsum([0, *(len(w) for w in words[:-1])])
        breaks[firsts[firsts < len(starts)]] = PIECE
        # A gap between two words is whitespace (inside one word it is a dropped control character).
        breaks[1:][(starts[1:] > ends[:-1]) & (breaks[1:] >= PIECE)] = SPACE
        breaks[0] = SPACE
    return starts, ends, breaks


def _word_spans(text: str, tokenizer: Tokenizer) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int8]]:
    """Spans for tokenizers without offsets: each word's pieces share its characters evenly."""
    counts: dict[str, int] = {}
    count = bare_counter(tokenizer)
    starts: list[int] = []
    ends: list[int] = []
    breaks: list[int] = []
    for match in _WORDS.finditer(text):
        word = match.group()
        pieces = counts.get(word)
        if pieces is None:
            # At most one piece per character: spans are never empty (the true count is checked later).
            pieces = counts[word] = max(1, min(len(word), count(word)))
        a, b = match.span()
        cuts = [a + (b - a) * k // pieces for k in range(pieces + 1)]
        starts.extend(cuts[:-1])
        ends.extend(cuts[1:])
        breaks.extend([SPACE] + [MID_WORD] * (pieces - 1))
    return (
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        np.array(breaks, dtype=np.int8),
    )
