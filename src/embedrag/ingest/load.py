"""Loading files and folders into documents: one loader per file suffix, chosen from a table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from embedrag.ingest.epub import load_epub
from embedrag.ingest.files import FileRef
from embedrag.ingest.html import load_html
from embedrag.ingest.limits import Limits
from embedrag.ingest.markdown import load_markdown
from embedrag.ingest.office import load_docx, load_pptx
from embedrag.ingest.pdf import load_pdf
from embedrag.ingest.plain import load_text
from embedrag.ingest.protocol import Loader, LoadOptions
from embedrag.ingest.records import load_csv, load_jsonl
from embedrag.ingest.skipped import Loaded, Skipped
from embedrag.ingest.walk import FileCount, inputs

__all__ = ["LOADERS", "load_file", "load_path"]

LOADERS: Mapping[str, Loader] = {
    ".txt": load_text,
    ".text": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".pptx": load_pptx,
    ".epub": load_epub,
    ".jsonl": load_jsonl,
    ".ndjson": load_jsonl,
    ".csv": load_csv,
}
"""Lower-case file suffix -> loader. Any other file is read as plain text (binary files are skipped)."""

UNREAD_SUFFIXES = frozenset(
    ".doc .xls .xlsx .ppt .odt .ods .odp .pages .numbers .zip .gz .tgz .bz2 .xz .7z .rar .tar "  # noqa: SIM905
    ".png .jpg .jpeg .gif .webp .tif .tiff .bmp .heic .mp3 .wav .flac .ogg .mp4 .mov .avi .mkv "
    ".exe .dll .so .dylib .bin .iso .dmg .sqlite .db .pyc .class .jar .whl".split()
)
"""Suffixes of formats no loader reads: skipped by name, without reading the file."""


def _unread(ref: FileRef, options: LoadOptions) -> Iterator[Loaded]:
    suffix = ref.path.suffix.lower()
    yield ref.skip(f"{ref.source} is a {suffix} file, a format no loader reads (known: {', '.join(LOADERS)})")


def load_file(ref: FileRef, options: LoadOptions = LoadOptions()) -> Iterator[Loaded]:
    """The documents of one file, by its suffix's loader (plain text for unknown suffixes)."""
    suffix = ref.path.suffix.lower()
    loader = LOADERS.get(suffix, _unread if suffix in UNREAD_SUFFIXES else load_text)
    return loader(ref, options)


def load_path(
    path: str | Path,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    text_field: str = "text",
    id_field: str | None = None,
    metadata_fields: Sequence[str] = (),
    files: FileCount | None = None,
    limits: Limits | None = None,
) -> Iterator[Loaded]:
    """Documents from a file or a folder (recursively), lazily, in a deterministic order.

    Yields a :class:`~embedrag.types.Document` per file (per record for JSONL/CSV) or a
    :class:`Skipped` report for each input that cannot be used; a bad file never
    stops the rest. Ids are paths relative to ``path`` (a file's id is its name).
    ``include``/``exclude`` are globs (``"*.md"``, ``"drafts/**"``) applied inside
    folders; ``text_field``, ``id_field`` and ``metadata_fields`` choose what JSONL/CSV
    records give (see :class:`LoadOptions`). ``files.read`` counts the files read to the end.
    ``limits`` bound what one file may cost (default :class:`~embedrag.ingest.limits.Limits`).

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "a.md").write_text("# Hello\\n\\nWorld\\n")
    >>> _ = (root / "b.txt").write_bytes(b"\\x00\\x01")
    >>> for item in load_path(root):
    ...     print(item.id if hasattr(item, "id") else item.reason.replace(str(root), "ROOT"))
    a.md
    ROOT/b.txt is binary (NUL byte at offset 0)
    """
    options = LoadOptions(text_field, id_field, tuple(metadata_fields), limits or Limits())
    for ref in inputs(path, include=include, exclude=exclude):
        yield from (ref,) if isinstance(ref, Skipped) else load_file(ref, options)
        if files is not None:
            files.read += 1
