"""Static (Model2Vec-style) sentence embeddings: the mean of per-token vectors.

A model folder holds ``model.safetensors`` (``embeddings``; optionally ``mapping``
from token id to row and per-token ``weights``, for vocabulary-quantised models),
``tokenizer.json`` and ``config.json`` (``normalize``). No length limit: every token
counts. Unknown-token ids are dropped, as Model2Vec does, since their vector carries
no meaning.

A new process that embeds a query does not build the tokenizer's whole model: a large Unigram
vocabulary (276,326 pieces for ``tokenlearn-static-64``) takes 2-3 s to build, and short inputs
go through :class:`~embedrag.tokenize.quick_unigram.QuickUnigram` instead, with identical ids.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from embedrag.embed.result import Embeddings, LongInputPolicy
from embedrag.embed.st_config import read_json
from embedrag.errors import ModelFormatError
from embedrag.models.cache import hash_files
from embedrag.tokenize.quick_unigram import QuickUnigram

__all__ = ["StaticBackend"]

QUICK_CHARS = 4096
"""Inputs of at most this many characters in all are tokenized by the quick tokenizer, if the
model has one; longer ones (an ingest's batches) by the full model, built on first use."""


class StaticBackend:
    """Encodes with a static embedding table; see :class:`embedrag.Embedder`."""

    max_tokens: int | None = None
    prefix: tuple[int, ...] = ()
    suffix: tuple[int, ...] = ()

    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file

        weights_path, tokenizer_path = model_dir / "model.safetensors", model_dir / "tokenizer.json"
        for path in (weights_path, tokenizer_path):
            if not path.exists():
                raise ModelFormatError(f"{path} is missing: a static model needs model.safetensors and tokenizer.json")
        tensors = load_file(str(weights_path))
        if "embeddings" not in tensors:
            raise ModelFormatError(f"{weights_path} has no 'embeddings' tensor (found {sorted(tensors)})")
        self.table = tensors["embeddings"].astype(np.float32)
        self.mapping = tensors.get("mapping")
        self.weights = tensors.get("weights")
        self._tokenizer_path = tokenizer_path
        self.tokenizer_hash = hash_files([tokenizer_path])
        self._quick = QuickUnigram.open(tokenizer_path, self.tokenizer_hash)
        self.unk_id = self._quick.unk_id if self._quick is not None else _unk_id(self.tokenizer)
        config = _read_config(model_dir / "config.json")
        self.default_normalize = bool(config.get("normalize", False))
        self.dims = int(self.table.shape[1])
        self.vocab_size = int(len(self.mapping) if self.mapping is not None else self.table.shape[0])

    def encode(self, texts: Sequence[str], policy: LongInputPolicy) -> Embeddings:
        """Mean of the token vectors of each text (not yet normalised); ``policy`` is moot."""
        return self.encode_ids(self.content_ids(texts), policy)

    @cached_property
    def tokenizer(self) -> Any:
        """The full ``tokenizers.Tokenizer``, built on first use."""
        from embedrag.tokenize.huggingface import HFTokenizer

        return HFTokenizer.from_file(self._tokenizer_path).backend

    def content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text (this tokenizer adds no special tokens for static models)."""
        if self._quick is not None and sum(len(t) for t in texts) <= QUICK_CHARS and "tokenizer" not in vars(self):
            return self._quick.encode_batch(texts)
        return [list(e.ids) for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def encode_ids(self, content: list[list[int]], policy: LongInputPolicy, *, start: int = 0) -> Embeddings:
        """Like :meth:`encode`, from token ids; no input is too long, so ``start`` is moot."""
        out = np.zeros((len(content), self.dims), dtype=np.float32)
        counts = np.empty(len(content), dtype=np.int64)
        for row, token_ids in enumerate(content):
            ids = np.asarray(token_ids, dtype=np.int64)
            counts[row] = len(ids)
            if self.unk_id is not None:
                ids = ids[ids != self.unk_id]
            if ids.size:
                out[row] = self._vectors(ids).mean(axis=0)
        return Embeddings(out, counts, ())

    def _vectors(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        rows = self.mapping[ids] if self.mapping is not None else ids
        vectors = self.table[rows]
        if self.weights is not None:
            vectors = vectors * self.weights[ids][:, None]
        return vectors


def _read_config(path: Path) -> dict[str, Any]:
    config = read_json(path) if path.exists() else {}
    return config if isinstance(config, dict) else {}


def _unk_id(tokenizer: Any) -> int | None:
    model = json.loads(tokenizer.to_str())["model"]
    if model.get("unk_token") is not None:
        token_id = tokenizer.token_to_id(model["unk_token"])
        return int(token_id) if token_id is not None else None
    unk = model.get("unk_id")
    return int(unk) if unk is not None else None
