"""Cross-encoders: a transformer reads two texts together and scores the pair in 0..1.

Runs any local sequence-classification model directory (sentence-transformers
CrossEncoder or plain ``transformers``) with the ``hf`` extra. One output label is
turned into a probability with a sigmoid; two or more with a softmax, taking the last
label (the "relevant" / "entailment" class by convention).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from embedrag.errors import InputError, TruncationWarning
from embedrag.heads._hf import load_head

__all__ = ["CrossEncoder"]


class CrossEncoder:
    """Scores (query, passage) pairs; ``score`` returns float32 probabilities in [0, 1]."""

    def __init__(self, model: str | Path, *, max_tokens: int = 512, batch_size: int = 16) -> None:
        auto = "AutoModelForSequenceClassification"
        loaded = load_head(model, auto_class=auto, head=("classifier", "score"), purpose="Classification")
        self.tokenizer, path = loaded.tokenizer, loaded.path
        self.model: Any = loaded.model
        self.num_labels = int(self.model.config.num_labels)
        self.max_tokens = min(max_tokens, int(getattr(self.model.config, "max_position_embeddings", max_tokens)))
        self.batch_size = batch_size
        self.name = path.name

    def score(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float32]:
        """Probability that each (a, b) pair matches; passages over the limit are cut and warned about."""
        for index, pair in enumerate(pairs):
            if len(pair) != 2 or not all(isinstance(t, str) and t.strip() for t in pair):
                raise InputError(f"pair {index} must be two non-empty strings")
        self._check_room(pairs)
        out = np.empty(len(pairs), dtype=np.float32)
        cut = 0
        for start in range(0, len(pairs), self.batch_size):
            batch = list(pairs[start : start + self.batch_size])
            probs, truncated = self._score_batch(batch)
            out[start : start + len(batch)] = probs
            cut += truncated
        if cut:
            warnings.warn(
                TruncationWarning(f"{cut} pair(s) exceeded {self.max_tokens} tokens; their second text was cut"),
                stacklevel=2,
            )
        return out

    def _check_room(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Only the second text is cut to fit: a first text (a query) that leaves it no token is an error."""
        room = self.max_tokens - self.tokenizer.num_special_tokens_to_add(pair=True)
        lengths: dict[str, int] = {}
        for index, (first, _) in enumerate(pairs):
            if first not in lengths:
                lengths[first] = len(self.tokenizer(first, add_special_tokens=False)["input_ids"])
            if lengths[first] >= room:
                raise InputError(
                    f"pair {index}: its first text takes {lengths[first]} tokens, leaving none of the second "
                    f"within the {self.max_tokens} tokens {self.name} reads: shorten it"
                )

    def _score_batch(self, batch: list[tuple[str, str]]) -> tuple[npt.NDArray[np.float32], int]:
        import torch

        first, second = [a for a, _ in batch], [b for _, b in batch]
        full = self.tokenizer(first, second, truncation=False)["input_ids"]
        truncated = sum(len(ids) > self.max_tokens for ids in full)
        encoded = self.tokenizer(
            first, second, padding=True, truncation="only_second", max_length=self.max_tokens, return_tensors="pt"
        )
        with torch.inference_mode():
            logits = self.model(**encoded).logits.float()
        probs = torch.sigmoid(logits[:, 0]) if self.num_labels == 1 else torch.softmax(logits, dim=-1)[:, -1]
        return probs.numpy().astype(np.float32), truncated
