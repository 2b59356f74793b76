"""Document structure kept in metadata: the heading outline and PDF page starts.

Loaders record where headings and pages start in the text; the chunker turns that
into chunk metadata (the heading path in effect, the page number). Both live under
the keys in :data:`STRUCTURE_KEYS`, which a store may drop from per-chunk metadata.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "OUTLINE",
    "PAGE_STARTS",
    "STRUCTURE_KEYS",
    "Outline",
    "heading_starts",
    "page_at",
    "without_structure",
]

OUTLINE = "outline"
"""Document metadata key: ``[[offset, level, title], ...]`` for each heading, in text order."""
PAGE_STARTS = "page_starts"
"""Document metadata key: character offset where each PDF page's text starts (page 1 first)."""
STRUCTURE_KEYS = (OUTLINE, PAGE_STARTS)


def without_structure(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """A document's metadata as a collection stores it: the outline and page starts served the
    chunker; hits carry each chunk's own headings and page."""
    return {k: v for k, v in metadata.items() if k not in STRUCTURE_KEYS}


class Outline:
    """The heading path in effect at any offset of a text.

    >>> outline = Outline([[0, 1, "Guide"], [10, 2, "Install"], [30, 2, "Use"], [50, 1, "FAQ"]])
    >>> outline.path_at(5), outline.path_at(35), outline.path_at(60)
    (['Guide'], ['Guide', 'Use'], ['FAQ'])
    >>> Outline([]).path_at(3)
    []
    """

    def __init__(self, headings: Sequence[Sequence[Any]]) -> None:
        self.offsets: list[int] = []
        self._paths: list[list[str]] = []
        stack: list[tuple[int, str]] = []  # (level, title) of the open headings
        for offset, level, title in headings:
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((int(level), str(title)))
            self.offsets.append(int(offset))
            self._paths.append([t for _, t in stack])

    @classmethod
    def of(cls, metadata: Mapping[str, Any]) -> Outline | None:
        """The outline recorded in a document's metadata, or ``None`` if it has none."""
        headings = metadata.get(OUTLINE)
        return None if headings is None else cls(headings)

    @property
    def paths(self) -> list[list[str]]:
        """The heading path under each heading, in text order."""
        return [list(path) for path in self._paths]

    def path_at(self, offset: int) -> list[str]:
        """Titles of the headings in effect at ``offset``, outermost first."""
        index = bisect.bisect_right(self.offsets, offset) - 1
        return list(self._paths[index]) if index >= 0 else []


def heading_starts(metadata: Mapping[str, Any]) -> list[int]:
    """Offsets where headings start: the strongest places to cut a document."""
    return [int(h[0]) for h in metadata.get(OUTLINE, ())]


def page_at(page_starts: Sequence[int], offset: int) -> int:
    """1-based number of the page holding ``offset``.

    >>> page_at([0, 120, 300], 0), page_at([0, 120, 300], 150), page_at([0, 120, 300], 999)
    (1, 2, 3)
    """
    return max(1, bisect.bisect_right(page_starts, offset))
