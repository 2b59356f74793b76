from __future__ import annotations

from pathlib import Path

import pytest

from embedrag.errors import InputError
from embedrag.tokenize.textfile import Utf8Lines, decode_utf8


def test_valid_utf8_decodes() -> None:
    assert decode_utf8("naïve 🤖".encode(), source="x") == "naïve 🤖"


def test_an_invalid_byte_is_named_with_its_offset() -> None:
    with pytest.raises(InputError, match=r"notes.txt is not valid UTF-8: byte 0xFF at offset 2"):
        decode_utf8(b"ab\xffcd", source="notes.txt")


def test_lines_come_without_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_bytes(b"one\r\ntwo\nthree")
    assert list(Utf8Lines(path)) == ["one", "two", "three"]


def test_a_bad_line_reports_its_offset_in_the_file_and_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_bytes(b"good\nbad \xe9\n")
    lines = Utf8Lines(path)
    with pytest.raises(InputError, match="byte 0xE9 at offset 9"):
        list(lines)
    assert lines.error is not None
