"""What both adapters do alike: one result per collection document, a document's text from its chunks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from embedrag.collection import StoredChunk
from embedrag.errors import InputError
from embedrag.types import Hit

__all__ = ["joined", "no_options", "one_per_document"]


def no_options(options: dict[str, Any], where: str) -> None:
    """Options nobody reads are an error, not silently ignored."""
    if options:
        raise InputError(f"{where} does not take {', '.join(map(repr, sorted(options)))}")


def one_per_document(search: Callable[[int], list[Hit]], k: int) -> list[Hit]:
    """The best hit of each of the ``k`` best documents: ``search(n)`` is asked for more while documents repeat.

    >>> hits = [Hit(f"{d}#{p}", 1.0, "", d, {}, d) for d, p in [("a", 0), ("a", 1), ("b", 0)]]
    >>> [h.id for h in one_per_document(lambda n: hits[:n], 2)]
    ['a#0', 'b#0']
    """
    wanted = k
    while True:
        hits = search(wanted)
        best: dict[str, Hit] = {}
        for hit in hits:
            best.setdefault(hit.doc_id, hit)
        if len(best) >= k or len(hits) < wanted:
            return list(best.values())[:k]
        wanted *= 4


def joined(chunks: Sequence[StoredChunk]) -> str:
    """A document's text from its chunks in position order: overlaps once, a gap between two as spaces.

    >>> first = StoredChunk("d#0", "d", "one two", "d", {}, 0, 7)
    >>> joined([first, StoredChunk("d#1", "d", "two three", "d", {}, 4, 13)])
    'one two three'
    """
    text, end = "", None
    for chunk in chunks:
        start, stop = chunk.start or 0, chunk.end or 0
        if end is None:
            text = chunk.text
        elif start >= end:
            text += " " * (start - end) + chunk.text
        else:
            text += chunk.text[end - start :]
        end = stop if end is None else max(end, stop)
    return text
