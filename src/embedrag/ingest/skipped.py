"""What a loader reports instead of a document when an input cannot be used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from embedrag.types import Document

__all__ = ["Loaded", "Skipped"]


@dataclass(frozen=True)
class Skipped:
    """An input that was not loaded, and why: the rest of the batch still loads.

    >>> Skipped("notes/photo.txt", "notes/photo.txt is binary (NUL byte at offset 12)")
    Skipped(source='notes/photo.txt', reason='notes/photo.txt is binary (NUL byte at offset 12)', record=None)
    """

    source: str
    """The file's path as given (for records, the file holding them)."""
    reason: str
    """One complete sentence naming the file (and line) and what is wrong with it."""
    record: int | None = None
    """For JSONL/CSV records: the 1-based line number of the record; ``None`` for whole files."""


Loaded: TypeAlias = Document | Skipped
"""What loaders yield: a document, or a report of an input that was skipped."""
