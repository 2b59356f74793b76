"""Loading a transformers model with a task head from a local folder (the ``hf`` extra)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedrag._optional import require
from embedrag.errors import ModelFormatError
from embedrag.models import resolve

__all__ = ["Loaded", "load_head"]


@dataclass(frozen=True)
class Loaded:
    tokenizer: Any
    model: Any
    path: Path


def load_head(model: str | Path, *, auto_class: str, head: tuple[str, ...], purpose: str, hint: str = "") -> Loaded:
    """Tokenizer and ``transformers.<auto_class>`` model of ``model``, in eval mode.

    A folder whose weights lack the head (parameter names containing one of ``head``) is refused:
    transformers would fill it with random numbers and every answer would be noise.
    """
    require("torch", extra="hf", purpose=purpose)
    transformers = require("transformers", extra="hf", purpose=purpose)
    path = resolve(model).path
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(path))
    loaded, info = getattr(transformers, auto_class).from_pretrained(str(path), output_loading_info=True)
    missing = sorted(k for k in info.get("missing_keys", []) if any(part in k for part in head))
    if missing:
        raise ModelFormatError(f"{path} has no trained {purpose.lower()} head (missing {missing}){hint}")
    return Loaded(tokenizer, loaded.eval(), path)
