"""EPUB books: the chapters in reading order (the spine), each read as a web page, headings as the outline.

An EPUB is a zip of XHTML chapters listed by its package file (OPF). Read with the
standard library (zipfile, ElementTree) and the HTML loader's main-text extraction,
so it needs no extra. Title, author, language and date come from the package's
Dublin Core metadata. Checked against the unpacking limits before anything is read.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree

from embedrag.ingest.blocks import TextBlocks
from embedrag.ingest.files import FileRef
from embedrag.ingest.html import html_page
from embedrag.ingest.office import open_zip
from embedrag.ingest.protocol import LoadOptions
from embedrag.ingest.skipped import Loaded, Skipped

__all__ = ["load_epub"]

_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CHAPTER_TYPES = frozenset({"application/xhtml+xml", "text/html"})
_DUBLIN_CORE = (("title", "title"), ("author", "creator"), ("language", "language"), ("published", "date"))


class _NotAnEpub(Exception):
    """What is missing or wrong in the EPUB's structure."""


def load_epub(ref: FileRef, options: LoadOptions) -> Iterator[Loaded]:
    """One :class:`Document` of the book's chapters in reading order, or a :class:`Skipped` report."""
    opened = open_zip(ref, options, "EPUB")
    if isinstance(opened, Skipped):
        yield opened
        return
    _, archive, metadata = opened
    try:
        blocks, properties = _read(archive)
    except (_NotAnEpub, KeyError, ElementTree.ParseError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        yield ref.skip(f"{ref.source} is not a readable EPUB ({type(exc).__name__}: {exc})")
        return
    yield blocks.document(ref, {**metadata, **properties})


def _read(archive: zipfile.ZipFile) -> tuple[TextBlocks, dict[str, Any]]:
    container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
    rootfile = container.find(f".//{_CONTAINER}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise _NotAnEpub("META-INF/container.xml names no package file")
    opf_path = str(rootfile.get("full-path"))
    package = ElementTree.fromstring(archive.read(opf_path))
    base = posixpath.dirname(opf_path)
    # The EPUB 3 navigation document (properties="nav") is the book's table of contents, not its text.
    manifest = {
        item.get("id"): (item.get("href") or "", item.get("media-type") or "")
        for item in package.iter(f"{_OPF}item")
        if "nav" not in (item.get("properties") or "").split()
    }
    blocks = TextBlocks()
    for itemref in package.iter(f"{_OPF}itemref"):
        href, media_type = manifest.get(itemref.get("idref"), ("", ""))
        if href and media_type in _CHAPTER_TYPES:
            page = html_page(archive.read(posixpath.join(base, unquote(href))).decode("utf-8"))
            blocks.add_section(page.text, page.outline)
    return blocks, _properties(package)


def _properties(package: ElementTree.Element) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, name in _DUBLIN_CORE:
        element = package.find(f".//{_DC}{name}")
        if element is not None and element.text and element.text.strip():
            found[key] = " ".join(element.text.split())
    return found
