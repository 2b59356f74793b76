"""embedrag: local-first embeddings toolkit and retrieval engine for RAG."""

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

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "EmbedragError",
    "EmbedragWarning",
    "InputError",
    "MissingDependencyError",
    "ModelFormatError",
    "ModelNotFoundError",
    "TruncationWarning",
    "__version__",
]
