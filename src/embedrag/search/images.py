"""Text-to-image search over a folder of images, with a CLIP model's shared space.

Every file under the folder whose name ends in an image suffix is embedded; other files
are counted as skipped. An image file Pillow cannot read is listed in
:attr:`ImageFolder.unreadable` with the reason, never dropped in silence. With a cache
file, vectors of files whose size and modification time are unchanged are reused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from embedrag.embed import Embedder
from embedrag.embed.images import IMAGE_SUFFIXES, not_an_image_model, open_image
from embedrag.errors import ConfigError, InputError

__all__ = ["ImageFolder", "ImageHit", "Unreadable", "embed_image_folder", "search_images"]

CACHE_FORMAT = 1
"""Version of the ``.npz`` cache layout: paths, sizes, mtimes, vectors and the embedding spec."""


@dataclass(frozen=True)
class ImageHit:
    """One image found for a query, with its cosine similarity to the query."""

    path: Path
    score: float


@dataclass(frozen=True)
class Unreadable:
    """An image file that could not be decoded, and why."""

    path: Path
    reason: str


@dataclass(frozen=True)
class ImageFolder:
    """Unit vectors of every readable image under ``root``, and what was left out."""

    root: Path
    paths: tuple[Path, ...]
    vectors: npt.NDArray[np.float32]
    """(len(paths), dims) float32, unit rows, in the order of ``paths``."""
    skipped: tuple[Path, ...]
    """Files without an image suffix."""
    unreadable: tuple[Unreadable, ...]
    reused: int = 0
    """Vectors taken from the cache instead of computed."""

    def search(self, embedder: Embedder, query: str, *, k: int = 5) -> list[ImageHit]:
        """The ``k`` images closest to the text ``query``, best first (ties in path order)."""
        if k <= 0:
            raise ConfigError(f"k must be positive, got {k}")
        scores = self.vectors @ embedder.encode([query], normalize=True)[0]
        best = np.argsort(-scores, kind="stable")[:k]
        return [ImageHit(self.paths[i], float(scores[i])) for i in best]


def search_images(
    embedder: Embedder,
    folder: str | Path,
    query: str,
    *,
    k: int = 5,
    cache: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[ImageHit]:
    """The ``k`` images under ``folder`` closest to ``query`` (see :func:`embed_image_folder`)."""
    return embed_image_folder(embedder, folder, cache=cache, progress=progress).search(embedder, query, k=k)


def embed_image_folder(
    embedder: Embedder,
    folder: str | Path,
    *,
    cache: str | Path | None = None,
    batch_size: int = 32,
    progress: Callable[[int, int], None] | None = None,
) -> ImageFolder:
    """Embed every image under ``folder`` (recursively) with a CLIP ``embedder``.

    ``progress(done, total)`` is called after each batch. With ``cache``, an ``.npz`` file
    of an earlier run with the same model, unchanged files are not embedded again and the
    cache is rewritten (atomically) with the current folder. A cache written by another
    model is replaced; a file that is not an embedrag image cache is an :class:`InputError`.
    """
    if not embedder.encodes_images:
        raise not_an_image_model(embedder.model_path)
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root}: no such folder" if not root.exists() else f"{root}: not a folder")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    images = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
    skipped = tuple(p for p in files if p.suffix.lower() not in IMAGE_SUFFIXES)
    stats = {p: _stat(p) for p in images}
    known = _read_cache(Path(cache), embedder, root) if cache is not None else {}
    unchanged = [p for p in images if p in known and known[p][0] == stats[p]]
    vectors = {p: known[p][1] for p in unchanged}
    unreadable = _embed_new(embedder, [p for p in images if p not in vectors], vectors, batch_size, progress)
    paths = tuple(p for p in images if p in vectors)
    matrix = np.stack([vectors[p] for p in paths]) if paths else np.zeros((0, embedder.dims), np.float32)
    if cache is not None:
        _write_cache(Path(cache), embedder, root, paths, [stats[p] for p in paths], matrix)
    return ImageFolder(root, paths, matrix.astype(np.float32), skipped, tuple(unreadable), len(unchanged))


def _embed_new(
    embedder: Embedder,
    todo: list[Path],
    vectors: dict[Path, npt.NDArray[np.float32]],
    batch_size: int,
    progress: Callable[[int, int], None] | None,
) -> list[Unreadable]:
    """Embed ``todo`` into ``vectors``, a batch at a time; the files that fail to decode are returned."""
    unreadable: list[Unreadable] = []
    for start in range(0, len(todo), batch_size):
        opened: list[tuple[Path, Any]] = []
        for path in todo[start : start + batch_size]:
            try:
                opened.append((path, open_image(path)))
            except InputError as exc:  # reported to the caller, not skipped in silence
                unreadable.append(Unreadable(path, str(exc).removeprefix(f"{path}: ")))
        if opened:
            rows = embedder.encode_images([image for _, image in opened], normalize=True)
            vectors.update((path, row) for (path, _), row in zip(opened, rows, strict=True))
        if progress is not None:
            progress(min(start + batch_size, len(todo)), len(todo))
    return unreadable


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def _model_key(embedder: Embedder) -> str:
    """The embedding spec plus the model folder's files, sizes and mtimes: a retrained model is another model."""
    files = sorted(p for p in embedder.model_path.rglob("*") if p.is_file())
    stamps = [[p.relative_to(embedder.model_path).as_posix(), *_stat(p)] for p in files]
    return json.dumps({"spec": asdict(embedder.spec), "path": str(embedder.model_path), "files": stamps})


def _read_cache(
    path: Path, embedder: Embedder, root: Path
) -> dict[Path, tuple[tuple[int, int], npt.NDArray[np.float32]]]:
    """``{image path: ((size, mtime_ns), vector)}`` from a cache of the same model, else empty."""
    if not path.exists():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            fields = {name: data[name] for name in ("format", "spec", "paths", "sizes", "mtimes", "vectors")}
    except (OSError, ValueError, KeyError, EOFError) as exc:
        raise InputError(f"{path} is not an embedrag image cache ({exc}); delete it or choose another file") from None
    if int(fields["format"]) != CACHE_FORMAT or str(fields["spec"]) != _model_key(embedder):
        return {}  # another model or layout: derived data, rebuilt
    return {
        root / rel: ((int(size), int(mtime)), vector)
        for rel, size, mtime, vector in zip(
            fields["paths"].tolist(), fields["sizes"], fields["mtimes"], fields["vectors"], strict=True
        )
    }


def _write_cache(
    path: Path,
    embedder: Embedder,
    root: Path,
    paths: tuple[Path, ...],
    stats: list[tuple[int, int]],
    vectors: npt.NDArray[np.float32],
) -> None:
    from embedrag._atomic import publish

    def write(temp: Path) -> None:
        with temp.open("wb") as fh:  # a file object: np.savez would append .npz to a name
            np.savez(
                fh,
                format=np.int64(CACHE_FORMAT),
                spec=np.str_(_model_key(embedder)),
                paths=np.array([p.relative_to(root).as_posix() for p in paths], dtype=str),
                sizes=np.array([s for s, _ in stats], dtype=np.int64),
                mtimes=np.array([m for _, m in stats], dtype=np.int64),
                vectors=vectors.astype(np.float32),
            )

    path.parent.mkdir(parents=True, exist_ok=True)
    publish(path, write)
