"""Walking a directory for ingestion: recursive, sorted, hidden entries skipped, glob filters.

Patterns are globs over the POSIX path relative to the root: ``*`` and ``?`` stay
within one folder, ``**`` spans folders, and a pattern without ``/`` matches the
file name at any depth (``*.md`` is ``**/*.md``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from embedrag.ingest.files import FileRef
from embedrag.ingest.skipped import Skipped

__all__ = ["glob_regex", "walk_files"]


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


def walk_files(root: Path, *, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> Iterator[FileRef | Skipped]:
    """Files under ``root`` in sorted order, as :class:`FileRef` with ids relative to ``root``.

    Hidden files and folders (names starting with ``.``) are skipped; so are files
    not matching any ``include`` pattern (when some are given) or matching an
    ``exclude`` pattern, and folders matching an ``exclude`` pattern. A folder that
    cannot be listed is reported as :class:`Skipped`.
    """
    errors: list[OSError] = []
    for folder, dirs, files in os.walk(root, onerror=errors.append):
        yield from (Skipped(str(e.filename or folder), f"{e.filename} cannot be listed: {e.strerror}") for e in errors)
        errors.clear()
        base = Path(folder).relative_to(root).as_posix()
        prefix = "" if base == "." else base + "/"
        # Sorting in place also fixes the order os.walk descends in: the whole walk is deterministic.
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not _matches(prefix + d, exclude))
        for name in sorted(files):
            relative = prefix + name
            if name.startswith(".") or (include and not _matches(relative, include)) or _matches(relative, exclude):
                continue
            yield FileRef(Path(folder) / name, relative)
    yield from (Skipped(str(e.filename or root), f"{e.filename} cannot be listed: {e.strerror}") for e in errors)
