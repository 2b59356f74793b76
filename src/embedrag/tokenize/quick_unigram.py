"""A large Unigram ``tokenizer.json`` that a new process can use in milliseconds, for short texts.

Building a Unigram model in ``tokenizers`` builds a trie of every piece, holding the GIL: 2 to 3 s
for the 276,326 pieces of ``tokenlearn-static-64`` on this project's 2-core machine, paid again by
every new process, so by every ``embedrag search`` from the shell, whose query is a few words.

A Unigram segmentation of a word only ever uses pieces that are substrings of the word (the
Viterbi search runs over the lattice of pieces matching at each position). So a model holding only
those pieces, with their scores, segments a text exactly as the whole model does, provided the
penalty of an unknown character is the same: ``tokenizers`` takes it from the lowest score of the
vocabulary, so the lowest-scoring piece is always kept. :class:`QuickUnigram` keeps, in the model
cache, a table of the pieces' 64-bit hashes, ids and scores (written once, from the full file);
per call it hashes the substrings of the normalised, pre-tokenized words, looks them up, and builds
the small model (``tokenizers`` builds a few hundred pieces in microseconds). The ids are mapped
back to the full vocabulary's. ``tests/tokenize/test_quick_unigram.py`` checks ids identical to
the full tokenizer's on varied text. (A substring that is no piece could share a piece's 64-bit
hash: odds of about 1e-14 per substring, against 276,326 pieces.)

Only plain Unigram files qualify (:func:`QuickUnigram.open` says ``None`` otherwise): no byte
fallback (its byte pieces are not substrings), no non-special added tokens (they would be split
out before the model runs; special ones are not, since embedrag encodes their spelling as text).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import tokenizers
from tokenizers import models

from embedrag._atomic import publish
from embedrag.models.cache import cache_dir

__all__ = ["QuickUnigram"]

log = logging.getLogger(__name__)

_FORMAT = 1
_MAX_HEAD = 1024
"""The first ids kept as they are (special tokens, the unknown piece); a file whose specials lie
beyond them is not served here."""


class QuickUnigram:
    """Token ids of short texts for one Unigram ``tokenizer.json``, without building its whole model."""

    def __init__(self, table: dict[str, npt.NDArray[Any]]) -> None:
        self._hashes = table["hashes"]
        self._ids = table["ids"]
        self._scores = table["scores"]
        self._head = [(str(p), float(s)) for p, s in zip(table["head_pieces"], table["head_scores"], strict=True)]
        self._lowest = int(table["lowest"])
        self._lowest_piece = str(table["lowest_piece"])
        self._lowest_score = float(self._scores[np.flatnonzero(self._ids == self._lowest)[0]])
        self._unk = int(table["unk"])
        self._max_chars = int(table["max_chars"])
        self._tokenizer = tokenizers.Tokenizer.from_str(bytes(table["skeleton"]).decode())
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._tokenizer.encode_special_tokens = True
        self._lock = threading.Lock()
        """Each call sets the tokenizer's model to its own pieces: one call at a time (a server's
        threads share this object)."""

    @property
    def unk_id(self) -> int:
        """The id the model gives a character no piece covers."""
        return self._unk

    @classmethod
    def open(cls, path: Path, key: str) -> QuickUnigram | None:
        """The quick tokenizer of ``path`` (``key``: its content hash), from the cache or built once;
        ``None`` when the file is not a plain Unigram model."""
        folder = cache_dir("unigram")
        target, unsuited = folder / f"{key[:40]}.v{_FORMAT}.npz", folder / f"{key[:40]}.v{_FORMAT}.unsuited"
        if unsuited.exists():
            return None
        if target.exists():
            try:
                with np.load(target, allow_pickle=False) as npz:  # zip members carry a CRC: damage raises
                    return cls({name: npz[name] for name in npz.files})
            except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
                log.info("rebuilding %s, which cannot be read: %s", target, exc)
        table = _table(json.loads(path.read_text(encoding="utf-8")))
        try:  # a cache that cannot be written costs the next process this build again, nothing more
            if table is None:
                publish(unsuited, lambda temp: temp.touch())
            else:
                publish(target, lambda temp: _save(temp, table))
        except OSError as exc:
            log.warning("cannot cache %s: %s", target, exc)
        return None if table is None else cls(table)

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        """Ids of ``texts`` without special tokens, identical to the full model's."""
        pre, normalizer = self._tokenizer.pre_tokenizer, self._tokenizer.normalizer
        substrings: set[str] = set()
        for text in texts:
            normalized = normalizer.normalize_str(text) if normalizer is not None else text
            words = pre.pre_tokenize_str(normalized) if pre is not None else [(normalized, (0, 0))]
            for word, _ in words:
                for start in range(len(word)):
                    stop = min(len(word), start + self._max_chars)
                    substrings.update(word[start:end] for end in range(start + 1, stop + 1))
        found = sorted(substrings)
        hashes = np.array([_hash(s) for s in found], dtype=np.uint64)
        at = np.minimum(np.searchsorted(self._hashes, hashes), len(self._hashes) - 1)
        hit = self._hashes[at] == hashes
        # id -> (piece, score), from the lookup just made: no piece is hashed twice.
        matched = [p for p, h in zip(found, hit, strict=True) if h]
        scores = self._scores[at[hit]].tolist()
        entry_of = {int(i): (p, s) for p, i, s in zip(matched, self._ids[at[hit]], scores, strict=True)}
        entry_of[self._lowest] = (self._lowest_piece, self._lowest_score)
        extra = sorted(i for i in entry_of if i >= len(self._head))  # head pieces sit at their own ids
        vocab = [*self._head, *(entry_of[i] for i in extra)]
        back = np.array([*range(len(self._head)), *extra], dtype=np.int64)
        model = models.Unigram(vocab, self._unk, False)
        with self._lock:
            self._tokenizer.model = model
            encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [back[np.asarray(e.ids, dtype=np.int64)].tolist() for e in encodings]


