"""What a collection embeds for each chunk: the chunk's text under a line saying where it sits.

A chunk cut from the middle of a long page often does not name its subject: the "Sub-commands"
section of argparse's page, a table under a man page's EXIT STATUS. The document's title and the
chunk's heading path name it, so the embedded text is that line, a blank line, then the chunk
(``"argparse — Parser for command-line options > Sub-commands\\n\\n..."``). The stored chunk and its
offsets stay the reader's text: hits, BM25 and ``ask`` see the text alone.

How a collection builds the line is part of its embedding spec (``passage_context``, a key of
:data:`PASSAGE_CONTEXTS`). A collection written before the spec said so reads as ``"none"`` and goes
on embedding chunks alone, so a re-ingest never mixes two kinds of passage vectors in it. A document
with neither a title nor headings (plain text, most records) is embedded as before in every case.

Room: the line and the chunk must fit the encoder's window together. A document that has a line
gets chunks shorter by the tokens of its longest line (at most :data:`CONTEXT_SHARE` of the
window); a longer line loses its outermost parts until it fits. A chunk never loses a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from embedrag.errors import ConfigError
from embedrag.ingest.chunk import DEFAULT_OVERLAP_TOKENS, chunk_document
from embedrag.ingest.spans import bare_counter
from embedrag.ingest.structure import Outline
from embedrag.tokenize.protocol import Tokenizer
from embedrag.types import Chunk, Document

__all__ = [
    "CONTEXT_SHARE",
    "DEFAULT_PASSAGE_CONTEXT",
    "PASSAGE_CONTEXTS",
    "Passage",
    "Passages",
    "check_passage_context",
    "context_parts",
]

_SPACES = re.compile(r"\s+")
_JOIN = " > "


def _none(title: str, headings: Sequence[str]) -> list[str]:
    return []


def _title_and_headings(title: str, headings: Sequence[str]) -> list[str]:
    """The title, then the heading path. The title is left out when the first heading is part of it
    (a page titled "argparse — ... — Python 3.11.2 documentation" under its h1 "argparse — ...":
    the heading is the page's name without the site's) or repeats a heading."""
    parts = [part for part in (_SPACES.sub(" ", h).strip() for h in headings) if part]
    if title and not (parts and (parts[0] in title or title in parts)):
        parts.insert(0, title)
    return [part for i, part in enumerate(parts) if i == 0 or part != parts[i - 1]]


PASSAGE_CONTEXTS: Mapping[str, Callable[[str, Sequence[str]], list[str]]] = {
    "none": _none,
    "title-headings": _title_and_headings,
}
"""``passage_context`` -> the parts of a chunk's line, from the document's title and the chunk's headings."""

DEFAULT_PASSAGE_CONTEXT = "title-headings"
"""What a new collection embeds. On the Python docs benchmark of docs/collections.md (60 queries) it
moved hit@1 from 0.883 to 0.933 and MRR@10 from 0.929 to 0.960 over chunks alone; the data sets of
docs/quality.md have no titles or headings, and embed as before."""

CONTEXT_SHARE = 0.25
"""The most of the encoder's window a document's line may take from its chunks."""


def check_passage_context(name: str) -> None:
    """Raise :class:`ConfigError` unless ``name`` is a key of :data:`PASSAGE_CONTEXTS`."""
    if name not in PASSAGE_CONTEXTS:
        raise ConfigError(f"unknown passage_context {name!r}; known: {', '.join(PASSAGE_CONTEXTS)}")


def context_parts(context: str, metadata: Mapping[str, Any], headings: Sequence[str]) -> list[str]:
    """The parts of the line put before a chunk under ``headings`` of a document with ``metadata``."""
    title = metadata.get("title")
    title = _SPACES.sub(" ", title).strip() if isinstance(title, str) else ""
    return PASSAGE_CONTEXTS[context](title, headings)


@dataclass(frozen=True)
class Passage:
    """A chunk and the text embedded for it."""

    chunk: Chunk
    text: str


@dataclass(frozen=True)
class Passages:
    """How a collection cuts documents into chunks and what it embeds for each.

    ``chunk_tokens`` is the most word pieces a chunk holds; ``room`` the most the encoder takes in one
    passage (its limit less special tokens and prompt; ``None`` for no limit), which the line and the
    chunk share.
    """

    tokenizer: Tokenizer
    chunk_tokens: int
    overlap_tokens: int = DEFAULT_OVERLAP_TOKENS
    context: str = "none"
    room: int | None = None

    def __post_init__(self) -> None:
        check_passage_context(self.context)

    def cut(self, doc: Document) -> list[Passage]:
        """``doc``'s chunks, each with the text to embed for it."""
        count = bare_counter(self.tokenizer)
        budget = self._budget(doc, count)
        overlap = min(self.overlap_tokens, budget - 1)  # the overlap stays a part of the shorter window
        chunks = chunk_document(doc, self.tokenizer, chunk_tokens=budget, overlap_tokens=overlap)
        return [Passage(chunk, self._text(doc, chunk, count)) for chunk in chunks]

    def _lines(self, doc: Document) -> list[list[str]]:
        """Every line a chunk of ``doc`` can get: before the first heading, and under each heading."""
        outline = Outline.of(doc.metadata)
        paths = [[], *(outline.paths if outline is not None else [])]
        return [parts for parts in (context_parts(self.context, doc.metadata, p) for p in paths) if parts]

    def _budget(self, doc: Document, count: Callable[[str], int]) -> int:
        """Word pieces a chunk of ``doc`` may hold, leaving room for its longest line."""
        lines = self._lines(doc) if self.room is not None else []
        if not lines or self.room is None:
            return self.chunk_tokens
        # One more for the blank line between, which a tokenizer may count.
        need = max(count(_JOIN.join(parts)) for parts in lines) + 1
        return min(self.chunk_tokens, self.room - min(need, int(CONTEXT_SHARE * self.room)))

    def embedded_text(self, text: str, metadata: Mapping[str, Any]) -> str:
        """What was embedded for a stored chunk of ``text``, from a hit's ``metadata`` (its document's
        overlaid by its own: the title and the chunk's headings), so that a chunk encoded again at
        query time (a late rerank) is encoded as its ingest encoded it."""
        parts = context_parts(self.context, metadata, metadata.get("headings") or [])
        return self._with_line(text, parts, bare_counter(self.tokenizer))

    def _text(self, doc: Document, chunk: Chunk, count: Callable[[str], int]) -> str:
        parts = context_parts(self.context, doc.metadata, chunk.metadata.get("headings") or [])
        return self._with_line(chunk.text, parts, count)

    def _with_line(self, text: str, parts: list[str], count: Callable[[str], int]) -> str:
        """The line and the chunk's ``text``, the line losing outer parts while both do not fit ``room``."""
        while parts:
            passage = f"{_JOIN.join(parts)}\n\n{text}"
            if self.room is None or count(passage) <= self.room:
                return passage
            parts = parts[1:]
        return text
