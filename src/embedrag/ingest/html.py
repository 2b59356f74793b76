"""HTML files: the page's main text, blocks on their own lines, h1-h6 recorded as the outline.

Parsed with selectolax (lexbor, an HTML5 parser). The text is the page's main region
(``<main>``, ``role=main``, an ``<article>``, Sphinx's ``div.body``: see
:data:`~embedrag.ingest.furniture.MAIN_SELECTORS`) without its furniture (navigation,
cookie banners, heading permalinks such as Sphinx's "¶"; see
:mod:`embedrag.ingest.furniture`). A page without a main region, or whose main region
holds no text, falls back to its whole body without furniture, then to all its visible
text. Scripts, styles, templates, the ``<head>`` and ``hidden`` elements are always
dropped; whitespace collapses as a browser would, except inside ``<pre>``. Table cells
are separated by `` | ``, one row per line. Title, canonical URL, language and dates go
into metadata when the page states them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from embedrag.ingest.files import FileRef, read_text
from embedrag.ingest.furniture import MAIN_SELECTORS, is_furniture, is_permalink
from embedrag.ingest.limits import too_large
from embedrag.ingest.protocol import LoadOptions
from embedrag.ingest.skipped import Loaded, Skipped
from embedrag.ingest.structure import OUTLINE
from embedrag.types import Document

__all__ = ["Page", "html_page", "load_html"]

_INVISIBLE = frozenset({"head", "script", "style", "noscript", "template", "iframe", "object", "canvas", "svg"})
# Blocks that stand apart as paragraphs (a blank line) or as lines (one newline).
_PARAGRAPHS = frozenset(
    "p h1 h2 h3 h4 h5 h6 pre blockquote ul ol dl table section article header footer nav aside main "  # noqa: SIM905
    "figure form fieldset details address hr".split()
)
_LINES = frozenset("div li tr dt dd br caption figcaption summary legend option".split())  # noqa: SIM905
_CELLS = frozenset({"td", "th"})
_BLOCKS = _PARAGRAPHS | _LINES
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_SPACES = re.compile(r"\s+")
_ORDER = {"": 0, " ": 1, " | ": 2, "\n": 3, "\n\n": 4}
# Page metadata: key -> where pages state it, first found wins.
_META: Mapping[str, tuple[tuple[str, str], ...]] = {
    "canonical": (("link[rel=canonical]", "href"), ("meta[property='og:url']", "content")),
    "language": (("html", "lang"), ("meta[http-equiv='content-language' i]", "content")),
    "published": (
        ("meta[property='article:published_time']", "content"),
        ("meta[itemprop=datePublished]", "content"),
        ("meta[name=date]", "content"),
        ("meta[name='dcterms.date' i]", "content"),
        ("time[datetime]", "datetime"),
    ),
    "modified": (
        ("meta[property='article:modified_time']", "content"),
        ("meta[itemprop=dateModified]", "content"),
        ("meta[name='dcterms.modified' i]", "content"),
    ),
}

Drop = Callable[[str, Mapping[str, str | None]], bool]
"""Whether an element (tag, attributes) is left out of the text."""


def load_html(ref: FileRef, options: LoadOptions) -> Iterator[Loaded]:
    """One :class:`Document` of the page's main text with its heading outline, or a :class:`Skipped` report."""
    limit = too_large(ref, options.limits.html_bytes, "an HTML page")
    if limit is not None:
        yield limit
        return
    read = read_text(ref)
    if isinstance(read, Skipped):
        yield read
        return
    source, metadata = read
    page = html_page(source)
    if not page.text.strip():
        yield ref.skip(f"{ref.source} has no visible text")
        return
    yield Document(ref.doc_id, page.text, ref.source, {**metadata, **page.metadata, OUTLINE: page.outline})


@dataclass(frozen=True)
class Page:
    """What a reader reads on a web page, and what the page says about itself."""

    text: str
    outline: list[list[Any]] = field(default_factory=list)
    """``[offset, level, title]`` per heading, in text order."""
    metadata: dict[str, str] = field(default_factory=dict)
    """``title``, ``canonical``, ``language``, ``published``, ``modified``: those the page states."""


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


