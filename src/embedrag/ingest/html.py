"""HTML files: the visible text, blocks on their own lines, h1-h6 recorded as the outline.

Parsed with selectolax (lexbor, an HTML5 parser). Scripts, styles, templates, the
``<head>`` and ``hidden`` elements are dropped; whitespace collapses as a browser
would, except inside ``<pre>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from embedrag.ingest.files import FileRef, read_text
from embedrag.ingest.protocol import LoadOptions
from embedrag.ingest.skipped import Loaded, Skipped
from embedrag.ingest.structure import OUTLINE
from embedrag.types import Document

__all__ = ["html_text", "load_html"]

_INVISIBLE = frozenset({"head", "script", "style", "noscript", "template", "iframe", "object", "canvas", "svg"})
# Blocks that stand apart as paragraphs (a blank line) or as lines (one newline).
_PARAGRAPHS = frozenset(
    "p h1 h2 h3 h4 h5 h6 pre blockquote ul ol dl table section article header footer nav aside main "  # noqa: SIM905
    "figure form fieldset details address hr".split()
)
_LINES = frozenset("div li tr dt dd br caption figcaption summary legend option".split())  # noqa: SIM905
_CELLS = frozenset({"td", "th"})
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_SPACES = re.compile(r"\s+")
_ORDER = {"": 0, " ": 1, "\n": 2, "\n\n": 3}


def load_html(ref: FileRef, options: LoadOptions) -> Iterator[Loaded]:
    """One :class:`Document` of visible text with its heading outline, or a :class:`Skipped` report."""
    read = read_text(ref)
    if isinstance(read, Skipped):
        yield read
        return
    source, metadata = read
    text, outline, title = html_text(source)
    if not text.strip():
        yield ref.skip(f"{ref.source} has no visible text")
        return
    extra: dict[str, Any] = {OUTLINE: outline} | ({"title": title} if title else {})
    yield Document(ref.doc_id, text, ref.source, {**metadata, **extra})


class _Text:
    """Text built piece by piece; separators are asked for and written only before more text."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.pending = ""
        self.capture: list[str] | None = None  # the open heading's text

    def separate(self, separator: str) -> None:
        if _ORDER[separator] > _ORDER[self.pending]:
            self.pending = separator

    def next_offset(self) -> int:
        return self.length + len(self.pending) if self.length else 0

    def add(self, text: str) -> None:
        if not text:
            return
        piece = (self.pending + text) if self.length else text
        self.parts.append(piece)
        self.length += len(piece)
        self.pending = ""
        if self.capture is not None:
            self.capture.append(piece if self.capture else text)

    def add_collapsed(self, raw: str) -> None:
        text = _SPACES.sub(" ", raw)
        if text.startswith(" "):
            self.separate(" ")
        self.add(text.strip(" "))
        if text.endswith(" "):
            self.separate(" ")


def html_text(html: str) -> tuple[str, list[list[Any]], str]:
    """The visible text of ``html``, its outline (``[offset, level, title]`` per heading) and its title.

    >>> text, outline, title = html_text(
    ...     "<title>T</title><h1>Intro</h1><p>One  <b>two</b></p><script>x()</script><ul><li>a<li>b</ul>"
    ... )
    >>> text, outline, title
    ('Intro\\n\\nOne two\\n\\na\\nb', [[0, 1, 'Intro']], 'T')
    """
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = _SPACES.sub(" ", title_node.text()).strip() if title_node is not None else ""
    out = _Text()
    outline: list[list[Any]] = []
    root = tree.body if tree.body is not None else tree.root
    if root is not None:
        _walk(root, out, outline)
    return "".join(out.parts), outline, title


def _walk(root: LexborNode, out: _Text, outline: list[list[Any]]) -> None:
    # An explicit stack, not recursion: deeply nested pages must not hit the recursion limit.
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    pre_depth = 0
    heading: tuple[int, int] | None = None  # (offset, level) of the open heading
    while stack:
        node, leaving = stack.pop()
        tag = node.tag or ""
        if leaving:
            pre_depth -= tag == "pre"
            if tag in _HEADINGS and heading is not None and out.capture is not None:
                title = _SPACES.sub(" ", "".join(out.capture)).strip()
                if title:
                    outline.append([heading[0], heading[1], title])
                heading, out.capture = None, None
            out.separate(_separator(tag))
            continue
        if tag == "-text":
            raw = node.text_content or ""
            out.add(raw) if pre_depth else out.add_collapsed(raw)
            continue
        if tag.startswith("-") or tag in _INVISIBLE or "hidden" in node.attributes:
            continue  # comments, doctype, invisible elements
        out.separate(_separator(tag))
        pre_depth += tag == "pre"
        if tag in _HEADINGS and heading is None:
            heading, out.capture = (out.next_offset(), _HEADINGS[tag]), []
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.iter(include_text=True))))


def _separator(tag: str) -> str:
    if tag in _PARAGRAPHS:
        return "\n\n"
    if tag in _LINES:
        return "\n"
    return " " if tag in _CELLS else ""
