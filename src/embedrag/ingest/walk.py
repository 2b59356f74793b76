"""Walking a directory for ingestion: recursive, sorted, hidden entries skipped, glob filters.

Patterns are globs over the POSIX path relative to the root: ``*`` and ``?`` stay
within one folder, ``**`` spans folders, and a pattern without ``/`` matches the
file name at any depth (``*.md`` is ``**/*.md``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from embedrag.ingest.files import FileRef
from embedrag.ingest.skipped import Skipped

__all__ = ["FileCount", "glob_regex", "inputs", "selected", "walk_files"]


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """The regular expression a glob ``pattern`` stands for.

    >>> bool(glob_regex("*.md").match("docs/guide/intro.md"))
    True
    >>> bool(glob_regex("docs/*.md").match("docs/guide/intro.md"))
    False
    >>> bool(glob_regex("docs/**/*.md").match("docs/intro.md")), bool(glob_regex("docs/**").match("docs/a/b.txt"))
    (True, True)
    """
    body = pattern.strip("/")
    parts, i = [] if "/" in body else ["(?:.*/)?"], 0
    while i < len(body):
        if body.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif body.startswith("**", i):
            parts.append(".*")
            i += 2
        elif body[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif body[i] == "?":
            parts.append("[^/]")
            i += 1
        elif body[i] == "[" and (close := body.find("]", i + 2)) > 0:
            inner = body[i + 1 : close]
            parts.append("[" + ("^" + inner[1:] if inner.startswith("!") else inner) + "]")
            i = close + 1
        else:
            parts.append(re.escape(body[i]))
            i += 1
    return re.compile("".join(parts) + r"\Z")


def _matches(relative: str, patterns: Iterable[str]) -> bool:
    return any(glob_regex(p).match(relative) for p in patterns)


def _left_out(relative: str, exclude: Sequence[str]) -> bool:
    """Whether the walk leaves out the file or folder at ``relative``, whatever is inside it."""
    return relative.rpartition("/")[2].startswith(".") or _matches(relative, exclude)


def _file_taken(relative: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    return not _left_out(relative, exclude) and (not include or _matches(relative, include))


def selected(relative: str, *, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> bool:
    """Whether :func:`walk_files` with these filters yields the file at POSIX path ``relative`` to its root.

    >>> selected("drafts/a.md", exclude=["drafts"]), selected("notes/a.md", include=["*.md"])
    (False, True)
    """
    folders = relative.split("/")[:-1]
    if any(_left_out("/".join(folders[: i + 1]), exclude) for i in range(len(folders))):
        return False
    return _file_taken(relative, include, exclude)


def walk_files(root: Path, *, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> Iterator[FileRef | Skipped]:
    """Files under ``root`` in sorted order, as :class:`FileRef` with ids relative to ``root``.

    Hidden files and folders (names starting with ``.``) are skipped; so are files
    not matching any ``include`` pattern (when some are given) or matching an
    ``exclude`` pattern, and folders matching an ``exclude`` pattern. A folder that
    cannot be listed, and a link to a folder (not followed), are reported as :class:`Skipped`.
    """
    errors: list[OSError] = []
    for folder, dirs, files in os.walk(root, onerror=errors.append):
        yield from (Skipped(str(e.filename or folder), f"{e.filename} cannot be listed: {e.strerror}") for e in errors)
        errors.clear()
        base = Path(folder).relative_to(root).as_posix()
        prefix = "" if base == "." else base + "/"
        # Sorting in place also fixes the order os.walk descends in: the whole walk is deterministic.
        dirs[:] = sorted(d for d in dirs if not _left_out(prefix + d, exclude))
        # os.walk lists a link to a folder but does not enter it (a link may loop): say so.
        yield from (_linked_folder(Path(folder) / d) for d in dirs if os.path.islink(Path(folder) / d))
        for name in sorted(files):
            if _file_taken(prefix + name, include, exclude):
                yield FileRef(Path(folder) / name, prefix + name)
    yield from (Skipped(str(e.filename or root), f"{e.filename} cannot be listed: {e.strerror}") for e in errors)


def _linked_folder(path: Path) -> Skipped:
    reason = f"{path} is a link to a folder; links to folders are not followed (ingest the folder itself)"
    return Skipped(str(path), reason)


def inputs(
    path: str | Path, *, include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Iterator[FileRef | Skipped]:
    """What loading ``path`` reads, one entry per file: a folder's files (:func:`walk_files`), a file
    itself (its id is its name), or a :class:`Skipped` for a path that does not exist."""
    root = Path(path)
    if root.is_dir():
        yield from walk_files(root, include=include, exclude=exclude)
    elif root.exists():
        yield FileRef(root, root.name)
    else:
        yield Skipped(str(root), f"{root} does not exist")


@dataclass
class FileCount:
    """The inputs of an ingest: how many there are, counted by name before it starts (nothing is
    opened, so it is cheap), and how many have been read to the end so far.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a.md", "b.txt", ".hidden.md"):
    ...     _ = (root / name).write_text("text")
    >>> FileCount.of([root, root / "a.md"], exclude=["*.txt"])
    FileCount(total=2, read=0)
    """

    total: int
    read: int = 0

    @classmethod
    def of(cls, paths: Iterable[str | Path], *, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> FileCount:
        return cls(sum(1 for path in paths for _ in inputs(path, include=include, exclude=exclude)))
