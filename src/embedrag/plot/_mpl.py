"""matplotlib, imported on demand with the headless Agg backend."""

from __future__ import annotations

from typing import Any

from embedrag._optional import require

__all__ = ["pyplot"]


def pyplot() -> Any:
    """``matplotlib.pyplot`` drawing to files (no display needed), or a hint to install the extra."""
    matplotlib = require("matplotlib", extra="plot", purpose="drawing charts")
    matplotlib.use("Agg")
    return require("matplotlib.pyplot", extra="plot", purpose="drawing charts")
