"""Where to put a text label next to each point so labels overlap neither each other, the points,
the arrows, nor the edge of the chart: a greedy choice among eight sides, in display pixels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Placement", "place_labels"]

Pixels = npt.NDArray[np.float64]
SIDES = [(1, 1), (1, 0), (1, -1), (0, 1), (0, -1), (-1, 1), (-1, 0), (-1, -1)]
"""Right-above first: the usual place for a label, and the tie-breaker."""


@dataclass(frozen=True)
class Placement:
    """Offset of a label from its point (pixels) and the alignment that goes with it."""

    dx: float
    dy: float
    ha: str
    va: str


def _box(anchor: Pixels, size: Pixels, side: tuple[int, int], gap: float) -> Pixels:
    """(x0, y0, x1, y1) of a label of ``size`` (w, h) on ``side`` of ``anchor``."""
    low = anchor + np.array(side) * gap - size * (1 - np.array(side)) / 2  # side 1: starts at the gap
    return np.concatenate([low, low + size])


def _overlap(a: Pixels, b: Pixels) -> float:
    """Area shared by two boxes."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return float(max(w, 0.0) * max(h, 0.0))


def _cost(box: Pixels, placed: list[Pixels], obstacles: Pixels, frame: Pixels) -> float:
    inside = (obstacles[:, 0] > box[0]) & (obstacles[:, 0] < box[2])
    inside &= (obstacles[:, 1] > box[1]) & (obstacles[:, 1] < box[3])
    outside = bool(box[0] < frame[0] or box[1] < frame[1] or box[2] > frame[2] or box[3] > frame[3])
    area = float((box[2] - box[0]) * (box[3] - box[1])) or 1.0
    return 1000.0 * outside + 10.0 * int(inside.sum()) + 100.0 * sum(_overlap(box, p) for p in placed) / area


def place_labels(
    anchors: npt.ArrayLike, sizes: npt.ArrayLike, obstacles: npt.ArrayLike, frame: npt.ArrayLike, *, gap: float = 7.0
) -> list[Placement]:
    """A side for each label, chosen in order: labels placed earlier are obstacles for later ones.

    ``anchors`` (n, 2) are the points, ``sizes`` (n, 2) the labels' widths and heights,
    ``obstacles`` (m, 2) pixels to keep clear (points, samples along arrows), ``frame`` the
    (x0, y0, x1, y1) labels must stay inside.

    >>> [p.ha for p in place_labels([[10, 10], [90, 10]], [[30, 10], [30, 10]], [[10, 10], [90, 10]], [0, 0, 100, 40])]
    ['left', 'right']
    """
    points = np.asarray(anchors, dtype=np.float64).reshape(-1, 2)
    extents = np.asarray(sizes, dtype=np.float64).reshape(-1, 2)
    keep_clear = np.asarray(obstacles, dtype=np.float64).reshape(-1, 2)
    bounds = np.asarray(frame, dtype=np.float64)
    placed: list[Pixels] = []
    out: list[Placement] = []
    for anchor, size in zip(points, extents, strict=True):
        boxes = [_box(anchor, size, side, gap) for side in SIDES]
        best = int(np.argmin([_cost(box, placed, keep_clear, bounds) for box in boxes]))
        placed.append(boxes[best])
        sx, sy = SIDES[best]
        out.append(Placement(sx * gap, sy * gap, ("center", "left", "right")[sx], ("center", "bottom", "top")[sy]))
    return out
