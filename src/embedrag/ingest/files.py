"""Reading one file for ingestion: bytes, strict text and file metadata."""

from __future__ import annotations

import codecs
import os
import stat as stat_module
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedrag.errors import InputError
from embedrag.ingest.skipped import Skipped
from embedrag.tokenize.textfile import decode_utf8

__all__ = ["FileRef", "decode_text", "read_bytes", "read_text"]


@dataclass(frozen=True)
class FileRef:
    """A file to load: its path as given, and its id (path relative to the ingest root, POSIX)."""

    path: Path
    doc_id: str

    @property
    def source(self) -> str:
        """The path as given, as a string: a document's ``source``."""
        return str(self.path)

    def skip(self, reason: str, record: int | None = None) -> Skipped:
        """A :class:`Skipped` report for this file."""
        return Skipped(self.source, reason, record)


def _not_regular(mode: int) -> str | None:
    """What a file of this mode is when it is not a regular file (reading a named pipe waits for a
    writer forever, a device such as /dev/zero never ends), else ``None``."""
    if stat_module.S_ISREG(mode):
        return None
    if stat_module.S_ISFIFO(mode):
        return "a named pipe"
    if stat_module.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat_module.S_ISCHR(mode) or stat_module.S_ISBLK(mode) else "not a file"


def read_bytes(ref: FileRef) -> tuple[bytes, dict[str, Any]] | Skipped:
    """The file's bytes and its metadata (``path``, absolute; ``suffix``, ``mtime``, ``size``), or why not.

    Only regular files are read (after following links): a named pipe, socket or device is skipped.
    """
    try:
        stat = os.stat(ref.path)
        kind = _not_regular(stat.st_mode)
        if kind is not None:
            return ref.skip(f"{ref.source} is not a regular file ({kind})")
        data = ref.path.read_bytes()
    except OSError as exc:
        return ref.skip(f"{ref.source} cannot be read: {exc.strerror or exc}")
    metadata: dict[str, Any] = {
        # Absolute: a sync or a later ingest from another working folder must find the same file.
        "path": os.path.abspath(ref.path),
        "suffix": ref.path.suffix.lower(),
        "mtime": stat.st_mtime,
        "size": stat.st_size,
    }
    return data, metadata


def read_text(ref: FileRef) -> tuple[str, dict[str, Any]] | Skipped:
    """The file as strict UTF-8 text with its metadata, or why it was skipped.

    Skipped: unreadable, empty (or only whitespace), UTF-16 or UTF-32 (named by their byte-order
    mark), binary (a NUL byte), invalid UTF-8 (the message names the byte offset). A leading UTF-8
    byte-order mark is dropped.
    """
    read = read_bytes(ref)
    if isinstance(read, Skipped):
        return read
    data, metadata = read
    text = decode_text(ref, data)
    if isinstance(text, Skipped):
        return text
    return text, metadata


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16 LE's, which it starts with
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
"""Byte-order marks of text whose NUL bytes are not binary (Notepad's "Unicode" writes UTF-16 LE)."""


def decode_text(ref: FileRef, data: bytes) -> str | Skipped:
    """``data`` as text, or why it is not usable text."""
    wide = next((name for bom, name in _WIDE_BOMS if data.startswith(bom)), None)
    if wide is not None:
        return ref.skip(f"{ref.source} is {wide} text (it starts with a byte-order mark); save it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        return ref.skip(f"{ref.source} is binary (NUL byte at offset {nul})")
    try:
        text = decode_utf8(data, source=ref.source)
    except InputError as exc:
        return ref.skip(str(exc))
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return ref.skip(f"{ref.source} is empty" if not text else f"{ref.source} holds only whitespace")
    return text
