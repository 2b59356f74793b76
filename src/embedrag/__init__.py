"""embedrag: local-first embeddings toolkit and retrieval engine for RAG."""

import typing

from embedrag.embed import Embedder, Embeddings
from embedrag.errors import (
    CollectionLockedError,
    ConfigError,
    EmbedragError,
    EmbedragWarning,
    IndexRebuiltWarning,
    InputError,
    LLMError,
    MissingDependencyError,
    ModelFormatError,
    ModelNotFoundError,
    SaturationWarning,
    SpecMismatchError,
    StoreError,
    TruncationWarning,
)
from embedrag.tokenize import Tokenizer, load_tokenizer, train_sentencepiece
from embedrag.types import Document, EmbeddingSpec, Hit
from embedrag.words import WordVectors

if typing.TYPE_CHECKING:
    from embedrag.collection import Collection

__version__ = "0.1.0"

__all__ = [
    "Collection",
    "CollectionLockedError",
    "ConfigError",
    "Document",
    "Embedder",
    "EmbeddingSpec",
    "Embeddings",
    "EmbedragError",
    "EmbedragWarning",
    "Hit",
    "IndexRebuiltWarning",
    "InputError",
    "LLMError",
    "MissingDependencyError",
    "ModelFormatError",
    "ModelNotFoundError",
    "SaturationWarning",
    "SpecMismatchError",
    "StoreError",
    "Tokenizer",
    "TruncationWarning",
    "WordVectors",
    "__version__",
    "load_tokenizer",
    "train_sentencepiece",
]


def __getattr__(name: str) -> typing.Any:
    # Collections pull in scipy and faiss; load them on first use, not on `import embedrag`.
    if name == "Collection":
        from embedrag.collection import Collection

        return Collection
    raise AttributeError(f"module 'embedrag' has no attribute {name!r}")