def _hash(piece: str) -> int:
    return int.from_bytes(hashlib.blake2b(piece.encode("utf-8"), digest_size=8).digest(), "little")


def _table(document: Any) -> dict[str, npt.NDArray[Any]] | None:
    """The lookup table of a parsed ``tokenizer.json``, or ``None`` if it does not qualify."""
    model = document.get("model") if isinstance(document, dict) else None
    if not isinstance(model, dict) or model.get("type") != "Unigram" or model.get("byte_fallback"):
        return None
    vocab, unk = model.get("vocab") or [], model.get("unk_id")
    added = document.get("added_tokens") or []
    if any(not t.get("special") for t in added) or not vocab or unk is None:
        return None
    head = max([int(unk), *(int(t["id"]) for t in added)]) + 1
    if head > _MAX_HEAD or head > len(vocab):
        return None
    pieces = [str(p) for p, _ in vocab]
    scores = np.array([float(s) for _, s in vocab], dtype=np.float64)
    hashes = np.array([_hash(p) for p in pieces], dtype=np.uint64)
    order = np.argsort(hashes, kind="stable")
    if np.any(hashes[order][1:] == hashes[order][:-1]):
        return None  # two pieces share a hash (never seen): the full model serves this file
    lowest = int(np.argmin(scores))
    skeleton = dict(document)
    skeleton["model"] = {**model, "vocab": vocab[:head], "unk_id": int(unk)}
    return {
        "hashes": hashes[order],
        "ids": order.astype(np.int64),
        "scores": scores[order],
        "head_pieces": np.array(pieces[:head]),
        "head_scores": scores[:head],
        "lowest": np.array(lowest),
        "lowest_piece": np.array(pieces[lowest]),
        "unk": np.array(int(unk)),
        "max_chars": np.array(max(len(p) for p in pieces)),
        "skeleton": np.frombuffer(json.dumps(skeleton).encode(), dtype=np.uint8),
    }


def _save(path: Path, table: dict[str, npt.NDArray[Any]]) -> None:
    with path.open("wb") as fh:
        np.savez(fh, **table)  # type: ignore[arg-type]
