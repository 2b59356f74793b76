from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from embedrag.tokenize.pieces import gpt2_piece_bytes, readable_bytes


def test_whole_characters_stay_text() -> None:
    assert readable_bytes(" naïve 東京 🤖".encode()) == " naïve 東京 🤖"


def test_each_byte_of_a_partial_character_is_hex() -> None:
    assert readable_bytes("🤖".encode()[:3]) == "<0xF0><0x9F><0xA4>"


def test_a_continuation_byte_alone_is_hex() -> None:
    assert readable_bytes(b"\x96") == "<0x96>"


@given(st.text())
def test_valid_utf8_reads_back_as_the_same_text(text: str) -> None:
    assert readable_bytes(text.encode()) == text


def test_the_gpt2_byte_table_covers_every_byte_once() -> None:
    every = bytes(range(256))
    pieces = "".join(chr(c) for c in range(0x21, 0x7F)) + "Ġ"
    assert gpt2_piece_bytes(pieces) == bytes(range(0x21, 0x7F)) + b" "
    assert len({gpt2_piece_bytes(ch) for ch in _gpt2_alphabet()}) == 256
    assert set(b"".join(gpt2_piece_bytes(ch) for ch in _gpt2_alphabet())) == set(every)


def _gpt2_alphabet() -> list[str]:
    from embedrag.tokenize.pieces import _gpt2_unicode_to_byte

    return list(_gpt2_unicode_to_byte())
