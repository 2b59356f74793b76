"""What every training run shares: its output folder, the learning-rate schedule, the loss record."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from embedrag.errors import InputError

__all__ = ["Progress", "TrainReport", "check_output", "fit", "linear_warmup", "save_atomically"]

T = TypeVar("T")

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


@dataclass(frozen=True)
class TrainReport:
    """What a fine-tuning run did."""

    pairs: int
    positives: int
    steps: int
    epochs: int
    first_loss: float
    """Mean loss of the first 10 steps."""
    last_loss: float
    """Mean loss of the last 10 steps."""
    truncated: int
    """Texts longer than the token limit, cut to fit (counted, never silent)."""
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fit(
    model: Any,
    items: Sequence[T],
    loss_of: Callable[[list[T]], Any],
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    progress: Progress | None,
) -> tuple[int, list[float], float]:
    """Train ``model`` on shuffled batches of ``items`` (AdamW, warm-up, clipped gradients), then eval mode.

    ``loss_of(batch)`` gives a batch's loss as a torch scalar. Returns the steps, each step's
    loss and the seconds taken.
    """
    import torch

    rng = np.random.default_rng(seed)
    steps = epochs * -(-len(items) // batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    schedule = linear_warmup(optimizer, steps)
    losses: list[float] = []
    start = time.perf_counter()
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(items))
        for first in range(0, len(items), batch_size):
            loss = loss_of([items[i] for i in order[first : first + batch_size]])
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            losses.append(float(loss.detach()))
            if progress is not None:
                progress(len(losses), steps, losses[-1])
    model.eval()
    return steps, losses, time.perf_counter() - start
