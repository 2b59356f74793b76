"""Train a SentencePiece tokenizer (unigram or BPE) on a user's corpus, reproducibly and quietly."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal, get_args

from embedrag.errors import ConfigError, EmbedragError, InputError
from embedrag.tokenize.spm import SentencePieceTokenizer
from embedrag.tokenize.textfile import Utf8Lines

__all__ = ["ModelType", "train_sentencepiece"]

ModelType = Literal["unigram", "bpe"]

# The trained model depends on the thread count (1 and 16 give different models),
# so it is pinned rather than taken from the machine.
_NUM_THREADS = 16
_QUIET = 2  # SentencePiece's minloglevel: errors only, no progress chatter on stderr

# SentencePiece's training failures (RuntimeError texts) rewritten as user errors.
_Explain = Callable[["re.Match[str]", str], EmbedragError]
_FAILURES: tuple[tuple[re.Pattern[str], _Explain], ...] = (
    (
        re.compile(r"Vocabulary size too high \((\d+)\)\. Please set it to a value <= (\d+)"),
        lambda m, corpus: InputError(f"vocab_size {m[1]} is too high for {corpus}: this corpus allows at most {m[2]}"),
    ),
    (
        re.compile(r"Vocabulary size is smaller than required_chars\. (\d+) vs (\d+)"),
        lambda m, corpus: InputError(
            f"vocab_size {m[1]} is too small for {corpus}: it needs at least {m[2]} (its characters and special pieces)"
        ),
    ),
    (
        re.compile(r"!sentences_\.empty\(\)"),
        lambda m, corpus: InputError(f"{corpus} has no text to train on"),
    ),
)


def train_sentencepiece(
    corpus_path: str | Path,
    *,
    vocab_size: int,
    model_type: ModelType = "unigram",
    output: str | Path,
) -> SentencePieceTokenizer:
    """Train SentencePiece on the lines of a UTF-8 text file, write the ``.model`` to ``output``
    and return it loaded.

    Same corpus and settings give the same model on any machine (the thread count is
    pinned). Nothing else is written: no ``.vocab`` file, no files in the current folder.
    A ``vocab_size`` the corpus cannot fill raises :class:`InputError` giving the maximum.
    """
    if model_type not in get_args(ModelType):
        raise ConfigError(f"model_type must be one of {', '.join(get_args(ModelType))}, not {model_type!r}")
    if vocab_size < 1:
        raise ConfigError(f"vocab_size must be a positive number, not {vocab_size}")
    corpus = Path(corpus_path)
    if not corpus.is_file():
        raise InputError(f"corpus {corpus} is not a file")
    model = _train(Utf8Lines(corpus), vocab_size=vocab_size, model_type=model_type)
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(model)
    os.replace(partial, target)  # a reader never sees half a model
    return SentencePieceTokenizer(model, name=str(target), path=target)


def _train(lines: Utf8Lines, *, vocab_size: int, model_type: str) -> bytes:
    import sentencepiece

    buffer = io.BytesIO()
    try:
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(lines),
            model_writer=buffer,
            vocab_size=vocab_size,
            model_type=model_type,
            num_threads=_NUM_THREADS,
            minloglevel=_QUIET,
        )
    except RuntimeError as exc:
        if lines.error is not None:  # our own UTF-8 error, wrapped by the trainer
            raise lines.error from None
        raise _explain(str(exc), str(lines.path)) from exc
    return buffer.getvalue()


def _explain(message: str, corpus: str) -> EmbedragError:
    for pattern, explain in _FAILURES:
        match = pattern.search(message)
        if match:
            return explain(match, corpus)
    return EmbedragError(f"SentencePiece could not train on {corpus}: {message.strip()}")
