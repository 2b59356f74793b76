"""Give a sentence encoder a masked-LM head and train it briefly on a corpus (``hf`` extra).

No pretrained masked-LM head ships offline, but the shipped all-MiniLM-L6-v2 encoder knows a lot
about words in context. ``BertForMaskedLM`` on its folder keeps the encoder and adds a head whose
output layer is tied to the word embeddings; only the head's transform (dense + LayerNorm) and its
output bias are new. A new head's bias starts at the log-frequency of each word piece in the
corpus, so training starts from word frequency instead of from noise and only has to learn what
the context adds. Training updates the head and, by default, every encoder
layer (the word embeddings stay as they are): all-MiniLM-L6-v2 was tuned for mean-pooled sentence
vectors, and a head on its frozen last layer guesses no better than word frequency. ``top_layers=0``
keeps the encoder frozen, so the folder's sentence embeddings stay exactly what they were. The loss
is computed at the masked positions only, so the 30,522-word output runs on 15% of the pieces.

The report compares top-5 fill-in accuracy on held-out lines with a word-frequency baseline
(always guessing the corpus' five most frequent words).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedrag._optional import require
from embedrag.errors import InputError, ModelFormatError
from embedrag.models import resolve
from embedrag.tokenize.textfile import Utf8Lines
from embedrag.train._common import Progress, check_output, save_atomically

__all__ = ["MlmReport", "train_mlm"]

MASK_RATE = 0.15


@dataclass(frozen=True)
class MlmReport:
    """What a training run did and how well the head fills in held-out words."""

    steps: int
    top_layers: int
    """Encoder layers trained with the head (0: the encoder stayed frozen)."""
    train_lines: int
    held_out_lines: int
    first_loss: float
    last_loss: float
    top5_accuracy: float
    """Share of held-out masked words found among the head's 5 best candidates."""
    baseline_top5_accuracy: float
    """The same for the corpus' 5 most frequent words, whatever the context."""
    evaluated: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def train_mlm(
    corpus: str | Path,
    *,
    init: str | Path,
    output: str | Path,
    steps: int = 300,
    batch_size: int = 16,
    max_tokens: int = 128,
    learning_rate: float = 1e-3,
    top_layers: int | None = None,
    held_out: float = 0.1,
    seed: int = 0,
    progress: Progress | None = None,
) -> MlmReport:
    """Train the masked-LM head of ``init`` on ``corpus`` (one text per line) and save it to ``output``.

    ``progress(step, steps, loss)`` is called after each step. Lines longer than ``max_tokens``
    word pieces are split into pieces of that size (never cut). ``top_layers`` encoder layers
    (from the top; None: all) train too, at a tenth of ``learning_rate``; with 0 the encoder stays
    frozen.
    """
    import torch

    if steps <= 0 or batch_size <= 0 or not 0 < held_out < 1 or (top_layers or 0) < 0:
        raise InputError("steps and batch_size must be positive, top_layers 0 or more, held_out between 0 and 1")
    output = check_output(output)
    torch.manual_seed(seed)
    tokenizer, model, new_head = _load(init)
    train, test = _split(_pieces(corpus, tokenizer, max_tokens - 2), held_out, seed)
    if new_head:
        _start_at_word_frequency(model, train)
    layers = int(model.config.num_hidden_layers)
    top_layers = layers if top_layers is None else top_layers
    if top_layers > layers:
        raise InputError(f"top_layers is {top_layers}; the encoder has {layers} layers")
    optimizer = torch.optim.AdamW(_trainable(model, top_layers, learning_rate))
    rng = np.random.default_rng(seed)
    start, losses = time.perf_counter(), []
    model.train()
    for step in range(steps):
        batch = [train[i] for i in rng.integers(0, len(train), batch_size)]
        ids, labels, attention = _masked_batch(batch, tokenizer, rng)
        loss = _masked_loss(model, ids, labels, attention)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
        if progress is not None:
            progress(step + 1, steps, losses[-1])
    model.eval()
    accuracy, baseline, evaluated = _evaluate(model, tokenizer, test, train, rng)
    last = float(np.mean(losses[-10:]))
    seconds = time.perf_counter() - start
    report = MlmReport(
        steps, top_layers, len(train), len(test), losses[0], last, accuracy, baseline, evaluated, seconds
    )

    def write(folder: Path) -> None:
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)

    save_atomically(output, write, {"task": "mlm", "init": str(init), **report.as_dict()})
    return report


def _trainable(model: Any, top_layers: int, learning_rate: float) -> list[dict[str, Any]]:
    """Parameter groups: the head (but its output layer, tied to the word embeddings) and the top layers."""
    count = int(model.config.num_hidden_layers)
    layers = tuple(f".encoder.layer.{i}." for i in range(count - top_layers, count))
    head: list[Any] = []
    top: list[Any] = []
    for name, parameter in model.named_parameters():
        in_head = name.startswith("cls.") and "decoder.weight" not in name
        in_top = any(layer in name for layer in layers)
        parameter.requires_grad = in_head or in_top
        (head if in_head else top if in_top else []).append(parameter)
    return [{"params": head, "lr": learning_rate}, {"params": top, "lr": learning_rate / 10}]


