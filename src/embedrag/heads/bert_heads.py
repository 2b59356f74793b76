"""BERT's two pre-training heads: masked-word fill-in and next-sentence prediction (``hf`` extra).

Any local folder with the head's weights works (``BertForMaskedLM`` / ``BertForNextSentencePrediction``
and their AutoModel equivalents). No pretrained masked-LM head ships offline: ``embedrag train mlm``
gives the shipped encoder one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from embedrag.errors import InputError
from embedrag.heads._hf import load_head

__all__ = ["Filled", "MaskedLM", "NextSentence"]


@dataclass(frozen=True)
class Filled:
    """One candidate for one mask: the word piece and its probability."""

    token: str
    probability: float


class MaskedLM:
    """Fill ``[MASK]`` (the tokenizer's mask token) in a text with the most probable word pieces."""

    def __init__(self, model: str | Path) -> None:
        hint = "; give an encoder one with: embedrag train mlm CORPUS --init all-MiniLM-L6-v2 -o DIR"
        loaded = load_head(
            model, auto_class="AutoModelForMaskedLM", head=("cls.predictions",), purpose="Masked-LM", hint=hint
        )
        self.tokenizer, self.model, self.name = loaded.tokenizer, loaded.model, loaded.path.name
        self.mask = str(self.tokenizer.mask_token)

    def distributions(self, text: str) -> npt.NDArray[np.float32]:
        """One probability distribution over the vocabulary per mask, in text order: (masks, vocab)."""
        import torch

        encoded = self.tokenizer(text, return_tensors="pt", truncation=False)
        ids = encoded["input_ids"][0]
        positions = (ids == self.tokenizer.mask_token_id).nonzero().flatten()
        if not len(positions):
            raise InputError(f"no {self.mask} in the text: write {self.mask} where a word is missing")
        limit = getattr(self.model.config, "max_position_embeddings", len(ids))
        if len(ids) > limit:
            raise InputError(f"text has {len(ids)} word pieces; {self.name} takes {limit}")
        with torch.inference_mode():
            logits = self.model(**encoded).logits[0, positions].float()
        return torch.softmax(logits, dim=-1).numpy().astype(np.float32)

    def fill(self, text: str, *, top_k: int = 5) -> list[list[Filled]]:
        """The ``top_k`` candidates for each mask, most probable first (masks are predicted jointly)."""
        if top_k <= 0:
            raise InputError(f"top_k must be positive, got {top_k}")
        out = []
        for probs in self.distributions(text):
            best = np.argsort(-probs, kind="stable")[:top_k]
            tokens = self.tokenizer.convert_ids_to_tokens(best.tolist())
            out.append([Filled(str(t), float(probs[i])) for t, i in zip(tokens, best, strict=True)])
        return out


class NextSentence:
    """P(IsNext): how likely sentence B follows sentence A, by BERT's next-sentence head."""

    def __init__(self, model: str | Path) -> None:
        auto = "AutoModelForNextSentencePrediction"
        loaded = load_head(model, auto_class=auto, head=("cls.seq_relationship",), purpose="Next-sentence")
        self.tokenizer, self.model = loaded.tokenizer, loaded.model

    def score(self, first: str, second: str) -> float:
        """The probability that ``second`` is the sentence after ``first`` (label 0 in BERT's head)."""
        import torch

        for name, text in (("first", first), ("second", second)):
            if not isinstance(text, str) or not text.strip():
                raise InputError(f"the {name} sentence is empty")
        encoded: Any = self.tokenizer(first, second, return_tensors="pt", truncation=False)
        limit = getattr(self.model.config, "max_position_embeddings", 512)
        if encoded["input_ids"].shape[1] > limit:
            raise InputError(
                f"the two sentences have {encoded['input_ids'].shape[1]} word pieces; the model takes {limit}"
            )
        with torch.inference_mode():
            logits = self.model(**encoded).logits[0].float()
        return float(torch.softmax(logits, dim=-1)[0])
