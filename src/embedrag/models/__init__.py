"""Model catalogue (data) and offline-first resolution of model files."""

from embedrag.models.catalogue import CATALOGUE, DEFAULT_MODEL, ModelInfo, PackageSource, find, names
from embedrag.models.resolve import ResolvedModel, available, resolve

__all__ = [
    "CATALOGUE",
    "DEFAULT_MODEL",
    "ModelInfo",
    "PackageSource",
    "ResolvedModel",
    "available",
    "find",
    "names",
    "resolve",
]
