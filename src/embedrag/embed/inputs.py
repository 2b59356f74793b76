"""Read texts to embed from files: ``.txt`` (one text per line) or ``.jsonl``.

Files are read lazily, line by line, and strictly: invalid UTF-8, a blank line, a
malformed JSON line or a missing field is an :class:`InputError` that names the file
and line, never a silently skipped record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from embedrag.errors import InputError
from embedrag.tokenize.textfile import decode_utf8

__all__ = ["count_lines", "parse_json_line", "read_texts", "string_field"]


def count_lines(path: Path) -> int:
    """Number of lines in ``path`` (a final line without newline counts)."""
    count, last = 0, b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def read_texts(path: Path, *, field: str = "text") -> Iterator[str]:
    """Yield the texts of ``path``: lines of a ``.txt``, or ``field`` of each ``.jsonl`` object.

    A ``.jsonl`` line may also be a bare JSON string.
    """
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson")
    if not jsonl and path.suffix.lower() not in (".txt", ".text", ""):
        raise InputError(f"{path}: expected a .txt (one text per line) or .jsonl file")
    offset = 0
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            line = decode_utf8(raw, source=f"{path}: line {number}", offset=offset).rstrip("\r\n")
            offset += len(raw)
            text = _from_json(line, field, path, number) if jsonl else line
            if not text.strip():
                raise InputError(f"{path}: line {number} is empty")
            yield text


def _from_json(line: str, field: str, path: Path, number: int) -> str:
    where = f"{path}: line {number}"
    return string_field(parse_json_line(line, where=where), field, where=where, hint=" (choose one with --field)")


def parse_json_line(line: str, *, where: str) -> object:
    """The JSON value on ``line``, or :class:`InputError` saying ``where`` it is not valid JSON.

    >>> parse_json_line('{"text": "hi"}', where="a.jsonl: line 1")
    {'text': 'hi'}
    >>> parse_json_line('{"text": ', where="a.jsonl: line 2")
    Traceback (most recent call last):
    embedrag.errors.InputError: a.jsonl: line 2 is not valid JSON (Expecting value)
    """
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} is not valid JSON ({exc.msg})") from None


def string_field(record: object, field: str, *, where: str, hint: str = "") -> str:
    """``record[field]`` if it is a string (a bare JSON string is its own text), else :class:`InputError`.

    >>> string_field({"body": "hi"}, "body", where="a.jsonl: line 1")
    'hi'
    >>> string_field({"body": 3}, "body", where="a.jsonl: line 2")
    Traceback (most recent call last):
    embedrag.errors.InputError: a.jsonl: line 2: 'body' is int, expected a string
    """
    if isinstance(record, str):
        return record
    if not isinstance(record, dict) or field not in record:
        raise InputError(f"{where} has no '{field}' field{hint}")
    value = record[field]
    if not isinstance(value, str):
        raise InputError(f"{where}: '{field}' is {type(value).__name__}, expected a string")
    return value
