"""The one :class:`Tokenizer` protocol every backend implements, and its input checks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from embedrag.errors import InputError

__all__ = ["Tokenizer", "check_ids", "check_text"]


@runtime_checkable
class Tokenizer(Protocol):
    """Text to token ids and back, whatever the algorithm (WordPiece, byte-level BPE, SentencePiece).

    The contract shared by every backend:

    - ``encode(text)`` gives the ids a model sees; ``count(text) == len(encode(text))``,
      always the true count: nothing is padded or truncated.
    - Text is plain text: special-token spellings such as ``"<|endoftext|>"`` or
      ``"[SEP]"`` typed by a user are tokenized as ordinary characters, never turned
      into special ids.
    - ``tokens(text)`` gives one readable string per id: the vocabulary entry, with
      byte-level pieces shown as the text they stand for (a leading space stays a
      real space) and bytes that are only part of a UTF-8 character as ``<0xE2>``.
    - ``decode(ids)`` gives text back; ids outside ``range(vocab_size)`` raise
      :class:`~embedrag.errors.InputError`.
    """

    @property
    def name(self) -> str:
        """The catalogue name, or the path the tokenizer was loaded from."""
        ...

    @property
    def vocab_size(self) -> int:
        """Number of ids, special tokens included: every id is in ``range(vocab_size)``."""
        ...

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``."""
        ...

    def decode(self, ids: Iterable[int]) -> str:
        """Text of ``ids``."""
        ...

    def tokens(self, text: str) -> list[str]:
        """One readable piece per id of ``encode(text)``."""
        ...

    def count(self, text: str) -> int:
        """``len(encode(text))``, often faster."""
        ...


def check_text(text: object, *, what: str = "text") -> str:
    """``text`` itself if it is a ``str`` that UTF-8 can encode.

    Not a ``str`` is a ``TypeError`` (a programming error); a lone surrogate, which no UTF-8 can
    encode (Python reads an argument byte that is not UTF-8 as one), is an :class:`InputError`
    naming ``what`` and the position, without quoting the text (it could not be printed).

    >>> check_text(b"bytes")
    Traceback (most recent call last):
    TypeError: expected text (str), got bytes
    >>> check_text("ab\\ud800cd", what="q")
    Traceback (most recent call last):
    embedrag.errors.InputError: q is not valid Unicode: a lone surrogate U+D800 at position 2 (UTF-8 cannot encode it)
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text (str), got {type(text).__name__}")
    if not text.isascii() and (lone := _SURROGATE.search(text)) is not None:
        raise InputError(f"{what} is not valid Unicode: {_describe(lone.group(), lone.start())}")
    return text


_SURROGATE = re.compile("[\ud800-\udfff]")


def _describe(char: str, position: int) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # Python's stand-in for an undecodable byte (surrogateescape)
        return f"byte 0x{code - 0xDC00:02X} at position {position} is not UTF-8"
    return f"a lone surrogate U+{code:04X} at position {position} (UTF-8 cannot encode it)"


def check_ids(ids: Iterable[int], vocab_size: int) -> list[int]:
    """``ids`` as a list, or :class:`InputError` naming the first id outside ``range(vocab_size)``.

    >>> check_ids([1, 2], 10)
    [1, 2]
    >>> check_ids([1, 12], 10)
    Traceback (most recent call last):
    embedrag.errors.InputError: token id 12 (at position 1) is not in range(10)
    """
    out = [int(i) for i in ids]
    for position, i in enumerate(out):
        if not 0 <= i < vocab_size:
            raise InputError(f"token id {i} (at position {position}) is not in range({vocab_size})")
    return out
