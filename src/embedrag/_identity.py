"""How embedrag names what it stores: a chunk's id, and the content hash that decides "unchanged".

Written once because copies drift: an ingest skips a document whose stored hash equals the
hash of its text now, so two hash functions that disagree silently re-embed or skip.
"""

from __future__ import annotations

import hashlib

__all__ = ["chunk_id", "content_hash", "split_chunk_id"]


def content_hash(text: str) -> str:
    """sha256 of ``text`` (UTF-8), in hex: equal texts, equal hashes, whatever their source.

    Ingestion compares it with the stored hash to skip unchanged documents.

    >>> content_hash("hello")
    '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'
    >>> content_hash("")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chunk_id(doc_id: str, position: int | str) -> str:
    """``<doc_id>#<position>``: a chunk's id, unique in a collection (``position`` may be a range, ``2-3``).

    >>> chunk_id("notes/a.md", 2), chunk_id("notes/a.md", "2-3")
    ('notes/a.md#2', 'notes/a.md#2-3')
    """
    return f"{doc_id}#{position}"


def split_chunk_id(value: str) -> tuple[str, str]:
    """``(doc_id, position)`` of a :func:`chunk_id`; a document id may itself hold ``#``.

    >>> split_chunk_id("docs/c#.md#12")
    ('docs/c#.md', '12')
    """
    doc_id, _, position = value.rpartition("#")
    return doc_id, position
