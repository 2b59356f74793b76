"""What every training run shares: its output folder, the learning-rate schedule, the loss record."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from embedrag.errors import InputError

__all__ = ["Progress", "check_output", "linear_warmup", "save_atomically"]

Progress = Callable[[int, int, float], None]
"""``progress(step, steps, loss)``, called after each optimiser step."""


def check_output(output: str | Path) -> Path:
    """``output`` as a path, refused when it holds anything: a run never overwrites a model."""
    path = Path(output)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise InputError(f"{path} exists and is not an empty folder")
    return path


def save_atomically(output: Path, write: Callable[[Path], None], report: dict[str, Any]) -> None:
    """Let ``write(folder)`` fill a folder beside ``output``, add the report, then move it into place.

    A crash mid-save leaves no half-written model under the final name.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
    try:
        write(staging)
        (staging / "embedrag-train.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        if output.exists():
            output.rmdir()
        staging.rename(output)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def linear_warmup(optimizer: Any, steps: int, warmup: float = 0.1) -> Any:
    """Learning rate rising linearly over the first ``warmup`` share of ``steps``, then falling to 0."""
    import torch

    rise = max(1, int(steps * warmup))

    def factor(step: int) -> float:
        return (step + 1) / rise if step < rise else max(0.0, (steps - step) / max(1, steps - rise))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
