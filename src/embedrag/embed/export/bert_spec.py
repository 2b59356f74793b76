"""Read a BERT ``config.json`` into a small frozen spec, refusing what the graph builder cannot build."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedrag.errors import ModelFormatError

__all__ = ["BertSpec", "read_bert_spec", "read_config"]

# Exact-erf GELU only: "gelu_new"/"gelu_fast" are tanh approximations and would silently differ.
_GELU_NAMES = frozenset({"gelu", "gelu_python"})


@dataclass(frozen=True)
class BertSpec:
    """The shape of a BERT encoder: everything the ONNX graph builder needs from ``config.json``.

    >>> spec = BertSpec(hidden_size=32, num_layers=2, num_heads=4, intermediate_size=64,
    ...                 layer_norm_eps=1e-12, max_positions=128, type_vocab_size=2, vocab_size=100)
    >>> spec.head_size
    8
    """

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    layer_norm_eps: float
    max_positions: int
    type_vocab_size: int
    vocab_size: int

    @property
    def head_size(self) -> int:
        """Width of one attention head."""
        return self.hidden_size // self.num_heads


def read_config(model_dir: Path) -> dict[str, Any]:
    """The parsed ``config.json`` of ``model_dir``; :class:`ModelFormatError` if missing or not JSON."""
    path = model_dir / "config.json"
    if not path.is_file():
        raise ModelFormatError(f"{model_dir} has no config.json; is it a Hugging Face model directory?")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFormatError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(config, dict):
        raise ModelFormatError(f"{path} must hold a JSON object, got {type(config).__name__}")
    return config


def read_bert_spec(config: dict[str, Any], *, source: str = "config.json") -> BertSpec:
    """Validate a BERT config and return its :class:`BertSpec`.

    >>> read_bert_spec({"model_type": "roberta"})
    Traceback (most recent call last):
    embedrag.errors.ModelFormatError: config.json: model_type is 'roberta', the graph builder handles only 'bert'
    """
    model_type = config.get("model_type")
    if model_type != "bert":
        raise ModelFormatError(f"{source}: model_type is {model_type!r}, the graph builder handles only 'bert'")
    _check_supported(config, source)
    spec = BertSpec(
        hidden_size=_int(config, "hidden_size", source),
        num_layers=_int(config, "num_hidden_layers", source),
        num_heads=_int(config, "num_attention_heads", source),
        intermediate_size=_int(config, "intermediate_size", source),
        layer_norm_eps=float(config.get("layer_norm_eps", 1e-12)),
        max_positions=_int(config, "max_position_embeddings", source),
        type_vocab_size=_int(config, "type_vocab_size", source, default=2),
        vocab_size=_int(config, "vocab_size", source),
    )
    if spec.hidden_size % spec.num_heads:
        raise ModelFormatError(
            f"{source}: hidden_size {spec.hidden_size} is not a multiple of num_attention_heads {spec.num_heads}"
        )
    return spec


def _check_supported(config: dict[str, Any], source: str) -> None:
    act = config.get("hidden_act", "gelu")
    if act not in _GELU_NAMES:
        raise ModelFormatError(
            f"{source}: hidden_act {act!r} is not supported; the graph builder implements exact 'gelu'"
        )
    position = config.get("position_embedding_type", "absolute")
    if position != "absolute":
        raise ModelFormatError(f"{source}: position_embedding_type {position!r} is not supported, only 'absolute'")
    if config.get("is_decoder") or config.get("add_cross_attention"):
        raise ModelFormatError(f"{source}: decoder / cross-attention BERT is not supported, only the encoder")


def _int(config: dict[str, Any], key: str, source: str, *, default: int | None = None) -> int:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ModelFormatError(f"{source}: {key} must be a positive integer, got {value!r}")
    return value
