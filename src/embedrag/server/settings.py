"""``ServerSettings``: everything the HTTP server is configured with, typed and keyword-only."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from embedrag.embed.result import LongInputPolicy
from embedrag.errors import ConfigError
from embedrag.models import DEFAULT_MODEL

__all__ = ["ServerSettings", "exposure_warning"]


@dataclass(frozen=True, kw_only=True)
class ServerSettings:
    """How to run ``embedrag serve`` (and :func:`embedrag.server.create_app`).

    >>> ServerSettings(models=("tokenlearn-static-64",)).default_model
    'tokenlearn-static-64'
    """

    host: str = "127.0.0.1"
    port: int = 8000
    models: tuple[str, ...] = (DEFAULT_MODEL,)
    """Embedding models served (catalogue names or folders); the first is the default."""
    variant: Literal["fp32", "int8"] = "fp32"
    collections: Path | str | None = None
    """Directory holding one sub-directory per collection; ``None`` turns the collection routes off."""
    rerank_model: str | None = None
    """A cross-encoder (folder or catalogue name, ``hf`` extra) for ``/v1/rerank`` and search reranking.
    Without one, ``late`` (MaxSim over the embedding model's token vectors) is the reranker."""
    api_key: str | None = None
    """When set, every route but ``/health`` needs ``Authorization: Bearer <api_key>``."""
    long_inputs: LongInputPolicy = "truncate"
    """Inputs over the model's token limit: ``truncate`` (reported in the response), ``window`` or ``error`` (400)."""
    max_inputs: int = 2048
    """Inputs per embeddings request (OpenAI's limit) and documents per rerank or ingest request."""
    max_body_bytes: int = 16 * 1024 * 1024
    """Larger request bodies get 413."""
    batch_tokens: int = 16384
    """Token budget of one micro-batch: concurrent requests merge until it is reached."""
    threads: int | None = None
    """ONNX Runtime threads per model (default: all cores)."""
    heads: Path | str | None = None
    """A BERT folder with its masked-LM and/or next-sentence head (``hf`` extra), for ``/v1/fill-mask``
    and ``/v1/next-sentence`` (a ``BertForPreTraining`` folder has both)."""
    llm_url: str | None = None
    """An OpenAI-compatible chat endpoint (``http://localhost:8080/v1``): ``/ask`` then answers with its reply."""
    llm_model: str = "default"
    """The model name sent to ``llm_url``."""
    llm_api_key: str | None = field(default=None, repr=False)
    """The LLM endpoint's key (``embedrag serve`` reads it from ``$EMBEDRAG_LLM_API_KEY``)."""

    def __post_init__(self) -> None:
        if isinstance(self.collections, str):
            object.__setattr__(self, "collections", Path(self.collections))
        if isinstance(self.heads, str):
            object.__setattr__(self, "heads", Path(self.heads))
        if not self.models:
            raise ConfigError("serve at least one embedding model")
        if self.variant not in ("fp32", "int8"):
            raise ConfigError(f"variant must be 'fp32' or 'int8', got {self.variant!r}")
        if self.long_inputs not in get_args(LongInputPolicy):
            raise ConfigError(
                f"long_inputs must be one of {', '.join(get_args(LongInputPolicy))}, got {self.long_inputs!r}"
            )
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port must be in 0..65535, got {self.port}")
        for name, value in (("max_inputs", self.max_inputs), ("max_body_bytes", self.max_body_bytes)):
            if value < 1:
                raise ConfigError(f"{name} must be positive, got {value}")
        if self.batch_tokens < 512:
            raise ConfigError(f"batch_tokens must be at least 512, got {self.batch_tokens}")
        if self.api_key is not None and not self.api_key.strip():
            raise ConfigError("the API key is empty")
        if self.llm_url is not None and not self.llm_url.startswith(("http://", "https://")):
            raise ConfigError(f"the LLM endpoint must be an http(s) URL, got {self.llm_url!r}")
        if not self.llm_model.strip():
            raise ConfigError("the LLM model name is empty")

    @property
    def default_model(self) -> str:
        return self.models[0]


def exposure_warning(host: str, api_key: str | None) -> str | None:
    """A warning when the server would answer anyone on the network without a key, else ``None``.

    >>> exposure_warning("127.0.0.1", None) is None, exposure_warning("0.0.0.0", "k") is None
    (True, True)
    >>> print(exposure_warning("0.0.0.0", None))  # doctest: +ELLIPSIS
    listening on 0.0.0.0 without an API key: anyone who can reach this address can use the server; ...
    """
    if api_key or _is_loopback(host):
        return None
    return (
        f"listening on {host} without an API key: anyone who can reach this address can use the server; "
        "set --api-key or EMBEDRAG_API_KEY"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
