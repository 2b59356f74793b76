"""Reading user text files as strict UTF-8, with errors that name the file and the byte offset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from embedrag.errors import InputError

__all__ = ["Utf8Lines", "decode_utf8"]


def decode_utf8(data: bytes, *, source: str, offset: int = 0) -> str:
    """``data`` as text, or :class:`InputError` naming ``source`` and the first bad byte's offset.

    ``offset`` is where ``data`` starts inside ``source`` (for files read in pieces).

    >>> decode_utf8(b"caf\\xc3\\xa9", source="menu.txt")
    'café'
    >>> decode_utf8(b"caf\\xe9", source="menu.txt")
    Traceback (most recent call last):
    embedrag.errors.InputError: menu.txt is not valid UTF-8: byte 0xE9 at offset 3 (unexpected end of data)
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source} is not valid UTF-8: byte 0x{data[exc.start]:02X} at offset {offset + exc.start} ({exc.reason})"
        ) from None


class Utf8Lines:
    """The lines of a UTF-8 file (without line ends), read lazily.

    Meant for consumers that swallow exceptions raised by the iterator (SentencePiece's
    trainer wraps them in a ``RuntimeError``): the first decoding error is also kept
    in :attr:`error` so the caller can raise it as it was.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.error: InputError | None = None

    def __iter__(self) -> Iterator[str]:
        offset = 0
        with self.path.open("rb") as fh:
            for raw in fh:
                try:
                    yield decode_utf8(raw, source=str(self.path), offset=offset).rstrip("\r\n")
                except InputError as exc:
                    self.error = exc
                    raise
                offset += len(raw)
