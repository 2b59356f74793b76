"""Readable strings for token pieces that are raw bytes.

Byte-level tokenizers (tiktoken-style BPE, GPT-2-style ``tokenizer.json``) have
pieces that are bytes, and a piece may hold only part of a UTF-8 character (an
emoji is often split over two or three pieces). We show each piece as the text it
stands for, and each byte that is not a whole character as ``<0xNN>``: the same
spelling SentencePiece uses for its byte-fallback pieces. (A text that literally
contains ``<0xE2>`` looks the same: pieces are for reading, ids are the truth.)
"""

from __future__ import annotations

from functools import cache

__all__ = ["gpt2_piece_bytes", "readable_bytes"]

_ESCAPED_LOW, _ESCAPED_HIGH = 0xDC80, 0xDCFF


def readable_bytes(piece: bytes) -> str:
    """``piece`` as text, with each byte that is not part of a whole UTF-8 character as ``<0xNN>``.

    >>> readable_bytes(b" caf\\xc3\\xa9")
    ' café'
    >>> readable_bytes(b" \\xf0\\x9f")
    ' <0xF0><0x9F>'
    """
    # surrogateescape maps each undecodable byte 0xNN to the lone surrogate U+DCNN.
    text = piece.decode("utf-8", errors="surrogateescape")
    return "".join(f"<0x{ord(ch) - 0xDC00:02X}>" if _ESCAPED_LOW <= ord(ch) <= _ESCAPED_HIGH else ch for ch in text)


def gpt2_piece_bytes(piece: str) -> bytes:
    """The bytes behind a GPT-2 byte-level piece (``"Ġworld"`` is ``b" world"``).

    >>> gpt2_piece_bytes("Ġworld")
    b' world'
    """
    table = _gpt2_unicode_to_byte()
    return bytes(table[ch] for ch in piece)


@cache
def _gpt2_unicode_to_byte() -> dict[str, int]:
    # GPT-2's table: printable Latin-1 bytes stand for themselves, the other 68
    # bytes are shifted to code points 256+ so every byte has a visible character.
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table = {chr(b): b for b in printable}
    shifted = 0
    for b in range(256):
        if b not in printable:
            table[chr(256 + shifted)] = b
            shifted += 1
    return table
