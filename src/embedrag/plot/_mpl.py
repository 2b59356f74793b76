"""matplotlib, imported on demand with the headless Agg backend, and saving figures to files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from embedrag._optional import require
from embedrag.errors import InputError

__all__ = ["TABLEAU", "image_path", "module", "pyplot", "save"]

TABLEAU = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
"""matplotlib's ten default colours, in order."""


def pyplot() -> Any:
    """``matplotlib.pyplot`` drawing to files (no display needed), or a hint to install the extra."""
    matplotlib = require("matplotlib", extra="plot", purpose="drawing charts")
    matplotlib.use("Agg")
    return require("matplotlib.pyplot", extra="plot", purpose="drawing charts")


def module(name: str) -> Any:
    """A matplotlib submodule such as ``matplotlib.patches``, after the backend is chosen."""
    pyplot()
    return require(name, extra="plot", purpose="drawing charts")


def image_path(path: str | Path) -> Path:
    """``path`` as a :class:`Path` if matplotlib writes its format (by suffix) and its folder exists.

    Called before any slow work, so a typo in the file name costs nothing.
    """
    out = Path(path)
    formats: dict[str, str] = module("matplotlib.backend_bases").FigureCanvasBase.get_supported_filetypes()
    if out.suffix.lower().lstrip(".") not in formats:
        others = ", ".join(sorted(set(formats) - {"png", "svg", "pdf"}))
        problem = f"unknown image format {out.suffix!r}" if out.suffix else "no suffix to choose the image format"
        raise InputError(f"cannot draw {out.name!r}: {problem}; use .png, .svg or .pdf (or {others})")
    if not out.parent.is_dir():
        raise InputError(f"cannot write {out}: the folder {out.parent} does not exist")
    return out


def save(fig: Any, path: str | Path, *, dpi: int = 120) -> Path:
    """Write ``fig`` to ``path`` (format by suffix) and close it; a bad path is an :class:`InputError`."""
    try:
        out = image_path(path)
        fig.savefig(out, dpi=dpi)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        pyplot().close(fig)
    return out
