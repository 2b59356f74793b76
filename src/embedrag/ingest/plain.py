"""Plain text files: the text as it is, one document per file."""

from __future__ import annotations

from collections.abc import Iterator

from embedrag.ingest.files import FileRef, read_text
from embedrag.ingest.protocol import LoadOptions
from embedrag.ingest.skipped import Loaded, Skipped
from embedrag.types import Document

__all__ = ["load_text"]


def load_text(ref: FileRef, options: LoadOptions) -> Iterator[Loaded]:
    """One :class:`Document` holding the file's text, or a :class:`Skipped` report."""
    read = read_text(ref)
    if isinstance(read, Skipped):
        yield read
        return
    text, metadata = read
    yield Document(ref.doc_id, text, ref.source, metadata)
