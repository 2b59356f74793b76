"""Byte-level BPE with OpenAI's encodings (cl100k_base, o200k_base) through ``quicktok``.

Ids are exactly tiktoken's. User text is plain text: ``"<|endoftext|>"`` typed in a
document is encoded as ordinary characters, never as the special id, and never raises
(tiktoken's own ``encode`` raises on it; splintr silently makes it special).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from embedrag.errors import InputError, ModelNotFoundError
from embedrag.tokenize.pieces import readable_bytes
from embedrag.tokenize.protocol import check_ids, check_text

__all__ = ["BytePairTokenizer"]


class BytePairTokenizer:
    """A tiktoken-compatible encoding, loaded from the data bundled in ``quicktok``.

    >>> tok = BytePairTokenizer("cl100k_base")
    >>> tok.encode("hello world")
    [15339, 1917]
    >>> tok.tokens("hello world")
    ['hello', ' world']
    """

    def __init__(self, encoding: str) -> None:
        import quicktok  # 1 s for o200k: load only when asked

        try:
            self._enc: Any = quicktok.get_encoding(encoding)
        except RuntimeError as exc:
            raise ModelNotFoundError(f"quicktok has no encoding '{encoding}': {exc}") from exc
        self._name = encoding

    @property
    def name(self) -> str:
        """The encoding name, e.g. ``cl100k_base``."""
        return self._name

    @property
    def vocab_size(self) -> int:
        """Number of ids, special tokens included (cl100k_base: 100,277)."""
        return int(self._enc.n_vocab)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``; special-token spellings are plain text."""
        return list(self._enc.encode_ordinary(check_text(text)))

    def decode(self, ids: Iterable[int]) -> str:
        """Text of ``ids``; a character split across a cut-off id list decodes as U+FFFD."""
        checked = check_ids(ids, self.vocab_size)
        try:
            return str(self._enc.decode(checked))
        except KeyError as exc:  # a gap in the id range (cl100k has no id 100256)
            raise InputError(f"{self._name}: {exc.args[0]}") from exc

    def decode_ordinary(self, ids: Iterable[int]) -> str:
        """Text of ``ids`` that must all be ordinary tokens: a special token's id raises
        :class:`InputError` naming it, as ids from outside (an API request) are text, never control.

        >>> BytePairTokenizer("cl100k_base").decode_ordinary([15339, 100257])
        Traceback (most recent call last):
        embedrag.errors.InputError: cl100k_base: token id 100257 (at position 1) is the special token <|endoftext|>
        """
        try:
            checked = check_ids(ids, self.vocab_size)
        except InputError as exc:
            raise InputError(f"{self._name}: {exc}") from None
        for position, i in enumerate(checked):
            if self._enc.is_special_token(i):
                name = self._enc.decode_single_token_bytes(i).decode()
                raise InputError(f"{self._name}: token id {i} (at position {position}) is the special token {name}")
        return self.decode(checked)

    def tokens(self, text: str) -> list[str]:
        """One piece per id: its text, with bytes of a split character as ``<0xNN>``."""
        return [readable_bytes(self._enc.decode_single_token_bytes(i)) for i in self.encode(text)]

    def count(self, text: str) -> int:
        """``len(encode(text))`` without building the id list."""
        return int(self._enc.count(check_text(text)))

    def __repr__(self) -> str:
        return f"BytePairTokenizer(name={self._name!r}, vocab_size={self.vocab_size})"
