"""One loader: a catalogue name, a sentence-model name or a path, to a :class:`Tokenizer`.

Names go through :func:`embedrag.models.resolve` (offline-first). What to do with the
files is data: catalogue formats and file suffixes each map to a loader.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from embedrag.errors import ModelFormatError, ModelNotFoundError
from embedrag.models import CATALOGUE, ModelInfo, ResolvedModel, find, resolve
from embedrag.tokenize.bytebpe import BytePairTokenizer
from embedrag.tokenize.huggingface import HFTokenizer
from embedrag.tokenize.protocol import Tokenizer
from embedrag.tokenize.spm import SentencePieceTokenizer

__all__ = ["DEFAULT_TOKENIZER", "known_tokenizers", "load_tokenizer", "loadable_models"]

DEFAULT_TOKENIZER = "bert-base-uncased"
"""The tokenizer of the default embedding model (all-MiniLM-L6-v2): counts say what fits it."""


def _tokenizer_json(found: ResolvedModel) -> Tokenizer:
    return HFTokenizer.from_file(found.path / "tokenizer.json", name=found.name)


def _bundled_encoding(found: ResolvedModel) -> Tokenizer:
    return BytePairTokenizer(found.name)


# Catalogue format -> loader. Sentence and static models carry their tokenizer.json.
_BY_FORMAT: dict[str, Callable[[ResolvedModel], Tokenizer]] = {
    "tokenizer-json": _tokenizer_json,
    "tiktoken-bpe": _bundled_encoding,
    "sentence-transformers": _tokenizer_json,
    "model2vec": _tokenizer_json,
}

# File suffix -> loader, for explicit paths.
_BY_SUFFIX: dict[str, Callable[[Path, str], Tokenizer]] = {
    ".json": lambda path, name: HFTokenizer.from_file(path, name=name),
    ".model": lambda path, name: SentencePieceTokenizer.from_file(path, name=name),
}

# Files that hold a tokenizer inside a model folder, most specific first.
_FOLDER_FILES = ("tokenizer.json", "tokenizer.model", "spiece.model", "sentencepiece.bpe.model", "spm.model")


def load_tokenizer(name_or_path: str | Path) -> Tokenizer:
    """Load a tokenizer by catalogue name or alias, sentence-model name, or path.

    Accepted: ``bert-base-uncased`` (``wordpiece``), ``cl100k_base`` (``cl100k``),
    ``o200k_base`` (``o200k``), a sentence model such as ``all-MiniLM-L6-v2``, a
    ``tokenizer.json``, a SentencePiece ``.model`` file, or a model folder holding
    one of them. Nothing is downloaded unless network access is allowed (see
    :func:`embedrag.models.resolve`).

    >>> load_tokenizer("o200k").encode("The man went to the store")
    [976, 873, 5981, 316, 290, 4897]
    >>> load_tokenizer("gpt-17")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    embedrag.errors.ModelNotFoundError: unknown tokenizer 'gpt-17'...
    """
    text = str(name_or_path)
    info = None if Path(text).expanduser().exists() else find(text)
    if info is not None and info.format not in _BY_FORMAT:
        raise ModelNotFoundError(
            f"'{info.name}' is a {info.kind} model without a tokenizer; "
            f"known tokenizers: {', '.join(known_tokenizers())}"
        )
    try:
        found = resolve(name_or_path)
    except ModelNotFoundError as exc:
        if info is not None:
            raise  # a known name whose files are missing: resolve's message says how to get them
        raise ModelNotFoundError(
            f"unknown tokenizer '{text}': not a catalogue name nor an existing path; "
            f"known tokenizers: {', '.join(known_tokenizers())}; "
            "or give a sentence-model name, a tokenizer.json, a .model file or a model folder"
        ) from exc
    if found.info is None:
        return _load_path(found.path, name=text)
    return _BY_FORMAT[found.info.format](found)


def known_tokenizers() -> list[str]:
    """Catalogue tokenizers with their aliases, e.g. ``"cl100k_base (cl100k, gpt-4)"``."""
    return [f"{m.name} ({', '.join(m.aliases)})" if m.aliases else m.name for m in CATALOGUE if m.kind == "tokenizer"]


def loadable_models() -> list[ModelInfo]:
    """Catalogue entries :func:`load_tokenizer` accepts: tokenizers first, then models carrying one."""
    usable = [m for m in CATALOGUE if m.format in _BY_FORMAT]
    return sorted(usable, key=lambda m: m.kind != "tokenizer")


def _load_path(path: Path, *, name: str) -> Tokenizer:
    if path.is_dir():
        inside = next((path / f for f in _FOLDER_FILES if (path / f).is_file()), None)
        if inside is None:
            raise ModelFormatError(f"no tokenizer in {path}: looked for {', '.join(_FOLDER_FILES)}")
        path = inside
    loader = _BY_SUFFIX.get(path.suffix.lower())
    if loader is None:
        raise ModelFormatError(
            f"{path}: cannot tell the tokenizer format from the suffix '{path.suffix}'; "
            f"expected one of {', '.join(_BY_SUFFIX)} or a model folder"
        )
    return loader(path, name)
