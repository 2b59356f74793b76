"""Errors of the index layer; candidates for ``embedrag.errors`` (all subclass :class:`EmbedragError`)."""

from __future__ import annotations

from embedrag.errors import EmbedragError

__all__ = ["CollectionLockedError", "SpecMismatchError", "StoreError"]


class StoreError(EmbedragError):
    """A collection cannot be used: missing, damaged, not a collection, or an unknown format."""


class SpecMismatchError(StoreError, ValueError):
    """A collection was opened with an embedding spec other than the one its vectors were made with."""


class CollectionLockedError(StoreError):
    """Another process (or connection) is writing to the collection and did not finish in time."""
