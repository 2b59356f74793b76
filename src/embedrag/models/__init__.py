"""Model catalogue (data) and offline-first resolution of model files."""

from embedrag.models.catalogue import CATALOGUE, ModelInfo, PackageSource, find, names
from embedrag.models.resolve import ResolvedModel, available, resolve

__all__ = ["CATALOGUE", "ModelInfo", "PackageSource", "ResolvedModel", "available", "find", "names", "resolve"]
