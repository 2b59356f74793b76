"""embedrag: local-first embeddings toolkit and retrieval engine for RAG."""

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

__version__ = "0.1.0"

__all__ = [
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
