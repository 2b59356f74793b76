"""Markdown files: the text kept as written, headings found by a real Markdown parser.

The parser (markdown-it-py, CommonMark) knows that a ``#`` line inside a code fence
is code, not a heading; setext headings (underlined with ``===``) count too. A YAML front
matter block (Jekyll, Hugo, Obsidian, Pandoc: ``---`` on the first line, closed by ``---`` or
``...``) stays in the text but is not Markdown: CommonMark alone reads it as a heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from markdown_it import MarkdownIt

from embedrag.ingest.files import FileRef, read_text
from embedrag.ingest.protocol import LoadOptions
from embedrag.ingest.skipped import Loaded, Skipped
from embedrag.ingest.structure import OUTLINE
from embedrag.types import Document

__all__ = ["load_markdown", "markdown_outline"]

_NEWLINE = re.compile(r"\r\n?|\n")
_EOL = r"(?:\r\n?|\n)"
# "---" on the first line, then the shortest run of lines up to a "---" or "..." line.
_FRONT_MATTER = re.compile(rf"\A---[ \t]*{_EOL}(?:.*?{_EOL})??(?:---|\.\.\.)[ \t]*(?:{_EOL}|\Z)", re.DOTALL)


def load_markdown(ref: FileRef, options: LoadOptions) -> Iterator[Loaded]:
    """One :class:`Document` with the file's text and its heading outline in metadata."""
    read = read_text(ref)
    if isinstance(read, Skipped):
        yield read
        return
    text, metadata = read
    yield Document(ref.doc_id, text, ref.source, {**metadata, OUTLINE: markdown_outline(text)})


def markdown_outline(text: str) -> list[list[Any]]:
    """``[offset, level, title]`` for each heading; ``offset`` is where its line starts.

    >>> markdown_outline("# Guide\\n\\n```\\n# not a heading\\n```\\n\\nSetup\\n-----\\n")
    [[0, 1, 'Guide'], [34, 2, 'Setup']]
    >>> markdown_outline("---\\ntitle: Guide\\n---\\n# Setup\\n")
    [[21, 1, 'Setup']]
    """
    # Line starts as character offsets: the parser reports headings by line number,
    # counting lines the way it splits them (\r\n, \r or \n).
    line_starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
    tokens = MarkdownIt("commonmark").parse(_without_front_matter(text))
    outline: list[list[Any]] = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.map is None:
            continue
        title = tokens[index + 1].content.strip() if index + 1 < len(tokens) else ""
        outline.append([line_starts[token.map[0]], int(token.tag[1:]), title])
    return outline


def _without_front_matter(text: str) -> str:
    """``text`` with its front matter block's lines left empty: the parser sees no heading in it,
    and the lines after it keep their numbers."""
    front = _FRONT_MATTER.match(text)
    if front is None:
        return text
    return "\n" * len(_NEWLINE.findall(front.group())) + text[front.end() :]
