"""embedrag: local-first embeddings toolkit and retrieval engine for RAG."""

from typing import TYPE_CHECKING, Any

from embedrag.embed import Embedder, Embeddings
from embedrag.errors import (
    ConfigError,
    EmbedragError,
    EmbedragWarning,
    InputError,
    MissingDependencyError,
    ModelFormatError,
    ModelNotFoundError,
    TruncationWarning,
)
from embedrag.tokenize import Tokenizer, load_tokenizer, train_sentencepiece
from embedrag.types import EmbeddingSpec
from embedrag.words import WordVectors

if TYPE_CHECKING:
    from embedrag.collection import Collection

__version__ = "0.1.0"

__all__ = [
    "Collection",
    "ConfigError",
    "Embedder",
    "EmbeddingSpec",
    "Embeddings",
    "EmbedragError",
    "EmbedragWarning",
    "InputError",
    "MissingDependencyError",
    "ModelFormatError",
    "ModelNotFoundError",
    "Tokenizer",
    "TruncationWarning",
    "WordVectors",
    "__version__",
    "load_tokenizer",
    "train_sentencepiece",
]


def __getattr__(name: str) -> Any:
    # Collections pull in scipy and faiss; load them on first use, not on `import embedrag`.
    if name == "Collection":
        from embedrag.collection import Collection

        return Collection
    raise AttributeError(f"module 'embedrag' has no attribute {name!r}")
