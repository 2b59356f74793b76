"""Bounds on what one file may cost to load: a pathological file is skipped, with the bound it broke.

A 50 MB web page, a PDF of 10,000 pages or a DOCX zip bomb (a few KB that unzip to
gigabytes) would otherwise hold the memory or the time of a whole ingest. Each bound
is checked before the expensive step: the file size before reading, a zip's declared
sizes before unpacking (Python's zipfile never reads past a member's declared size),
the page count before extracting text.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

from embedrag.ingest.files import FileRef
from embedrag.ingest.skipped import Skipped

__all__ = ["Limits", "too_large", "zip_too_large"]

_MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The most one file may be; the defaults are far above real documents (in bytes unless named)."""

    html_bytes: int = 16 * _MB
    """An HTML page (the largest of the Python docs, contents.html, is 2.6 MB); a 15 MB page took 190 MB to parse."""
    pdf_bytes: int = 512 * _MB
    """A PDF file."""
    pdf_pages: int = 3000
    """Pages of one PDF (text extraction takes ~10-30 ms a page)."""
    zip_bytes: int = 256 * _MB
    """A DOCX, PPTX or EPUB file (a zip)."""
    unzipped_bytes: int = 256 * _MB
    """All members of such a zip, unpacked, as its directory declares them."""
    zip_ratio: int = 200
    """Unpacked size over packed size of a zip; text compresses ~5-20x, a zip bomb ~1000x."""


def _megabytes(size: int) -> str:
    """A size for people: ``1.4 MB``, ``9.8 KB``."""
    return f"{size / _MB:.1f} MB" if size >= _MB else f"{size / 1024:.1f} KB"


def too_large(ref: FileRef, limit: int, what: str) -> Skipped | None:
    """A :class:`Skipped` report if the file is larger than ``limit`` bytes (``what`` names the kind), else ``None``."""
    try:
        size = os.stat(ref.path).st_size
    except OSError:
        return None  # the read that follows reports it
    if size <= limit:
        return None
    return ref.skip(f"{ref.source} is {_megabytes(size)}, over the {_megabytes(limit)} limit for {what}")


def zip_too_large(ref: FileRef, archive: zipfile.ZipFile, packed: int, limits: Limits) -> Skipped | None:
    """A :class:`Skipped` report if the zip would unpack to more than the limits allow, else ``None``."""
    unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > limits.unzipped_bytes:
        return ref.skip(
            f"{ref.source} unpacks to {_megabytes(unpacked)}, over the {_megabytes(limits.unzipped_bytes)} limit"
        )
    if unpacked > limits.zip_ratio * max(packed, 1) and unpacked > _MB:
        return ref.skip(
            f"{ref.source} unpacks {unpacked // max(packed, 1)} times its size "
            f"(limit {limits.zip_ratio}): a zip bomb, not a document"
        )
    return None
