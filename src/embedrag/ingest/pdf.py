"""PDF files: the text of each page (pypdf), pages joined by form feeds, page starts kept.

Page numbers of any offset stay recoverable: the metadata key
:data:`~embedrag.ingest.structure.PAGE_STARTS` lists where each page's text starts.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from pypdf import PdfReader

from embedrag.ingest.files import FileRef, read_bytes
from embedrag.ingest.protocol import LoadOptions
from embedrag.ingest.skipped import Loaded, Skipped
from embedrag.ingest.structure import PAGE_STARTS
from embedrag.types import Document

__all__ = ["PAGE_BREAK", "load_pdf", "pdf_pages"]

PAGE_BREAK = "\f"
"""Between the texts of two pages (the chunker treats it as a paragraph break)."""


def load_pdf(ref: FileRef, options: LoadOptions) -> Iterator[Loaded]:
    """One :class:`Document` of the PDF's text with its page starts, or a :class:`Skipped` report."""
    read = read_bytes(ref)
    if isinstance(read, Skipped):
        yield read
        return
    data, metadata = read
    try:
        pages = pdf_pages(data)
    # pypdf raises many exception types on damaged files (its own, ValueError, KeyError,
    # struct.error ...); any of them means "this PDF cannot be read", reported, not raised.
    except Exception as exc:
        yield ref.skip(f"{ref.source} is not a readable PDF ({type(exc).__name__}: {exc})")
        return
    if not any(page.strip() for page in pages):
        yield ref.skip(f"{ref.source} has no extractable text (a scanned PDF needs OCR first)")
        return
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + len(PAGE_BREAK)
    extra: dict[str, Any] = {"pages": len(pages), PAGE_STARTS: starts}
    yield Document(ref.doc_id, PAGE_BREAK.join(pages), ref.source, {**metadata, **extra})


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page of the PDF in ``data`` (an encrypted PDF is tried with an empty password)."""
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    return [page.extract_text() or "" for page in reader.pages]
