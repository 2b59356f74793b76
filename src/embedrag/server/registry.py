"""The collections a server holds: safe names, opened once, one operation at a time each, closed at shutdown.

A collection is a sub-directory of the server's collections directory. Names are checked
against :data:`NAME_PATTERN` before any path is built, so no request can reach outside it.
A sharded collection (:mod:`embedrag.distributed.sharded`) is served where the server runs on Ray
(``embedrag serve --ray``): each of its shards is searched by a Ray actor, and the search merges
their answers as one collection would rank them.
A :class:`Collection` shares one SQLite connection, so each is used by one thread at a time
(its lock); the server's encoders are shared with the collections built by the same model.
"""

from __future__ import annotations

import itertools
import re
import shutil
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from embedrag.collection import Collection
from embedrag.distributed.sharded import ShardedCollection  # imports no Ray
from embedrag.embed import Embedder
from embedrag.errors import ConfigError
from embedrag.server.errors import ApiError
from embedrag.tokenize import Tokenizer, load_tokenizer

__all__ = ["NAME_PATTERN", "CollectionRegistry", "check_name"]

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
"""Letters, digits, ``_``, ``.`` and ``-``, starting with a letter or digit: never a path."""
_NAME = re.compile(NAME_PATTERN)


def check_name(name: str) -> str:
    """``name`` if it is a safe collection name, else a 400 :class:`ApiError`.

    >>> check_name("notes-2024")
    'notes-2024'
    >>> check_name("../etc")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    embedrag.server.errors.ApiError: invalid collection name '../etc': use 1-64 letters, digits, ...
    """
    if not _NAME.fullmatch(name):
        raise ApiError(
            400,
            f"invalid collection name {name!r}: use 1-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit",
            type="invalid_request_error",
            code="invalid_collection_name",
            param="name",
        )
    return name


def _not_found(name: str) -> ApiError:
    return ApiError(404, f"no collection named {name!r}", type="not_found_error", code="collection_not_found")


SHARD_CPUS = 0.1
"""CPUs each shard's actor reserves when a server opens a sharded collection: a searcher, not an encoder."""


_OPENINGS = itertools.count(1)


class _Entry:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.lock = threading.Lock()
        self.opening = next(_OPENINGS)


class CollectionRegistry:
    """Opens, creates, deletes and closes the collections under ``root``; every method blocks (run it in a thread)."""

    def __init__(self, root: Path, embedders: Callable[[], Mapping[str, Embedder]]) -> None:
        self.root = root
        self._embedders = embedders
        self._open: dict[str, _Entry] = {}
        self._tokenizers: dict[str, Tokenizer] = {}
        self._lock = threading.Lock()
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, name: str) -> Path:
        return self.root / check_name(name)

    def names(self) -> list[str]:
        """Names of the collections on disk, sorted."""
        sharded = _ray_ready()  # a server not on Ray lists only what it can open
        return sorted(
            p.name
            for p in self.root.iterdir()
            if _NAME.fullmatch(p.name) and (Collection.exists(p) or (sharded and ShardedCollection.exists(p)))
        )

    @contextmanager
    def use(self, name: str) -> Iterator[Collection]:
        """The open collection ``name``, held exclusively for the ``with`` block; 404 if it does not exist."""
        entry = self._entry(name)
        with entry.lock:
            if self._open.get(name) is not entry:  # deleted while this request waited for it: closed
                raise _not_found(name)
            yield entry.collection

    def opening(self, name: str) -> int:
        """A number for the collection ``name`` as this server holds it, new when it is made or opened again.

        A collection deleted and made again under its name can reach the old one's generation: what
        was computed from the old one (a map) is keyed by this too, so it is never taken for the new one's.
        Not to be called inside :meth:`use` (a delete waiting for that block holds the registry).
        """
        return self._entry(name).opening

    def _entry(self, name: str) -> _Entry:
        path = self._path(name)
        with self._lock:
            if name not in self._open:
                if ShardedCollection.exists(path):
                    self._open[name] = _Entry(_open_sharded(name, path))
                    return self._open[name]
                if not Collection.exists(path):
                    raise _not_found(name)
                shared = Collection.embedder_for(path, self._embedders().values())
                self._open[name] = _Entry(self._collection(path, shared, create=False))
            return self._open[name]

    def _collection(self, path: Path, embedder: Embedder | None, *, create: bool) -> Collection:
        """The collection at ``path``, sharing the server's encoder and its tokenizer (loaded once per model)."""
        tokenizer = None
        if embedder is not None:
            key = str(embedder.model_path)
            if key not in self._tokenizers:
                self._tokenizers[key] = load_tokenizer(embedder.model_path)
            tokenizer = self._tokenizers[key]
        return Collection.open(path, embedder=embedder, tokenizer=tokenizer, create=create)

    def create(self, name: str, embedder: Embedder) -> None:
        """Make an empty collection embedded by ``embedder``; 409 if ``name`` exists."""
        path = self._path(name)
        with self._lock:
            if Collection.exists(path):
                raise ApiError(
                    409, f"collection {name!r} already exists", type="conflict_error", code="collection_exists"
                )
            self._open[name] = _Entry(self._collection(path, embedder, create=True))

    def delete(self, name: str) -> None:
        """Close and remove collection ``name`` with its files; 404 if it does not exist."""
        path = self._path(name)
        with self._lock:
            entry = self._open.pop(name, None)
            if entry is not None:
                with entry.lock:  # wait for the operation in progress
                    entry.collection.close(save=False)  # its files are about to go
            if not (Collection.exists(path) or ShardedCollection.exists(path)):
                raise _not_found(name)
            shutil.rmtree(path)

    def close_all(self) -> None:
        """Close every open collection (saving derived indexes), after its operation in progress."""
        with self._lock:
            entries, self._open = list(self._open.values()), {}
        for entry in entries:
            with entry.lock:
                entry.collection.close()


def _ray_ready() -> bool:
    """Whether this server runs on Ray: ``ray`` imported (never imported here) and connected."""
    ray = sys.modules.get("ray")
    return ray is not None and bool(ray.is_initialized())


def _open_sharded(name: str, path: Path) -> Collection:
    """The sharded collection at ``path`` on the Ray cluster this server runs in; 400 without one."""
    if not _ray_ready():
        raise _needs_ray(name)
    try:
        # Duck-typed: what a route asks of it that a sharded collection lacks is a ConfigError (a 400).
        return ShardedCollection.open(path, cpus_per_shard=SHARD_CPUS)  # type: ignore[return-value]
    except ConfigError as exc:
        raise ApiError(400, str(exc), type="invalid_request_error", code="invalid_collection") from exc


def _needs_ray(name: str) -> ApiError:
    return ApiError(
        400,
        f"collection {name!r} is sharded: serve it on Ray (embedrag serve --ray ...)",
        type="invalid_request_error",
        code="sharded_collection_needs_ray",
    )
