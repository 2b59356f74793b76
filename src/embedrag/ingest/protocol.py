"""What every loader is: a function from one file (and the record options) to loaded items."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from embedrag.ingest.files import FileRef
from embedrag.ingest.limits import Limits
from embedrag.ingest.skipped import Loaded

__all__ = ["LoadOptions", "Loader"]


@dataclass(frozen=True)
class LoadOptions:
    """How to read JSONL/CSV records (other formats ignore these), and the bounds on any one file."""

    text_field: str = "text"
    """The field (JSONL key or CSV column) holding the text."""
    id_field: str | None = None
    """The field holding the record's id; ``None``: ``<file id>:<line number>``."""
    metadata_fields: tuple[str, ...] = ()
    """Fields copied into the document's metadata (when present in the record)."""
    limits: Limits = field(default_factory=Limits)
    """How large a file may be (bytes, pages, unpacked size) before it is skipped as pathological."""


Loader = Callable[[FileRef, LoadOptions], Iterator[Loaded]]
"""One file in, documents (or :class:`~embedrag.ingest.skipped.Skipped` reports) out."""
