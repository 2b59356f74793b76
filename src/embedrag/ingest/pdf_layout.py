"""A PDF's text as a reader sees it: columns in order, running heads and page numbers gone, hyphens joined.

Pure functions over what a PDF reader gives: the text pieces of a page with their
positions (:class:`Piece`), and the pages' texts.

- **Columns**: a page is two columns when, on at least :data:`_COLUMN_SHARE` of its
  lines, a piece starts at the same left edge in the middle of the page after text
  that fills most of the way there (a table's short cells do not). Its text is then
  the left column's pieces, then the right's, each in the order the file draws them.
- **Running heads and feet**: among the first and last :data:`_EDGE_LINES` lines of each
  page, a line that recurs (digits aside) on at least half of the pages (and on 3 or
  more) is dropped, and so is a bare page number ("12", "xii", "Page 3 of 9", "2 / 92").
- **Hyphenation**: a word broken with a hyphen at a line's end is joined when the next
  line starts in lower case ("be-\\ncomes" -> "becomes").
- **Word gaps**: LaTeX writes no spaces; it moves the pen between words inside a ``TJ`` array.
  pypdf turns a move into a space when it exceeds half the font's space, and reads a wrong space
  width for a composite font without a space glyph (pypdf issue 3978: the width of whatever glyph
  has code 32), so "Thisdocumentcanbeused". :func:`word_gaps` marks every move of
  :data:`WORD_GAP` or more as a space in a way pypdf cannot miss.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["WORD_GAP", "Piece", "drop_running_lines", "join_hyphens", "page_text", "word_gaps"]

_COLUMN_SHARE = 0.4
_CHAR_WIDTH = 0.45  # an average character's width in a proportional font, in font sizes
_EDGE_LINES = 2
_PAGE_NUMBER = re.compile(r"(?:page\s+)?(?:\d{1,5}|[ivxlcdm]{1,7})(?:\s*(?:/|of)\s*\d{1,5})?", re.I)
_NUMBERS = re.compile(r"\d+|^[ivxlcdm]+\b|\b[ivxlcdm]+$")
_SPACES = re.compile(r"\s+")
_HYPHEN = re.compile(r"(?<=[^\W\d_])-\n(?=[a-z])")

WORD_GAP = 200.0
"""A pen move inside a ``TJ`` array of at least this (thousandths of an em) is a word gap: above
TeX's thin space (1/6 em, in ``\\ldots`` and after a comma in math) and below the narrowest gap of
a justified line (a third of an em shrunk by a third). In Debian's camlidl, freefem and
auto-multiple-choice manuals, moves of kerning stay under 0.125 em and word gaps start at 0.15 em."""
_FAR = 1e6


@dataclass(frozen=True)
class Piece:
    """A run of text the PDF draws at ``(x, y)`` (points, y upwards) in a font of ``size`` points."""

    text: str
    x: float
    y: float
    size: float


def page_text(pieces: Sequence[Piece], width: float) -> str | None:
    """The page's text in column order if it is laid out in two columns, else ``None`` (the file's order is right).

    >>> text = "a line of text that runs all the way across its column"
    >>> row = lambda y, i: [Piece(f"{i}: {text}", 50, y, 10), Piece(f"right {i}", 320, y, 10)]
    >>> print(page_text([p for i in range(4) for p in row(700 - 12 * i, i)], 595))
    0: a line of text that runs all the way across its column
    1: a line of text that runs all the way across its column
    2: a line of text that runs all the way across its column
    3: a line of text that runs all the way across its column
    right 0
    right 1
    right 2
    right 3
    """
    drawn = [p for p in pieces if p.text.strip()]
    gutter = _gutter(drawn, width)
    if gutter is None:
        return None
    left = [p for p in drawn if p.x < gutter - 1]
    right = [p for p in drawn if p.x >= gutter - 1]
    return "\n".join(part for part in (_joined(left), _joined(right)) if part)


def _lines(pieces: Sequence[Piece]) -> list[list[Piece]]:
    """Pieces grouped into lines (same baseline within half a font size), top to bottom, left to right."""
    lines: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: (-p.y, p.x)):
        if lines and abs(lines[-1][0].y - piece.y) <= max(piece.size, 1.0) / 2:
            lines[-1].append(piece)
        else:
            lines.append([piece])
    return [sorted(line, key=lambda p: p.x) for line in lines]


def _gutter(pieces: Sequence[Piece], width: float) -> float | None:
    """The x where a right column starts, if one does."""
    lines = _lines(pieces)
    votes: Counter[int] = Counter()
    for line in lines:
        # One vote per line and left edge (rounded to 3 points) of a piece that follows another.
        votes.update({round(p.x / 3) for p in line[1:] if 0.3 * width < p.x < 0.7 * width})
    if not votes:
        return None
    edge, _ = votes.most_common(1)[0]
    gutter = edge * 3.0
    filled = sum(_fills_column(line, gutter) for line in lines)
    return gutter if filled >= max(4, _COLUMN_SHARE * len(lines)) else None


def _fills_column(line: Sequence[Piece], gutter: float) -> bool:
    """Whether the line has a piece at the gutter and its left part runs most of the way there.

    A table's aligned column has short cells on its left; a text column's lines are full.
    """
    if not any(abs(p.x - gutter) <= 3 for p in line[1:]):
        return False
    left = [p for p in line if p.x < gutter - 3]
    if not left:
        return False
    extent = sum(len(p.text.strip()) * p.size * _CHAR_WIDTH for p in left)
    return extent >= 0.6 * (gutter - left[0].x)


def _joined(pieces: Sequence[Piece]) -> str:
    """Pieces in the file's order, a new line wherever the baseline moves."""
    out: list[str] = []
    previous: Piece | None = None
    for piece in pieces:
        text = piece.text.replace("\n", " ")
        if previous is not None and abs(previous.y - piece.y) > max(piece.size, 1.0) / 2:
            out.append("\n")
            text = text.lstrip()
        out.append(text)
        previous = piece
    return _tidy("".join(out))


