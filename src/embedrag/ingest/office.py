"""Word (DOCX) and PowerPoint (PPTX) files: text in reading order, headings as the outline.

DOCX (python-docx): paragraphs and tables in document order; paragraphs styled
"Title" or "Heading N" are headings (level 1, N). Table cells are joined by `` | ``,
one row per line. PPTX (python-pptx): each slide is a page (the chunk's ``page`` is
its slide number), its title a level-1 heading, then its text frames, tables and
speaker notes. Both are zips: checked against the unpacking limits of
:class:`~embedrag.ingest.limits.Limits` before they are opened. Both libraries come
with the ``office`` extra; without it such a file is skipped with the hint to install it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

from embedrag._optional import require
from embedrag.errors import MissingDependencyError
from embedrag.ingest.blocks import TextBlocks
from embedrag.ingest.files import FileRef, read_bytes
from embedrag.ingest.limits import too_large, zip_too_large
from embedrag.ingest.protocol import LoadOptions
from embedrag.ingest.skipped import Loaded, Skipped

__all__ = ["load_docx", "load_pptx", "open_zip"]

_OLE = b"\xd0\xcf\x11\xe0"  # an OLE compound file: an encrypted Office file, or an old .doc/.ppt
_HEADING = re.compile(r"heading\s*(\d)", re.I)

Reader = Callable[[bytes], tuple[TextBlocks, dict[str, Any]]]


def open_zip(ref: FileRef, options: LoadOptions, kind: str) -> tuple[bytes, zipfile.ZipFile, dict[str, Any]] | Skipped:
    """The bytes of a zip-based file of ``kind`` ("DOCX"), opened, with its file metadata; or why it is skipped."""
    what = f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind} file"
    limit = too_large(ref, options.limits.zip_bytes, what)
    if limit is not None:
        return limit
    read = read_bytes(ref)
    if isinstance(read, Skipped):
        return read
    data, metadata = read
    if data.startswith(_OLE):
        return ref.skip(f"{ref.source} is encrypted or in the old binary format: save it as {what} without a password")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        return ref.skip(f"{ref.source} is not a readable {kind} file (not a zip: {exc})")
    bomb = zip_too_large(ref, archive, len(data), options.limits)
    return bomb if bomb is not None else (data, archive, metadata)


def _load(ref: FileRef, options: LoadOptions, kind: str, module: str, read: Reader) -> Iterator[Loaded]:
    opened = open_zip(ref, options, kind)
    if isinstance(opened, Skipped):
        yield opened
        return
    data, _, metadata = opened
    try:
        require(module, extra="office", purpose=f"reading a {kind} file")
    except MissingDependencyError as exc:
        yield ref.skip(f"{ref.source} is not read: {exc}")
        return
    try:
        blocks, properties = read(data)
    # python-docx and python-pptx raise many exception types on damaged files (KeyError,
    # ValueError, lxml's XMLSyntaxError, their own ...): "cannot be read", reported, not raised.
    except Exception as exc:
        yield ref.skip(f"{ref.source} is not a readable {kind} file ({type(exc).__name__}: {exc})")
        return
    yield blocks.document(ref, {**metadata, **properties})


def load_docx(ref: FileRef, options: LoadOptions) -> Iterator[Loaded]:
    """One :class:`Document` of a Word file's text with its headings, or a :class:`Skipped` report."""
    return _load(ref, options, "DOCX", "docx", _read_docx)


def load_pptx(ref: FileRef, options: LoadOptions) -> Iterator[Loaded]:
    """One :class:`Document` of a presentation's text, a page per slide, or a :class:`Skipped` report."""
    return _load(ref, options, "PPTX", "pptx", _read_pptx)


def _properties(core: Any) -> dict[str, Any]:
    """Title, author, language and dates from a file's core properties, those it has."""
    found: dict[str, Any] = {}
    for key, name in (("title", "title"), ("author", "author"), ("language", "language")):
        value = getattr(core, name, None)
        if isinstance(value, str) and value.strip():
            found[key] = value.strip()
    for key, name in (("published", "created"), ("modified", "modified")):
        value = getattr(core, name, None)
        if value is not None:
            found[key] = value.isoformat()
    return found


def _row(cells: Iterator[str]) -> str:
    return " | ".join(" ".join(cell.split()) for cell in cells)


def _read_docx(data: bytes) -> tuple[TextBlocks, dict[str, Any]]:
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    blocks = TextBlocks()
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for number, row in enumerate(item.rows):
                blocks.add(_row(cell.text for cell in row.cells), separator="\n\n" if number == 0 else "\n")
            continue
        style = (item.style.name or "") if item.style is not None else ""
        heading = _HEADING.match(style)
        level = 1 if style.lower() == "title" else int(heading.group(1)) if heading else 0
        blocks.add(item.text, level=level)
    return blocks, _properties(document.core_properties)


def _read_pptx(data: bytes) -> tuple[TextBlocks, dict[str, Any]]:
    import pptx

    presentation = pptx.Presentation(io.BytesIO(data))
    blocks = TextBlocks()
    for slide in presentation.slides:
        blocks.page()
        title = slide.shapes.title
        if title is not None:
            blocks.add(title.text_frame.text, level=1)
        for shape in slide.shapes:
            if title is not None and shape.shape_id == title.shape_id:
                continue
            if shape.has_text_frame:
                blocks.add(shape.text_frame.text)
            elif shape.has_table:
                for number, row in enumerate(shape.table.rows):
                    blocks.add(_row(cell.text for cell in row.cells), separator="\n\n" if number == 0 else "\n")
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            blocks.add(slide.notes_slide.notes_text_frame.text)
    return blocks, _properties(presentation.core_properties)
