"""Chunking: a document's text cut into pieces of at most ``chunk_tokens`` tokens, with overlap.

Pure functions: no I/O. The text is tokenized once (see :mod:`embedrag.ingest.spans`);
each chunk then takes as many tokens as fit and ends at the strongest break it can
find in its window, by the strategy's table of preferences. A strategy is data:
``(break level, least share of the window the chunk must fill)`` pairs tried in
order; a chunk is cut inside a word only when no break fits at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from embedrag.errors import ConfigError
from embedrag.ingest.boundaries import PARAGRAPH, PIECE, SECTION, SENTENCE, SPACE
from embedrag.ingest.spans import TokenSpans, bare_counter, token_spans
from embedrag.ingest.structure import PAGE_STARTS, Outline, page_at
from embedrag.tokenize.protocol import Tokenizer
from embedrag.types import Chunk, Document

__all__ = ["CHUNKERS", "DEFAULT_OVERLAP_TOKENS", "chunk_document"]

CHUNKERS: Mapping[str, Sequence[tuple[int, float]]] = {
    # A heading may end a chunk that fills a quarter of its window, a paragraph or a
    # sentence one that fills half: short chunks only where the structure asks for them.
    "structure": ((SECTION, 0.25), (PARAGRAPH, 0.5), (SENTENCE, 0.5), (SPACE, 0.0), (PIECE, 0.0)),
    # Full windows cut at whitespace, whatever the structure.
    "tokens": ((SPACE, 0.0), (PIECE, 0.0)),
}
"""Chunking strategies: name -> preferences, ``(break level, least fill of the window)``, tried in order."""

DEFAULT_OVERLAP_TOKENS = 32
"""Tokens a chunk repeats of the one before, unless told otherwise: an eighth of a 256-token window."""

# Where the next chunk may start inside the overlap, best first.
_OVERLAP_STARTS = (SENTENCE, SPACE, PIECE)


def chunk_document(
    doc: Document,
    tokenizer: Tokenizer,
    *,
    chunk_tokens: int = 254,
    overlap_tokens: int = DEFAULT_OVERLAP_TOKENS,
    strategy: str = "structure",
) -> list[Chunk]:
    """Cut ``doc.text`` into chunks of at most ``chunk_tokens`` tokens (special tokens not counted).

    Chunks prefer to end at headings, then paragraphs, then sentences, then words.
    Each next chunk repeats up to ``overlap_tokens`` tokens of the one before
    (starting at a sentence or word), except after a heading. Every chunk has exact
    offsets (``doc.text[chunk.start:chunk.end] == chunk.text``), its true token count,
    and metadata: ``headings`` (the heading path at its start) when the document has
    an outline, ``page`` (1-based) when it has page starts. Text without any token
    (only whitespace) gives no chunks. An encoder adds special tokens (2 for BERT):
    pass its limit minus those.

    >>> from embedrag.tokenize import load_tokenizer
    >>> doc = Document("a.txt", "One sentence here. Another one there.\\n\\nA second paragraph.", "a.txt")
    >>> for chunk in chunk_document(doc, load_tokenizer("all-MiniLM-L6-v2"), chunk_tokens=9, overlap_tokens=0):
    ...     print(chunk.id, chunk.start, chunk.end, chunk.tokens, repr(chunk.text))
    a.txt#0 0 37 8 'One sentence here. Another one there.'
    a.txt#1 39 58 4 'A second paragraph.'
    """
    preferences = CHUNKERS.get(strategy)
    if preferences is None:
        raise ConfigError(f"unknown chunking strategy '{strategy}'; known: {', '.join(CHUNKERS)}")
    if chunk_tokens < 1:
        raise ConfigError(f"chunk_tokens must be at least 1, got {chunk_tokens}")
    if not 0 <= overlap_tokens < chunk_tokens:
        raise ConfigError(f"overlap_tokens must be in [0, chunk_tokens={chunk_tokens}), got {overlap_tokens}")
    spans = token_spans(doc.text, tokenizer, doc.metadata)
    ranges = _token_ranges(doc.text, spans, preferences, chunk_tokens, overlap_tokens, bare_counter(tokenizer))
    describe = _describer(doc.metadata)
    chunks = []
    for position, (start, end, tokens) in enumerate(ranges):
        chunks.append(Chunk(doc.id, position, doc.text[start:end], start, end, tokens, describe(start)))
    return chunks


def _describer(metadata: Mapping[str, Any]) -> Callable[[int], dict[str, Any]]:
    """Chunk metadata for a chunk starting at an offset: heading path, page."""
    outline = Outline.of(metadata)
    pages = metadata.get(PAGE_STARTS)

    def describe(start: int) -> dict[str, Any]:
        facts: dict[str, Any] = {}
        if outline is not None:
            facts["headings"] = outline.path_at(start)
        if pages is not None:
            facts["page"] = page_at(pages, start)
        return facts

    return describe


class _Cutter:
    """Finds cuts by break level: ``at_least[level]`` lists the tokens whose break is that strong."""

    def __init__(self, spans: TokenSpans) -> None:
        self.spans = spans
        self.at_least = {level: np.flatnonzero(spans.breaks >= level) for level in range(PIECE, SECTION + 1)}

    def last(self, level: int, low: int, high: int) -> int | None:
        """The last token in ``[low, high]`` with a break of ``level`` or stronger."""
        found = self.at_least[level]
        index = int(np.searchsorted(found, high, side="right")) - 1
        return int(found[index]) if index >= 0 and found[index] >= low else None

    def first(self, level: int, low: int, high: int) -> int | None:
        """The first token in ``[low, high)`` with a break of ``level`` or stronger."""
        found = self.at_least[level]
        index = int(np.searchsorted(found, low, side="left"))
        return int(found[index]) if index < len(found) and found[index] < high else None


def _token_ranges(
    text: str,
    spans: TokenSpans,
    preferences: Sequence[tuple[int, float]],
    limit: int,
    overlap: int,
    count: Callable[[str], int],
) -> list[tuple[int, int, int]]:
    """``(start offset, end offset, true token count)`` of each chunk."""
    cutter, total = _Cutter(spans), len(spans)
    ranges: list[tuple[int, int, int]] = []
    first = 0
    while first < total:
        stop, level = _cut(cutter, preferences, first, min(first + limit, total), limit)
        stop, tokens = _verified(text, spans, cutter, preferences, first, stop, limit, count)
        start, end = int(spans.starts[first]), int(spans.ends[stop - 1])
        if end <= start:
            pass  # tokens without characters (zero-width offsets) make no chunk
        elif tokens <= limit:
            ranges.append((start, end, tokens))
        else:  # one token whose text alone re-tokenizes into more than ``limit`` pieces
            ranges.extend(_split_characters(text, start, end, limit, count))
        if stop >= total:
            break
        first = _next_first(cutter, first, stop, overlap, level)
    return ranges


def _cut(
    cutter: _Cutter, preferences: Sequence[tuple[int, float]], first: int, high: int, limit: int
) -> tuple[int, int]:
    """Where the chunk starting at token ``first`` ends (``high`` at most), and the break level there."""
    if high >= len(cutter.spans):
        return len(cutter.spans), SECTION
    for level, fill in preferences:
        stop = cutter.last(level, first + max(1, math.ceil(fill * limit)), high)
        if stop is not None:
            return stop, level
    return high, 0  # one word longer than the window: cut inside it


def _verified(
    text: str,
    spans: TokenSpans,
    cutter: _Cutter,
    preferences: Sequence[tuple[int, float]],
    first: int,
    stop: int,
    limit: int,
    count: Callable[[str], int],
) -> tuple[int, int]:
    """``stop`` and the chunk's true token count, moving ``stop`` back until the count fits.

    Cuts between words of a word-local tokenizer (WordPiece) are exact and need no
    check; a cut inside a word, or any cut with other tokenizers, is re-counted.
    """
    breaks = spans.breaks
    if spans.exact and breaks[first] >= PIECE and (stop == len(spans) or breaks[stop] >= PIECE):
        return stop, stop - first
    while True:
        tokens = count(text[spans.starts[first] : spans.ends[stop - 1]])
        if tokens <= limit or stop - first == 1:
            return stop, tokens
        stop, _ = _cut(cutter, preferences, first, stop - max(1, tokens - limit), limit)
        stop = max(stop, first + 1)


def _next_first(cutter: _Cutter, first: int, stop: int, overlap: int, level: int) -> int:
    """Where the next chunk starts: up to ``overlap`` tokens before ``stop``, at a sentence or word."""
    if overlap == 0 or level == SECTION:
        return stop  # a new section starts afresh
    low = max(first + 1, stop - overlap)
    for start_level in _OVERLAP_STARTS:
        found = cutter.first(start_level, low, stop)
        if found is not None:
            return found
    return stop


def _split_characters(
    text: str, start: int, end: int, limit: int, count: Callable[[str], int]
) -> list[tuple[int, int, int]]:
    """``text[start:end]`` cut into the longest character runs that fit ``limit`` (a character is never cut).

    Only for the rare token whose own text re-tokenizes into more pieces than the
    limit (``"##ub"`` alone is ``"u", "##b"``): a binary search per piece, on a few characters.
    """
    ranges = []
    while start < end:
        low, high = start + 1, end  # the longest fitting run ends in [low, high]
        while low < high:
            middle = (low + high + 1) // 2
            if count(text[start:middle]) <= limit:
                low = middle
            else:
                high = middle - 1
        ranges.append((start, low, count(text[start:low])))
        start = low
    return ranges
