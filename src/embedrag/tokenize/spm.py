"""SentencePiece ``.model`` files behind the :class:`Tokenizer` protocol."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from embedrag.errors import ModelFormatError
from embedrag.tokenize.protocol import check_ids, check_text

__all__ = ["SentencePieceTokenizer"]


class SentencePieceTokenizer:
    """A SentencePiece model (unigram or BPE), as trained by :func:`train_sentencepiece` or shipped
    with a model (``spiece.model``, ``tokenizer.model``).

    ``encode`` adds no BOS/EOS. ``tokens`` are the vocabulary pieces: ``"▁the"`` for a
    word-initial piece, ``"<0xE2>"`` for a byte-fallback piece and ``"<unk>"`` for a
    character the model does not know (which then decodes as ``" ⁇ "``).
    """

    def __init__(self, model: bytes, *, name: str, path: Path | None = None) -> None:
        import sentencepiece

        processor: Any = sentencepiece.SentencePieceProcessor()
        try:
            processor.LoadFromSerializedProto(model)
        except (RuntimeError, OSError) as exc:
            raise ModelFormatError(f"{name} is not a SentencePiece model: {exc}") from exc
        self._sp = processor
        self._name = name
        self.path = path
        """The ``.model`` file, when loaded from one."""

    @classmethod
    def from_file(cls, path: str | Path, *, name: str | None = None) -> SentencePieceTokenizer:
        """Load a ``.model`` file; :class:`ModelFormatError` if it is not one."""
        file = Path(path)
        return cls(file.read_bytes(), name=name or str(path), path=file)

    @property
    def name(self) -> str:
        """The catalogue name, or the path the model was loaded from."""
        return self._name

    @property
    def vocab_size(self) -> int:
        """Number of pieces, ``<unk>``, ``<s>`` and ``</s>`` included."""
        return int(self._sp.get_piece_size())

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (no BOS/EOS)."""
        return list(self._sp.encode(check_text(text)))

    def decode(self, ids: Iterable[int]) -> str:
        """Text of ``ids`` (NFKC-normalised, as the model saw it)."""
        return str(self._sp.decode(check_ids(ids, self.vocab_size)))

    def tokens(self, text: str) -> list[str]:
        """One vocabulary piece per id."""
        return [str(self._sp.id_to_piece(i)) for i in self.encode(text)]

    def count(self, text: str) -> int:
        """``len(encode(text))``."""
        return len(self.encode(text))

    def __repr__(self) -> str:
        return f"SentencePieceTokenizer(name={self._name!r}, vocab_size={self.vocab_size})"
