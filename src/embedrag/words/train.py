"""Train Word2Vec (skip-gram or CBOW) on a plain-text corpus, through gensim (extra ``train``).

The corpus is a text file with one sentence or document per line. Each line is split
with :func:`tokenize`; lines longer than 10,000 words are cut into 10,000-word pieces
(gensim would otherwise silently ignore the rest of the line).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal

from embedrag._optional import require
from embedrag.errors import ConfigError, InputError
from embedrag.words.vectors import WordVectors

__all__ = ["Architecture", "fit_word2vec", "tokenize", "train_word2vec"]

Architecture = Literal["skipgram", "cbow"]
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_MAX_SENTENCE = 10_000  # gensim's MAX_WORDS_IN_BATCH: longer sentences are truncated there


def tokenize(text: str) -> list[str]:
    """Lower-cased words: runs of letters and digits, keeping inner apostrophes.

    >>> tokenize("Don't panic: it’s 42°C in São Paulo_2!")
    ["don't", 'panic', "it's", '42', 'c', 'in', 'são', 'paulo', '2']
    """
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def train_word2vec(
    corpus: str | Path,
    *,
    architecture: Architecture = "skipgram",
    dims: int = 100,
    window: int = 5,
    min_count: int = 5,
    epochs: int = 5,
    negative: int = 5,
    workers: int | None = None,
    seed: int = 1,
    encoding: str = "utf-8",
    on_progress: Callable[[float], None] | None = None,
) -> WordVectors:
    """Train word vectors on ``corpus`` and return them, most frequent words first.

    ``on_progress(fraction)`` is called as the corpus is read (one vocabulary pass, then
    ``epochs`` training passes), from 0 to 1. ``workers`` defaults to up to 4 threads;
    results are reproducible for a fixed ``seed`` only with ``workers=1``.
    """
    if architecture not in ("skipgram", "cbow"):
        raise ConfigError(f"architecture must be 'skipgram' or 'cbow', got '{architecture}'")
    path = Path(corpus)
    if not path.is_file():
        raise InputError(f"{path}: no such corpus file")
    sentences = _Corpus(path, encoding, passes=epochs + 1, on_progress=on_progress)
    vectors = fit_word2vec(
        sentences,
        dims=dims,
        window=window,
        min_count=min_count,
        epochs=epochs,
        skipgram=architecture == "skipgram",
        negative=negative,
        workers=workers,
        seed=seed,
        name=path,
    )
    if on_progress is not None:
        on_progress(1.0)
    return vectors


def fit_word2vec(
    sentences: Iterable[list[str]],
    *,
    dims: int,
    window: int,
    min_count: int,
    epochs: int,
    skipgram: bool = True,
    negative: int = 5,
    workers: int | None = None,
    seed: int = 1,
    name: Path,
) -> WordVectors:
    """Train gensim's Word2Vec on re-iterable token lists (read ``epochs + 1`` times); most frequent words first.

    ``name`` is the source the vectors are named after (its stem) and errors mention.
    Shared by :func:`train_word2vec` and the graph embeddings (walks as sentences).
    """
    for option, value in (("dims", dims), ("window", window), ("min_count", min_count), ("epochs", epochs)):
        if value < 1:
            raise ConfigError(f"{option} must be at least 1, got {value}")
    gensim = require("gensim", extra="train", purpose="Training word vectors")
    model = gensim.models.Word2Vec(
        vector_size=dims,
        window=window,
        min_count=min_count,
        sg=1 if skipgram else 0,
        negative=negative,
        workers=workers or min(4, os.cpu_count() or 1),
        seed=seed,
        epochs=epochs,
    )
    model.build_vocab(sentences)
    if not model.wv.index_to_key:
        raise InputError(f"{name}: no word occurs at least min_count={min_count} times; nothing to train")
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    return WordVectors(list(model.wv.index_to_key), model.wv.vectors.copy(), name=name.stem)


class _Corpus:
    """Re-iterable token lists of a text file, one pass per ``iter()``, reporting progress by bytes read."""

    def __init__(self, path: Path, encoding: str, *, passes: int, on_progress: Callable[[float], None] | None) -> None:
        self.path = path
        self.encoding = encoding
        self.passes = passes
        self.on_progress = on_progress
        self.done = 0

    def __iter__(self) -> Iterator[list[str]]:
        size = max(1, self.path.stat().st_size)
        with self.path.open("rb") as fh:
            for line_no, raw in enumerate(fh, start=1):
                try:
                    text = raw.decode(self.encoding)
                except UnicodeDecodeError as exc:
                    raise InputError(f"{self.path}: line {line_no}: not valid {self.encoding}") from exc
                tokens = tokenize(text)
                for start in range(0, len(tokens), _MAX_SENTENCE):
                    yield tokens[start : start + _MAX_SENTENCE]
                if self.on_progress is not None:
                    self.on_progress(min(1.0, (self.done + fh.tell() / size) / self.passes))
        self.done += 1