def _load(init: str | Path) -> tuple[Any, Any, bool]:
    """Tokenizer, BERT-style encoder with a masked-LM head, and whether that head is new."""
    require("torch", extra="hf", purpose="Masked-LM training")
    transformers = require("transformers", extra="hf", purpose="Masked-LM training")
    path = resolve(init).path
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(path))
    if tokenizer.mask_token_id is None:
        raise ModelFormatError(f"{path}: its tokenizer has no mask token")
    model, info = transformers.AutoModelForMaskedLM.from_pretrained(str(path), output_loading_info=True)
    if not hasattr(model, "cls") or not hasattr(model, "bert"):
        raise ModelFormatError(f"{path}: train mlm needs a BERT-style encoder; this is a {type(model).__name__}")
    return tokenizer, model, "cls.predictions.bias" in info["missing_keys"]


def _start_at_word_frequency(model: Any, train: list[list[int]]) -> None:
    """Set the new head's output bias to the log-frequency of each word piece (add-one smoothed)."""
    import torch

    counts = np.ones(model.config.vocab_size)
    np.add.at(counts, np.concatenate([np.asarray(p, dtype=np.int64) for p in train]), 1)
    with torch.no_grad():
        model.cls.predictions.bias.copy_(torch.from_numpy(np.log(counts / counts.sum())))


def _masked_loss(model: Any, ids: Any, labels: Any, attention: Any) -> Any:
    """Cross-entropy of the head at the masked positions only (the others carry no label)."""
    import torch

    hidden = model.bert(input_ids=ids, attention_mask=attention).last_hidden_state
    target = labels != -100
    logits = model.cls(hidden[target])
    return torch.nn.functional.cross_entropy(logits, labels[target])


def _pieces(corpus: str | Path, tokenizer: Any, size: int) -> list[list[int]]:
    """Word-piece ids of every non-empty line, long lines split into ``size``-piece parts."""
    out: list[list[int]] = []
    for line in Utf8Lines(corpus):
        if line.strip():
            ids = tokenizer(line, add_special_tokens=False, verbose=False)["input_ids"]  # split below, never cut
            out += [ids[i : i + size] for i in range(0, len(ids), size)]
    if len(out) < 10:
        raise InputError(f"{corpus} has {len(out)} non-empty lines; training needs at least 10")
    return out


def _split(items: list[list[int]], held_out: float, seed: int) -> tuple[list[list[int]], list[list[int]]]:
    order = np.random.default_rng(seed).permutation(len(items))
    cut = max(1, int(len(items) * held_out))
    return [items[i] for i in order[cut:]], [items[i] for i in order[:cut]]


def _masked_batch(batch: list[list[int]], tokenizer: Any, rng: np.random.Generator) -> tuple[Any, Any, Any]:
    """BERT's recipe: 15% of the pieces are targets; of those 80% become [MASK], 10% a random piece."""
    import torch

    width = max(len(b) for b in batch) + 2
    ids = np.full((len(batch), width), tokenizer.pad_token_id, dtype=np.int64)
    attention = np.zeros_like(ids)
    for row, pieces in enumerate(batch):
        ids[row, : len(pieces) + 2] = [tokenizer.cls_token_id, *pieces, tokenizer.sep_token_id]
        attention[row, : len(pieces) + 2] = 1
    content = attention.astype(bool)
    content[:, 0] = False
    content[np.arange(len(batch)), attention.sum(axis=1) - 1] = False
    target = content & (rng.random(ids.shape) < MASK_RATE)
    if not target.any():  # a batch of short lines can draw no target; the loss needs one
        rows, columns = np.nonzero(content)
        pick = rng.integers(len(rows))
        target[rows[pick], columns[pick]] = True
    labels = np.where(target, ids, -100)
    roll = rng.random(ids.shape)
    ids = np.where(target & (roll < 0.8), tokenizer.mask_token_id, ids)
    swap = target & (roll >= 0.8) & (roll < 0.9)
    ids = np.where(swap, rng.integers(1000, len(tokenizer), ids.shape), ids)
    return torch.from_numpy(ids), torch.from_numpy(labels), torch.from_numpy(attention)


def _evaluate(
    model: Any, tokenizer: Any, test: list[list[int]], train: list[list[int]], rng: np.random.Generator
) -> tuple[float, float, int]:
    """Top-5 accuracy on one masked whole-word piece per held-out line, and the frequency baseline's.

    The head and the baseline guess among the same candidates: the whole words of the corpus.
    """
    import torch

    counts = Counter(i for pieces in train for i in pieces)
    words = {i for i in counts if tokenizer.convert_ids_to_tokens(i).isalpha()}
    frequent = {i for i, _ in Counter({i: counts[i] for i in words}).most_common(5)}
    not_words = torch.ones(model.config.vocab_size, dtype=torch.bool)  # both guess among the same candidates
    not_words[sorted(words)] = False
    hits = base = evaluated = 0
    for pieces in test:
        candidates = [p for p, i in enumerate(pieces) if i in words]
        if not candidates:
            continue
        position = int(rng.choice(candidates))
        ids = [tokenizer.cls_token_id, *pieces, tokenizer.sep_token_id]
        ids[position + 1] = tokenizer.mask_token_id
        with torch.inference_mode():
            logits = model(input_ids=torch.tensor([ids])).logits[0, position + 1].masked_fill(not_words, -torch.inf)
        best = set(torch.topk(logits, 5).indices.tolist())
        hits += pieces[position] in best
        base += pieces[position] in frequent
        evaluated += 1
    if not evaluated:
        raise InputError("no held-out line has a whole word to mask; give a larger corpus")
    return hits / evaluated, base / evaluated, evaluated
