"""What ``ingest(..., sync=True)`` may remove: documents whose files are gone from the paths it walked.

A stored document is in a sync's scope when its file lies under one of the walked paths and
the walk's include/exclude filters would select it. In scope, it is gone when the walk did not
load it and either its file no longer exists or the walk loaded that file (a record gone from
its JSONL or CSV file). Files and folders that failed to load or list keep their documents.

A walked folder that is empty (an unmounted drive leaves its mount point, empty) would make
every document ingested from it look gone: the sync refuses instead, removes
nothing, and says how to remove them on purpose (``embedrag delete --under FOLDER``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from embedrag.errors import InputError
from embedrag.index import DocumentInfo
from embedrag.ingest import Skipped
from embedrag.ingest.walk import selected
from embedrag.types import Document

__all__ = ["Walk", "absolute", "file_of"]


@dataclass
class Walk:
    """What one ingest walk of ``roots`` met; ask :meth:`removes` about each stored document."""

    roots: list[Path]
    include: Sequence[str] = ()
    exclude: Sequence[str] = ()
    ids: set[str] = field(default_factory=set)
    files: set[Path] = field(default_factory=set)
    failed: set[Path] = field(default_factory=set)

    @classmethod
    def of_existing(cls, paths: Sequence[str | Path], include: Sequence[str], exclude: Sequence[str]) -> Walk:
        """The walk a sync makes; a path that does not exist is an :class:`InputError`.

        Every document from a renamed folder or an unmounted drive would look gone.
        """
        for path in paths:
            if not Path(path).exists():
                raise InputError(f"cannot sync {path}: it does not exist (nothing was added or removed)")
        return cls([absolute(p) for p in paths], include, exclude)

    def tracked(self, items: Iterable[Document | Skipped]) -> Iterator[Document | Skipped]:
        """``items``, noting each as it passes."""
        for item in items:
            if isinstance(item, Document):
                self.ids.add(item.id)
                self.files.add(absolute(str(item.metadata.get("path", item.source))))
            else:
                self.failed.add(absolute(item.source))
            yield item

    def removes(self, doc_id: str, path: Path) -> bool:
        """Whether the stored document ``doc_id``, loaded from file ``path``, is gone."""
        if doc_id in self.ids or not any(self._selects(root, path) for root in self.roots):
            return False
        if any(path == bad or bad in path.parents for bad in self.failed):
            return False
        return path in self.files or not path.exists()

    def refuse_emptied(self, gone: Sequence[tuple[str, Path]]) -> None:
        """Raise :class:`InputError` if ``gone`` (id, file) holds documents of a walked folder that was empty."""
        for root in self.roots:
            if not root.is_dir() or any(root.iterdir()):
                continue
            lost = [doc_id for doc_id, path in gone if root in path.parents]
            if lost:
                raise InputError(
                    f"cannot sync {root}: the folder is empty, so all {len(lost)} documents ingested from it "
                    "would be removed (a drive not mounted?); nothing was removed. If it is empty on purpose, "
                    f"remove them with: embedrag delete --under {root} -c COLLECTION"
                )

    def _selects(self, root: Path, path: Path) -> bool:
        if path == root:  # a file given by name
            return True
        # by path components: "docs2/a" is not under "docs"
        if root not in path.parents:
            return False
        return selected(path.relative_to(root).as_posix(), include=self.include, exclude=self.exclude)


def file_of(info: DocumentInfo) -> Path:
    """The file a stored document was loaded from (its ``path`` metadata, else its source), absolute.

    Collections written before paths were stored absolute hold them as typed: those are read from
    the working folder, as they were then.
    """
    return absolute(str(info.metadata.get("path", info.source)))


def absolute(path: str | Path) -> Path:
    """``path`` from the working folder, with ``.`` and ``..`` taken out (links are not followed)."""
    return Path(os.path.abspath(path))
