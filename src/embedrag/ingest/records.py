"""JSONL and CSV files: one document per record, with a chosen text field, id field and metadata fields.

A bad record (invalid JSON or UTF-8, a missing or empty text field, a missing id, a CSV row
with more fields than its header) is reported as :class:`Skipped` with its line number; the
other records still load. A CSV file that cannot be read on (an unterminated quote) is
reported at the line where that record starts, saying the lines from there were not read.
A record's id is its id field's value, else ``<file id>:<line number>``; its
``source`` is that id (records have no file of their own; ``metadata["path"]`` says
which file held them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from embedrag.embed.inputs import parse_json_line, string_field
from embedrag.errors import InputError
from embedrag.ingest.files import FileRef, decode_text, read_bytes
from embedrag.ingest.protocol import LoadOptions
from embedrag.ingest.skipped import Loaded, Skipped
from embedrag.tokenize.textfile import decode_utf8
from embedrag.types import Document

__all__ = ["load_csv", "load_jsonl"]


def load_jsonl(ref: FileRef, options: LoadOptions) -> Iterator[Loaded]:
    """One :class:`Document` per non-blank line of a JSONL file (an object, or a bare string)."""
    read = read_bytes(ref)
    if isinstance(read, Skipped):
        yield read
        return
    data, file_metadata = read
    if not data.strip():
        yield ref.skip(f"{ref.source} is empty")
        return
    offset = 0
    for number, raw in enumerate(io.BytesIO(data), start=1):
        where = f"{ref.source}: line {number}"
        try:
            line = decode_utf8(raw, source=where, offset=offset)
            if line.strip():
                record = parse_json_line(line, where=where)
                text = string_field(record, options.text_field, where=where)
                yield _document(ref, number, text, record, options, file_metadata)
        except InputError as exc:
            yield ref.skip(str(exc), number)
        offset += len(raw)


def load_csv(ref: FileRef, options: LoadOptions) -> Iterator[Loaded]:
    """One :class:`Document` per row of a CSV file with a header row naming the columns."""
    read = read_bytes(ref)
    if isinstance(read, Skipped):
        yield read
        return
    data, file_metadata = read
    text = decode_text(ref, data)
    if isinstance(text, Skipped):
        yield text
        return
    # strict: an unterminated quote is an error, not the rest of the file read as one field.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    columns = reader.fieldnames or []
    if options.text_field not in columns:
        yield ref.skip(f"{ref.source} has no '{options.text_field}' column (columns: {', '.join(columns)})")
        return
    line = reader.line_num + 1
    try:
        for row in reader:
            yield from _csv_row(ref, line, row, options, file_metadata)
            line = reader.line_num + 1
    except csv.Error as exc:  # the reader cannot go on past it
        yield ref.skip(f"{ref.source}: line {line} is not valid CSV ({exc}); lines {line} on were not read", line)


def _csv_row(
    ref: FileRef, line: int, row: Mapping[str, Any], options: LoadOptions, file_metadata: dict[str, Any]
) -> Iterator[Loaded]:
    extra = row.get(None)  # type: ignore[call-overload]
    if extra:  # DictReader's key for the fields beyond the header's
        fields = len(row) - 1 + len(extra)
        yield ref.skip(
            f"{ref.source}: line {line} has {fields} fields, the header {fields - len(extra)} (a comma not quoted?)",
            line,
        )
        return
    value = row.get(options.text_field)
    if not isinstance(value, str):
        yield ref.skip(f"{ref.source}: line {line} has no '{options.text_field}' value", line)
        return
    try:
        yield _document(ref, line, value, row, options, file_metadata)
    except InputError as exc:
        yield ref.skip(str(exc), line)


def _document(
    ref: FileRef, line: int, text: str, record: object, options: LoadOptions, file_metadata: dict[str, Any]
) -> Document:
    where = f"{ref.source}: line {line}"
    if not text.strip():
        raise InputError(f"{where}: '{options.text_field}' is empty")
    fields: Mapping[str, Any] = record if isinstance(record, Mapping) else {}
    if options.id_field is None:
        doc_id = f"{ref.doc_id}:{line}"
    elif fields.get(options.id_field) not in (None, ""):
        doc_id = str(fields[options.id_field])
    else:
        raise InputError(f"{where} has no '{options.id_field}' id")
    chosen = _chosen(fields, options.metadata_fields)
    return Document(doc_id, text, doc_id, {**file_metadata, "line": line, **chosen})


def _chosen(fields: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: fields[name] for name in names if name in fields}
