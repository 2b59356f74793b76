"""Fine-tune a sentence embedder on (query, passage) pairs with in-batch negatives (``hf`` extra).

Each step embeds a batch of queries and their positive passages (plus one hard negative per query
when the pairs have them) and asks every query to pick its own passage out of all passages of the
batch: cross-entropy over scaled cosine similarities, the loss sentence-transformers calls
MultipleNegativesRankingLoss. A passage equal to a query's own positive (two queries with one
answer in a batch) is masked out rather than counted as a negative.

The model is run and saved by sentence-transformers, so the folder has its usual layout: it loads
in ``SentenceTransformer`` and, with no torch at all, in :class:`embedrag.Embedder`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedrag._optional import require
from embedrag.errors import InputError
from embedrag.models import resolve
from embedrag.train._common import Progress, TrainReport, check_output, fit, save_atomically
from embedrag.train.pairs import Pair

__all__ = ["train_embedder"]

SCALE = 20.0
"""Cosine similarities are multiplied by this before the softmax (sentence-transformers' default)."""


def train_embedder(
    pairs: Sequence[Pair],
    *,
    init: str | Path,
    output: str | Path,
    epochs: int = 1,
    batch_size: int = 32,
    learning_rate: float = 2e-5,
    seed: int = 0,
    progress: Progress | None = None,
) -> TrainReport:
    """Fine-tune ``init`` on the positive pairs (label > 0) and save it to ``output``.

    Negative pairs (label 0), e.g. from :func:`~embedrag.train.pairs.hard_negatives`, join the
    batch as extra passages: one per query, the first given for it.
    """
    import torch

    output = check_output(output)
    if epochs <= 0 or batch_size < 2:
        raise InputError("epochs must be positive and batch_size at least 2 (the other pairs are the negatives)")
    examples = _examples(pairs)
    torch.manual_seed(seed)
    model = _load(init)
    truncated = _too_long(model, examples)
    steps, losses, seconds = fit(
        model,
        examples,
        lambda batch: _loss(model, batch),
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
        progress=progress,
    )
    first, last = float(np.mean(losses[:10])), float(np.mean(losses[-10:]))
    report = TrainReport(len(pairs), len(examples), steps, epochs, first, last, truncated, seconds)
    save_atomically(
        output, lambda folder: model.save(str(folder)), {"task": "embedder", "init": str(init), **report.as_dict()}
    )
    return report


@dataclass(frozen=True)
class Example:
    query: str
    positive: str
    negative: str | None
    answers: frozenset[str]
    """Every positive passage of the query: none of them is a negative for it."""


def _examples(pairs: Sequence[Pair]) -> list[Example]:
    negatives: dict[str, str] = {}
    answers: dict[str, set[str]] = {}
    for pair in pairs:
        if pair.label == 0:
            negatives.setdefault(pair.query, pair.passage)
        else:
            answers.setdefault(pair.query, set()).add(pair.passage)
    examples = [
        Example(p.query, p.passage, negatives.get(p.query), frozenset(answers[p.query])) for p in pairs if p.label > 0
    ]
    if len(examples) < 2:
        raise InputError(f"training needs at least 2 positive pairs (label > 0), got {len(examples)}")
    return examples


def _load(init: str | Path) -> Any:
    require("torch", extra="hf", purpose="Embedder training")
    st = require("sentence_transformers", extra="hf", purpose="Embedder training")
    return st.SentenceTransformer(str(resolve(init).path), device="cpu")


def _too_long(model: Any, examples: Sequence[Example]) -> int:
    """Texts over the model's limit (sentence-transformers cuts them; the report counts them)."""
    texts = sorted({t for e in examples for t in (e.query, e.positive, e.negative) if t is not None})
    limit = int(model.max_seq_length)
    ids = model.tokenizer(texts, add_special_tokens=True, verbose=False)["input_ids"]
    return sum(len(i) > limit for i in ids)


def _loss(model: Any, batch: Sequence[Example]) -> Any:
    """In-batch-negatives cross-entropy of one batch (a torch scalar)."""
    import torch

    positives = [e.positive for e in batch]
    # each hard negative once, and not again when it is already a column (another query's answer)
    extra = dict.fromkeys(e.negative for e in batch if e.negative is not None and e.negative not in positives)
    passages = positives + list(extra)
    scores = SCALE * (_embed(model, [e.query for e in batch]) @ _embed(model, passages).T)
    # another answer of the same query is not a negative, wherever it sits in the batch
    answer = torch.tensor([[text in e.answers for text in passages] for e in batch])
    answer.fill_diagonal_(False)
    scores = scores.masked_fill(answer, float("-inf"))
    return torch.nn.functional.cross_entropy(scores, torch.arange(len(batch)))


def _embed(model: Any, texts: list[str]) -> Any:
    import torch

    # sentence-transformers 6 renamed tokenize to preprocess; 3 to 5 only have tokenize
    features = (model.preprocess if hasattr(model, "preprocess") else model.tokenize)(texts)
    return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)
