"""Any Hugging Face ``tokenizer.json`` (WordPiece, BPE, Unigram) behind the :class:`Tokenizer` protocol."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import tokenizers
from tokenizers import decoders

from embedrag.errors import ModelFormatError
from embedrag.tokenize.pieces import gpt2_piece_bytes, readable_bytes
from embedrag.tokenize.protocol import check_ids, check_text

__all__ = ["HFTokenizer"]


class HFTokenizer:
    """A ``tokenizers.Tokenizer`` with true counts: never padded, never truncated.

    ``encode`` adds the special tokens the model expects (BERT: ``[CLS]`` ... ``[SEP]``)
    because that is what the model sees and what counts against its limit; pass
    ``add_special_tokens=False`` for the bare pieces. ``decode`` drops special tokens.
    Special-token spellings in user text (``"[SEP]"``) are tokenized as plain text.
    The constructor configures ``backend`` in place (padding, truncation and special-token
    matching off); :attr:`backend` is that same object, ready for fast batch encoding.

    >>> from embedrag.tokenize import load_tokenizer
    >>> tok = load_tokenizer("bert-base-uncased")
    >>> tok.encode("The man went to the store")
    [101, 1996, 2158, 2253, 2000, 1996, 3573, 102]
    >>> tok.tokens("Hello, world")
    ['[CLS]', 'hello', ',', 'world', '[SEP]']
    """

    def __init__(self, backend: tokenizers.Tokenizer, *, name: str, add_special_tokens: bool = True) -> None:
        # The files we ship pad to 128 and truncate at 128 (sentence-transformers'
        # export): counts would be wrong and long texts silently cut.
        backend.no_padding()
        backend.no_truncation()
        backend.encode_special_tokens = True
        self._backend = backend
        self._name = name
        self.add_special_tokens = add_special_tokens
        self._byte_level = isinstance(backend.decoder, decoders.ByteLevel)

    @classmethod
    def from_file(cls, path: str | Path, *, name: str | None = None, add_special_tokens: bool = True) -> HFTokenizer:
        """Load a ``tokenizer.json``; :class:`ModelFormatError` if it is not one."""
        try:
            backend = tokenizers.Tokenizer.from_file(str(path))
        except Exception as exc:  # tokenizers raises a bare Exception for bad files
            raise ModelFormatError(f"{path} is not a usable tokenizer.json: {exc}") from exc
        return cls(backend, name=name or str(path), add_special_tokens=add_special_tokens)

    @property
    def name(self) -> str:
        """The catalogue name, or the path the tokenizer was loaded from."""
        return self._name

    @property
    def vocab_size(self) -> int:
        """Number of ids, added and special tokens included."""
        return int(self._backend.get_vocab_size(with_added_tokens=True))

    @property
    def backend(self) -> tokenizers.Tokenizer:
        """The underlying ``tokenizers.Tokenizer`` (padding and truncation off), for batch work."""
        return self._backend

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``, special tokens included unless ``add_special_tokens`` is off."""
        encoding = self._backend.encode(check_text(text), add_special_tokens=self.add_special_tokens)
        return list(encoding.ids)

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        """``[encode(t) for t in texts]``, in parallel threads."""
        batch = [check_text(t) for t in texts]
        return [list(e.ids) for e in self._backend.encode_batch(batch, add_special_tokens=self.add_special_tokens)]

    def decode(self, ids: Iterable[int]) -> str:
        """Text of ``ids`` without special tokens (normalised: BERT uncased gives lower case)."""
        return str(self._backend.decode(check_ids(ids, self.vocab_size), skip_special_tokens=True))

    def tokens(self, text: str) -> list[str]:
        """One piece per id: WordPiece ``"##ing"`` and SentencePiece ``"▁the"`` as in the vocabulary,
        GPT-2 byte-level ``"Ġthe"`` as the text it stands for (``" the"``)."""
        encoding = self._backend.encode(check_text(text), add_special_tokens=self.add_special_tokens)
        pieces: list[str] = list(encoding.tokens)
        if not self._byte_level:
            return pieces
        return [self._readable(p) for p in pieces]

    def count(self, text: str) -> int:
        """The true number of ids of ``text`` (no padding, no truncation)."""
        return len(self.encode(text))

    def _readable(self, piece: str) -> str:
        try:
            return readable_bytes(gpt2_piece_bytes(piece))
        except KeyError:  # an added token such as "<|endoftext|>" spelled outside the byte table
            return piece

    def __repr__(self) -> str:
        return f"HFTokenizer(name={self._name!r}, vocab_size={self.vocab_size})"
