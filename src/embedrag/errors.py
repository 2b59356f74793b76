"""The exceptions and warnings embedrag raises: one hierarchy each, all importable from ``embedrag``.

Library code raises only these (plus ``TypeError`` for programming errors such as a
non-string text). The CLI turns an ``EmbedragError`` into one line on stderr and exit
code 1; the server turns it into a 4xx JSON body. The builtin in brackets is a second
base, so ``except ValueError`` keeps catching what it caught before.

Errors::

    EmbedragError
    ├── InputError [ValueError]
    ├── ConfigError [ValueError]
    ├── ModelNotFoundError [LookupError]
    ├── ModelFormatError
    ├── MissingDependencyError [ImportError]
    ├── StoreError
    │   ├── SpecMismatchError [ValueError]
    │   └── CollectionLockedError
    └── LLMError

Warnings::

    EmbedragWarning [UserWarning]
    ├── TruncationWarning
    ├── SaturationWarning
    └── IndexRebuiltWarning
"""

from __future__ import annotations

__all__ = [
    "CollectionLockedError",
    "ConfigError",
    "EmbedragError",
    "EmbedragWarning",
    "IndexRebuiltWarning",
    "InputError",
    "LLMError",
    "MissingDependencyError",
    "ModelFormatError",
    "ModelNotFoundError",
    "SaturationWarning",
    "SpecMismatchError",
    "StoreError",
    "TruncationWarning",
]


class EmbedragError(Exception):
    """Base class of every error embedrag raises on purpose."""


class InputError(EmbedragError, ValueError):
    """The caller's input is invalid: an empty text, a bad file, an unknown word."""


class ConfigError(EmbedragError, ValueError):
    """An option or setting has an invalid value."""


class ModelNotFoundError(EmbedragError, LookupError):
    """A model name or path could not be resolved to files on this machine."""


class ModelFormatError(EmbedragError):
    """Model files exist but cannot be used: missing or inconsistent pieces."""


class MissingDependencyError(EmbedragError, ImportError):
    """An optional feature needs an extra that is not installed."""


class StoreError(EmbedragError):
    """A collection cannot be used: missing, damaged, not a collection, or an unknown format."""


class SpecMismatchError(StoreError, ValueError):
    """A collection was opened with an embedding spec other than the one its vectors were made with."""


class CollectionLockedError(StoreError):
    """Another process (or connection) is writing to the collection and did not finish in time."""


class LLMError(EmbedragError):
    """The LLM endpoint could not be reached or gave an unusable answer."""


class EmbedragWarning(UserWarning):
    """Base class of embedrag's warnings."""


class TruncationWarning(EmbedragWarning):
    """Some inputs were longer than the model's limit and were truncated."""


class SaturationWarning(EmbedragWarning):
    """An int8 build runs where its 8-bit dot products can saturate (OpenVINO's int8 on a CPU without
    VNNI/AMX): its vectors may differ slightly from those of the CPU it was built for."""


class IndexRebuiltWarning(EmbedragWarning):
    """A saved graph could not be used (damaged, unreadable, from another database) and was rebuilt."""
