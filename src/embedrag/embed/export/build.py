"""``onnx_for``: a model directory in, a cached ONNX file out (fp32 or int8), built at most once.

Which builder runs is decided by the directory: a BERT config with safetensors weights goes
through the torch-free graph builder; anything else (other architectures, ``pytorch_model.bin``
weights) through ``torch.onnx.export`` from the ``hf`` extra. The result lives at
``cache_dir("onnx", key) / "model.onnx"`` where ``key`` hashes the source files, the variant
and :data:`BUILDER_VERSION`, so editing a source file or upgrading the builder rebuilds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, get_args

import onnx

from embedrag._atomic import publish
from embedrag.embed.export import quantize
from embedrag.embed.export.bert_graph import build_bert_graph
from embedrag.embed.export.bert_spec import read_bert_spec, read_config
from embedrag.embed.export.bert_weights import load_bert_weights, safetensors_files
from embedrag.embed.export.quantize import quantize_int8
from embedrag.embed.export.torch_export import export_with_torch
from embedrag.errors import ConfigError, ModelFormatError, ModelNotFoundError
from embedrag.models.cache import cache_dir, hash_files

__all__ = ["BUILDER_VERSION", "Variant", "onnx_for"]

Variant = Literal["fp32", "int8"]

#: Bump when the produced graphs change, so cached files from older builders are not reused.
BUILDER_VERSION = "1"

_TORCH_WEIGHTS = ("pytorch_model.bin",)


def onnx_for(model_dir: Path, *, variant: Variant = "fp32") -> Path:
    """The path of a cached ONNX encoder for ``model_dir``, building it on first use.

    The graph takes ``input_ids``, ``attention_mask``, ``token_type_ids`` (int64
    ``[batch, seq]``) and returns ``last_hidden_state`` (float32 ``[batch, seq, hidden]``).

    >>> onnx_for(Path("/no/such/model"))
    Traceback (most recent call last):
    embedrag.errors.ModelNotFoundError: model directory /no/such/model does not exist
    """
    if variant not in get_args(Variant):
        raise ConfigError(f"variant must be one of {get_args(Variant)}, got {variant!r}")
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise ModelNotFoundError(f"model directory {model_dir} does not exist")
    config = read_config(model_dir)
    builder, sources = _plan(model_dir, config)
    # The int8 recipe is part of the key: changing what gets quantised must not reuse an old graph.
    recipe = f"{quantize.DEFAULT_RECIPE}={quantize.RECIPES[quantize.DEFAULT_RECIPE]}" if variant == "int8" else ""
    key = hash_files(sources, extra=f"{variant}:{builder}:{BUILDER_VERSION}:{recipe}")
    target = cache_dir("onnx", key) / "model.onnx"
    if target.is_file():
        return target
    if variant == "int8":
        fp32 = onnx_for(model_dir, variant="fp32")
        return publish(target, lambda out: quantize_int8(fp32, out, recipe=quantize.DEFAULT_RECIPE))
    return publish(target, _BUILDERS[builder](model_dir, config, sources))


def _plan(model_dir: Path, config: dict[str, Any]) -> tuple[str, list[Path]]:
    """Which builder fits ``model_dir`` and which files its output depends on."""
    config_file = model_dir / "config.json"
    safetensors = safetensors_files(model_dir)
    if config.get("model_type") == "bert" and safetensors:
        return "bert-graph", [config_file, *safetensors]
    weights = safetensors or [model_dir / name for name in _TORCH_WEIGHTS if (model_dir / name).is_file()]
    if not weights:
        raise ModelFormatError(
            f"{model_dir} has no weights: expected model.safetensors (or its index) or pytorch_model.bin"
        )
    return "torch", [config_file, *weights]


def _graph_writer(model_dir: Path, config: dict[str, Any], sources: list[Path]) -> Callable[[Path], None]:
    spec = read_bert_spec(config, source=str(model_dir / "config.json"))
    model = build_bert_graph(spec, load_bert_weights(sources[1:], spec))
    return lambda out: onnx.save(model, str(out))


def _torch_writer(model_dir: Path, config: dict[str, Any], sources: list[Path]) -> Callable[[Path], None]:
    return lambda out: export_with_torch(model_dir, out)


_BUILDERS: dict[str, Callable[[Path, dict[str, Any], list[Path]], Callable[[Path], None]]] = {
    "bert-graph": _graph_writer,
    "torch": _torch_writer,
}
