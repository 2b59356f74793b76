"""Offline-first resolution of a model name (or path) to files on this machine.

The order is fixed and documented: an explicit local path, an installed package that
ships the weights, the local cache, and the hub only when network access is allowed
(``allow_network=True`` or ``EMBEDRAG_ALLOW_NETWORK=1``). When nothing works the error
lists every place that was tried and why it did not fit.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Literal

from embedrag._optional import require
from embedrag.errors import ModelNotFoundError
from embedrag.models.cache import cache_dir
from embedrag.models.catalogue import Kind, ModelInfo, find

__all__ = ["ResolvedModel", "available", "network_allowed", "package_path", "resolve"]

Source = Literal["path", "package", "cache", "hub"]
_COMPLETE = ".embedrag-complete"


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model's files are, how they were found, and the catalogue entry if any."""

    name: str
    path: Path
    source: Source
    info: ModelInfo | None


def network_allowed(allow_network: bool | None = None) -> bool:
    """An explicit argument wins; otherwise ``EMBEDRAG_ALLOW_NETWORK=1`` allows the hub."""
    if allow_network is not None:
        return allow_network
    return os.environ.get("EMBEDRAG_ALLOW_NETWORK", "").lower() in {"1", "true", "yes"}


def package_path(info: ModelInfo) -> Path | None:
    """The installed package folder holding ``info``'s files, or ``None`` if not installed."""
    if info.package is None or importlib.util.find_spec(info.package.package) is None:
        return None
    path = Path(str(files(info.package.package))) / info.package.subdir
    return path if path.exists() else None


def resolve(name_or_path: str | Path, *, kind: Kind | None = None, allow_network: bool | None = None) -> ResolvedModel:
    """Find the files of a model: a path, or a catalogue name / alias, or a hub id.

    >>> resolve("/no/such/dir")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    embedrag.errors.ModelNotFoundError: model '/no/such/dir' not found; looked in: ...
    """
    text = str(name_or_path)
    tried: list[str] = []
    path = Path(text).expanduser()
    if path.exists():
        return ResolvedModel(path.name or text, path.resolve(), "path", None)
    tried.append(f"path {path}: does not exist")

    info = find(text, kind=kind)
    name = info.name if info else text
    if info is not None and info.package is not None:
        found = package_path(info)
        if found is not None:
            return ResolvedModel(name, found, "package", info)
        tried.append(f"package {info.package.package}: not installed (run: embedrag models install {info.name})")
    cached = cache_dir("models") / _safe_name(name)
    if (cached / _COMPLETE).exists():
        return ResolvedModel(name, cached, "cache", info)
    tried.append(f"cache {cached}: empty")

    hub_id = info.hub_id if info else (text if _looks_like_hub_id(text) else None)
    if hub_id is None:
        tried.append("hub: no hub id known for this name")
    elif not network_allowed(allow_network):
        tried.append(f"hub {hub_id}: not tried, network not allowed (set EMBEDRAG_ALLOW_NETWORK=1)")
    else:
        return ResolvedModel(name, _download(hub_id, cached), "hub", info)
    raise ModelNotFoundError(f"model '{text}' not found; looked in: " + "; ".join(tried))


def available(name: str) -> ResolvedModel | None:
    """Where ``name`` resolves without the network, or ``None`` if it is not on this machine."""
    try:
        return resolve(name, allow_network=False)
    except ModelNotFoundError:
        return None


def _download(hub_id: str, target: Path) -> Path:
    hub = require("huggingface_hub", extra="hub", purpose="Downloading models from the hub")
    hub.snapshot_download(hub_id, local_dir=str(target))
    (target / _COMPLETE).touch()
    return target


def _safe_name(name: str) -> str:
    return name.replace("/", "--")


def _looks_like_hub_id(text: str) -> bool:
    parts = text.split("/")
    return len(parts) == 2 and all(parts) and not text.startswith((".", "~"))