def _tidy(text: str) -> str:
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


def _key(line: str) -> str:
    return _NUMBERS.sub("#", _SPACES.sub(" ", line).strip().lower())


def drop_running_lines(pages: Sequence[str]) -> list[str]:
    """``pages`` without their running heads and feet and bare page numbers (see the module's docstring).

    >>> pages = [f"Guide {n}\\nBody of page {n}.\\n{n}" for n in range(1, 5)]
    >>> drop_running_lines(pages)
    ['Body of page 1.', 'Body of page 2.', 'Body of page 3.', 'Body of page 4.']
    """
    split = [page.split("\n") for page in pages]
    edges = [_edge_indexes(lines) for lines in split]
    counts: Counter[str] = Counter()
    for lines, indexes in zip(split, edges, strict=True):
        counts.update({_key(lines[i]) for i in indexes})
    repeated = {key for key, n in counts.items() if key and n >= max(3, len(pages) / 2)}
    out = []
    for lines, indexes in zip(split, edges, strict=True):
        dropped = {i for i in indexes if _key(lines[i]) in repeated or _PAGE_NUMBER.fullmatch(lines[i].strip())}
        out.append("\n".join(line for i, line in enumerate(lines) if i not in dropped).strip("\n"))
    return out


def _edge_indexes(lines: Sequence[str]) -> list[int]:
    """Indexes of the first and last :data:`_EDGE_LINES` lines holding text (fewer on a short page)."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    edge = max(1, min(_EDGE_LINES, len(filled) // 3))
    return sorted(set(filled[:edge] + filled[-edge:]))


def word_gaps(elements: Sequence[object]) -> list[object]:
    """A ``TJ`` array with each move of :data:`WORD_GAP` or more split in two: a move so far back
    that any reader takes it for a space, then the rest forward. The pen ends where it did.

    >>> word_gaps([b"This", -364.0, b"document", 28, b"is"])
    [b'This', -1000000.0, 999636.0, b'document', 28, b'is']
    """
    out: list[object] = []
    for element in elements:
        if isinstance(element, int | float) and not isinstance(element, bool) and -element >= WORD_GAP:
            out += [-_FAR, float(element) + _FAR]
        else:
            out.append(element)
    return out


def join_hyphens(text: str) -> str:
    """``text`` with words hyphenated across a line break joined.

    >>> join_hyphens("it be-\\ncomes one; well-\\nKnown stays")
    'it becomes one; well-\\nKnown stays'
    """
    return _HYPHEN.sub("", text)
