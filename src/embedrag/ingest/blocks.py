"""A document's text assembled block by block, with the heading outline and page starts it records.

The loaders of formats made of parts (DOCX paragraphs, PPTX slides, EPUB chapters)
add blocks in reading order; offsets in the outline and page starts are exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from embedrag.ingest.files import FileRef
from embedrag.ingest.skipped import Loaded
from embedrag.ingest.structure import OUTLINE, PAGE_STARTS
from embedrag.types import Document

__all__ = ["TextBlocks"]


class TextBlocks:
    """Text with its outline (``[offset, level, title]``) and, when pages are marked, page starts.

    >>> blocks = TextBlocks()
    >>> blocks.page(); blocks.add("Intro", level=1); blocks.add("Hello.")
    >>> blocks.page(); blocks.add("a | b"); blocks.add("c | d", separator="\\n")
    >>> blocks.text, blocks.structure()
    ('Intro\\n\\nHello.\\n\\na | b\\nc | d', {'outline': [[0, 1, 'Intro']], 'page_starts': [0, 15]})
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.outline: list[list[Any]] = []
        self.page_starts: list[int] | None = None
        self._pages_pending = 0  # pages marked whose first block is still to come

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def _next_offset(self, separator: str) -> int:
        return self._length + len(separator) if self._length else 0

    def add(self, text: str, *, level: int = 0, separator: str = "\n\n") -> None:
        """Append a block (stripped; nothing if empty); ``level`` > 0 makes it a heading of that level."""
        text = text.strip()
        if not text:
            return
        if self._length:
            self._parts.append(separator)
            self._length += len(separator)
        if self.page_starts is not None:
            self.page_starts.extend([self._length] * self._pages_pending)
            self._pages_pending = 0
        if level:
            self.outline.append([self._length, level, " ".join(text.split())])
        self._parts.append(text)
        self._length += len(text)

    def add_section(self, text: str, outline: Sequence[Sequence[Any]]) -> None:
        """Append a block that has an outline of its own (offsets into ``text``), shifted to where it lands."""
        stripped = text.lstrip()
        cut = len(text) - len(stripped)
        start = self._next_offset("\n\n")
        before = self._length
        self.add(text)
        if self._length != before:
            self.outline.extend([start + int(offset) - cut, level, title] for offset, level, title in outline)

    def page(self) -> None:
        """Mark that the next block starts a new page (a slide, a chapter)."""
        if self.page_starts is None:
            self.page_starts = []
        self._pages_pending += 1

    def structure(self) -> dict[str, Any]:
        """The metadata entries to store: the outline, and the page starts if pages were marked."""
        found: dict[str, Any] = {OUTLINE: self.outline}
        if self.page_starts is not None:
            found[PAGE_STARTS] = self.page_starts + [self._length] * self._pages_pending
        return found

    def document(self, ref: FileRef, metadata: dict[str, Any]) -> Loaded:
        """The file's :class:`Document` of this text, its structure and ``metadata``; skipped if it has no text."""
        if not self.text.strip():
            return ref.skip(f"{ref.source} has no text")
        return Document(ref.doc_id, self.text, ref.source, {**metadata, **self.structure()})