def html_page(html: str) -> Page:
    """The main text of ``html``, its outline and its metadata.

    >>> page = html_page(
    ...     "<title>T</title><nav>Home | Next</nav><main><h1>Intro<a class=headerlink href='#i'>¶</a></h1>"
    ...     "<p>One  <b>two</b></p><script>x()</script><ul><li>a<li>b</ul></main><footer>(c) 2024</footer>"
    ... )
    >>> page.text, page.outline, page.metadata
    ('Intro\\n\\nOne two\\n\\na\\nb', [[0, 1, 'Intro']], {'title': 'T'})
    """
    tree = LexborHTMLParser(html)
    body = tree.body if tree.body is not None else tree.root
    text, outline = "", list[list[Any]]()
    regions = [(node, _inner) for node in _main_regions(tree)] + [(body, _outer), (body, _visible)]
    for region, drop in regions:
        if region is not None:
            text, outline = _render(region, drop)
            if text.strip():
                break
    return Page(text, outline, _metadata(tree, outline))


def _inner(tag: str, attributes: Mapping[str, str | None]) -> bool:
    return is_furniture(tag, attributes, inside_main=True)


def _outer(tag: str, attributes: Mapping[str, str | None]) -> bool:
    return is_furniture(tag, attributes, inside_main=False)


def _visible(tag: str, attributes: Mapping[str, str | None]) -> bool:
    return False


def _main_regions(tree: LexborHTMLParser) -> Iterator[LexborNode]:
    for selector in MAIN_SELECTORS:
        found = tree.css(selector)
        # Several articles are a list of teasers, not one page's text.
        if found and not (selector == "article" and len(found) > 1):
            yield found[0]


def _metadata(tree: LexborHTMLParser, outline: list[list[Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    title_node = tree.css_first("title")
    title = _SPACES.sub(" ", title_node.text()).strip() if title_node is not None else ""
    title = title or _attribute(tree, "meta[property='og:title']", "content") or (outline[0][2] if outline else "")
    if title:
        found["title"] = title
    for key, places in _META.items():
        for selector, name in places:
            value = _attribute(tree, selector, name)
            if value:
                found[key] = value
                break
    return found


def _attribute(tree: LexborHTMLParser, selector: str, name: str) -> str:
    node = tree.css_first(selector)
    value = node.attributes.get(name) if node is not None else None
    return _SPACES.sub(" ", value).strip() if value else ""


def _render(root: LexborNode, drop: Drop) -> tuple[str, list[list[Any]]]:
    out = _Text()
    outline: list[list[Any]] = []
    _walk(root, out, outline, drop)
    return "".join(out.parts), outline


def _walk(root: LexborNode, out: _Text, outline: list[list[Any]], drop: Drop) -> None:
    # An explicit stack, not recursion: deeply nested pages must not hit the recursion limit.
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    pre_depth = cell_depth = 0
    heading: tuple[int, int] | None = None  # (offset, level) of the open heading
    while stack:
        node, leaving = stack.pop()
        tag = node.tag or ""
        if leaving:
            pre_depth -= tag == "pre"
            cell_depth -= tag in _CELLS
            if tag in _HEADINGS and heading is not None and out.capture is not None:
                title = _SPACES.sub(" ", "".join(out.capture)).strip()
                if title:
                    outline.append([heading[0], heading[1], title])
                heading, out.capture = None, None
            out.separate(" | " if tag in _CELLS else _separator(tag, cell_depth))
            continue
        if tag == "-text":
            raw = node.text_content or ""
            out.add(raw) if pre_depth else out.add_collapsed(raw)
            continue
        if tag.startswith("-") or tag in _INVISIBLE or _dropped(node, tag, drop):
            continue  # comments, doctype, invisible elements, furniture
        out.separate(_separator(tag, cell_depth))
        pre_depth += tag == "pre"
        cell_depth += tag in _CELLS
        if tag in _HEADINGS and heading is None:
            heading, out.capture = (out.next_offset(), _HEADINGS[tag]), []
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.iter(include_text=True))))


def _dropped(node: LexborNode, tag: str, drop: Drop) -> bool:
    attributes = node.attributes
    if "hidden" in attributes or drop(tag, attributes):
        return True
    # Only in-page links can be permalinks: the text of other links is never computed.
    return tag == "a" and (attributes.get("href") or "").startswith("#") and is_permalink(attributes, node.text())


def _separator(tag: str, cell_depth: int) -> str:
    if cell_depth and tag in _BLOCKS:
        return " "  # a table cell's paragraphs stay on its row
    if tag in _PARAGRAPHS:
        return "\n\n"
    if tag in _LINES:
        return "\n"
    return " " if tag in _CELLS else ""
