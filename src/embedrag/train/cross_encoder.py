"""Train a cross-encoder reranker on (query, passage, label) pairs (``hf`` extra).

The model reads query and passage together and gives one logit; the loss is binary cross-entropy
against the label, so ``CrossEncoder.score`` (a sigmoid) reads it as a probability. Starting from
a sentence encoder such as all-MiniLM-L6-v2, only the one-number classifier on top is new. The
saved folder is a plain ``BertForSequenceClassification`` directory: it loads in
:class:`embedrag.heads.CrossEncoder`, in ``--rerank DIR`` and in sentence-transformers'
``CrossEncoder``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embedrag._optional import require
from embedrag.errors import InputError, ModelFormatError
from embedrag.models import resolve
from embedrag.train._common import Progress, TrainReport, check_output, fit, save_atomically
from embedrag.train.pairs import Pair

__all__ = ["TrainReport", "train_cross_encoder"]


def train_cross_encoder(
    pairs: Sequence[Pair],
    *,
    init: str | Path,
    output: str | Path,
    epochs: int = 1,
    batch_size: int = 16,
    learning_rate: float = 3e-5,
    max_tokens: int = 256,
    seed: int = 0,
    progress: Progress | None = None,
) -> TrainReport:
    """Fine-tune ``init`` into a cross-encoder on ``pairs`` and save it to ``output``.

    Give negatives (label 0) as well as positives: from :func:`~embedrag.train.pairs.hard_negatives`
    or :func:`~embedrag.train.pairs.random_negatives`.
    """
    import torch

    output = check_output(output)
    if epochs <= 0 or batch_size <= 0 or max_tokens < 16:
        raise InputError("epochs and batch_size must be positive and max_tokens at least 16")
    labels = {p.label for p in pairs}
    if not any(label > 0 for label in labels) or not any(label < 1 for label in labels):
        raise InputError("training needs positive pairs (label > 0) and negative pairs (label < 1)")
    torch.manual_seed(seed)
    tokenizer, model = _load(init)
    max_tokens = min(max_tokens, int(getattr(model.config, "max_position_embeddings", max_tokens)))
    truncated = _too_long(pairs, tokenizer, max_tokens)
    loss_of = torch.nn.BCEWithLogitsLoss()

    def batch_loss(batch: list[Pair]) -> Any:
        encoded = tokenizer(
            [p.query for p in batch],
            [p.passage for p in batch],
            padding=True,
            truncation="only_second",
            max_length=max_tokens,
            return_tensors="pt",
        )
        labels = torch.tensor([p.label for p in batch], dtype=torch.float32)
        return loss_of(model(**encoded).logits[:, 0], labels)

    steps, losses, seconds = fit(
        model,
        pairs,
        batch_loss,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
        progress=progress,
    )
    first, last = float(np.mean(losses[:10])), float(np.mean(losses[-10:]))
    positives = sum(p.label > 0 for p in pairs)
    report = TrainReport(len(pairs), positives, steps, epochs, first, last, truncated, seconds)

    def write(folder: Path) -> None:
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)

    save_atomically(output, write, {"task": "cross-encoder", "init": str(init), **report.as_dict()})
    return report


def _load(init: str | Path) -> tuple[Any, Any]:
    """Tokenizer and a one-logit sequence classifier: the folder's own, or a new head on its encoder."""
    require("torch", extra="hf", purpose="Cross-encoder training")
    transformers = require("transformers", extra="hf", purpose="Cross-encoder training")
    path = resolve(init).path
    config = transformers.AutoConfig.from_pretrained(str(path))
    if getattr(config, "num_labels", 1) != 1 and any(
        "ForSequenceClassification" in a for a in config.architectures or []
    ):
        raise ModelFormatError(f"{path} is a classifier with {config.num_labels} labels; training needs one logit")
    config.num_labels = 1
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(path))
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()  # "newly initialized: classifier" is the point here
    try:
        model = transformers.AutoModelForSequenceClassification.from_pretrained(str(path), config=config)
    finally:
        transformers.logging.set_verbosity(verbosity)
    return tokenizer, model


def _too_long(pairs: Sequence[Pair], tokenizer: Any, max_tokens: int) -> int:
    """Pairs over ``max_tokens`` (their passage will be cut); a query that alone fills it is an error."""
    queries = sorted({p.query for p in pairs})
    query_ids = dict(zip(queries, tokenizer(queries, add_special_tokens=False)["input_ids"], strict=True))
    passages = tokenizer([p.passage for p in pairs], add_special_tokens=False, verbose=False)["input_ids"]
    special = tokenizer.num_special_tokens_to_add(pair=True)
    cut = 0
    for pair, passage in zip(pairs, passages, strict=True):
        length = len(query_ids[pair.query])
        if length > max_tokens // 2:
            raise InputError(
                f"query {pair.query[:60]!r} has {length} word pieces; the limit for queries is {max_tokens // 2}"
            )
        cut += length + len(passage) + special > max_tokens
    return cut
