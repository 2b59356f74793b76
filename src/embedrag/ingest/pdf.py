"""PDF files: the text of each page as a reader sees it (pypdf), pages joined by form feeds, page starts kept.

Each page's text is read with its pieces' positions, so a two-column page reads
column by column; running heads and feet, bare page numbers and end-of-line
hyphenation go, and LaTeX's word gaps become spaces (see :mod:`embedrag.ingest.pdf_layout`). Page numbers of any offset
stay recoverable: the metadata key :data:`~embedrag.ingest.structure.PAGE_STARTS`
lists where each page's text starts. Skipped with their reason: a damaged PDF, an
encrypted one that needs a password, one without a text layer (a scan: no OCR here),
and one over the page or size limits of :class:`~embedrag.ingest.limits.Limits`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from embedrag.ingest.files import FileRef, read_bytes
from embedrag.ingest.limits import Limits, too_large
from embedrag.ingest.pdf_layout import Piece, drop_running_lines, join_hyphens, page_text, word_gaps
from embedrag.ingest.protocol import LoadOptions
from embedrag.ingest.skipped import Loaded, Skipped
from embedrag.ingest.structure import PAGE_STARTS
from embedrag.types import Document

if TYPE_CHECKING:
    from pypdf import PageObject

__all__ = ["PAGE_BREAK", "load_pdf", "pdf_pages"]

PAGE_BREAK = "\f"
"""Between the texts of two pages (the chunker treats it as a paragraph break)."""


class _Unreadable(Exception):
    """Why a PDF gives no text: a complete sentence's end, after the file's name."""


def load_pdf(ref: FileRef, options: LoadOptions) -> Iterator[Loaded]:
    """One :class:`Document` of the PDF's text with its page starts, or a :class:`Skipped` report."""
    limit = too_large(ref, options.limits.pdf_bytes, "a PDF")
    if limit is not None:
        yield limit
        return
    read = read_bytes(ref)
    if isinstance(read, Skipped):
        yield read
        return
    data, metadata = read
    try:
        pages = pdf_pages(data, options.limits)
    except _Unreadable as exc:
        yield ref.skip(f"{ref.source} {exc}")
        return
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


def pdf_pages(data: bytes, limits: Limits = Limits()) -> list[str]:
    """The text of each page of the PDF in ``data``, as a reader sees it.

    An encrypted PDF is tried with an empty password (the usual "no copy" protection);
    one that needs a real password, or has more pages than ``limits.pdf_pages``, raises.
    """
    from pypdf import PasswordType, PdfReader  # on first use: pypdf takes 0.2 s to import

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise _Unreadable("is encrypted and needs a password")
    count = len(reader.pages)
    if count > limits.pdf_pages:
        raise _Unreadable(f"has {count:,} pages, over the limit of {limits.pdf_pages:,}")
    pages = drop_running_lines([_page(page) for page in reader.pages])
    return [join_hyphens(page) for page in pages]


def _page(page: PageObject) -> str:
    pieces: list[Piece] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append(Piece(text, x, y, size * (abs(tm[3] * cm[3]) or 1.0)))

    def spaced(operator: bytes, operands: list[Any], cm: object, tm: object) -> None:
        # pypdf reads the TJ array after this call: its moves between words become unmissable spaces.
        if operator == b"TJ" and operands and isinstance(operands[0], list):
            operands[0][:] = word_gaps(operands[0])

    text = page.extract_text(visitor_text=visit, visitor_operand_before=spaced) or ""
    columns = page_text(pieces, float(page.mediabox.width))
    return text if columns is None else columns
