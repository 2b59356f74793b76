"""``onnx_for``: a model directory in, a cached ONNX file out (fp32 or int8), built at most once.

Which builder runs is decided by the directory: a BERT config with safetensors weights goes
through the torch-free graph builder; anything else (other architectures, ``pytorch_model.bin``
weights) through ``torch.onnx.export`` from the ``hf`` extra. The result lives at
``cache_dir("onnx", key) / "model.onnx"`` where ``key`` hashes the source files, the variant
and :data:`BUILDER_VERSION`, so editing a source file or upgrading the builder rebuilds. An int8
key also names the CPU target it was built for (``cpu.py``: ``u8``, ``vnni``, ``avx2``, ``generic``),
that target's recipe and how its weights are stored for this CPU (``storage.py``), so a graph
built for one instruction set is not reused on another. The
``ov`` target's int8 model is an OpenVINO IR (``model.xml`` + ``model.bin``, see
``openvino_int8.py``); its key also holds the NNCF version and the calibration text's hash.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, get_args

import onnx

from embedrag._atomic import publish
from embedrag.embed.export import cpu, quantize
from embedrag.embed.export.bert_graph import build_bert_graph
from embedrag.embed.export.bert_spec import read_bert_spec, read_config
from embedrag.embed.export.bert_weights import load_bert_weights, safetensors_files
from embedrag.embed.export.calibration import CALIBRATION
from embedrag.embed.export.cpu import TARGETS, Target, int8_target
from embedrag.embed.export.openvino_int8 import OV_RECIPES, nncf_version, quantize_openvino
from embedrag.embed.export.quantize import quantize_int8
from embedrag.embed.export.storage import signed_storage
from embedrag.embed.export.torch_export import export_with_torch
from embedrag.errors import ConfigError, ModelFormatError, ModelNotFoundError
from embedrag.models.cache import cache_dir, hash_files

__all__ = ["BUILDER_VERSION", "Variant", "onnx_for", "stored_weights"]

Variant = Literal["fp32", "int8"]

#: Bump when the produced graphs change, so cached files from older builders are not reused.
BUILDER_VERSION = "3"

_TORCH_WEIGHTS = ("pytorch_model.bin",)


def onnx_for(model_dir: Path, *, variant: Variant = "fp32", target: str | None = None) -> Path:
    """The path of a cached ONNX encoder for ``model_dir``, building it on first use (for the ``ov``
    target's int8: the ``model.xml`` of an OpenVINO IR).

    ``target`` names the CPU an int8 graph is built for (a name of ``cpu.TARGETS``); by default
    this machine's (:func:`embedrag.embed.export.cpu.int8_target`). The graph takes
    ``input_ids``, ``attention_mask``, ``token_type_ids`` (int64 ``[batch, seq]``) and returns
    ``last_hidden_state`` (float32 ``[batch, seq, hidden]``).

    >>> onnx_for(Path("/no/such/model"))
    Traceback (most recent call last):
    embedrag.errors.ModelNotFoundError: model directory /no/such/model does not exist
    """
    if variant not in get_args(Variant):
        raise ConfigError(f"variant must be one of {get_args(Variant)}, got {variant!r}")
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise ModelNotFoundError(f"model directory {model_dir} does not exist")
    chosen = _target(target) if variant == "int8" else None
    signed = _storage(chosen)
    config = read_config(model_dir)
    builder, sources = _plan(model_dir, config)
    key = hash_files(sources, extra=f"{variant}:{builder}:{BUILDER_VERSION}:{int8_key(chosen, signed=signed)}")
    openvino = chosen is not None and chosen.engine == "openvino"
    path = cache_dir("onnx", key) / ("model.xml" if openvino else "model.onnx")
    if path.is_file():
        return path
    if chosen is not None:
        fp32 = onnx_for(model_dir, variant="fp32")
        recipe = _recipe(chosen)
        if openvino:
            return _publish_ir(path, lambda out: quantize_openvino(fp32, out, model_dir, recipe=recipe))
        return publish(path, lambda out: quantize_int8(fp32, out, recipe=recipe, model_dir=model_dir, signed=signed))
    return publish(path, _BUILDERS[builder](model_dir, config, sources))


def int8_key(target: Target | None, *, signed: bool | None = None) -> str:
    """What an int8 graph was built for, as it enters the cache key: the target and its recipe's
    content, and the weights' storage where it is not the recipe's own type (``signed``, see ``storage.py``).

    Changing what gets quantised, or building for another CPU, must not reuse an old graph.

    >>> from embedrag.embed.export.cpu import choose_target
    >>> int8_key(choose_target({"avx512_vnni"}), signed=True).startswith("u8:u8-outliers=Recipe(weight_type='u8'")
    True
    >>> ":stored-s8:" in int8_key(choose_target({"avx512_vnni"}), signed=True)
    True
    >>> int8_key(None)
    ''
    """
    if target is None:
        return ""
    recipe = _recipe(target)
    if target.engine == "openvino":
        calibration = hash_files([CALIBRATION])
        return f"{target.name}:{recipe}={OV_RECIPES[recipe]}:nncf={nncf_version()}:calibration={calibration}"
    stored = "" if signed is None else f":stored-{'s8' if signed else 'u8'}"
    key = f"{target.name}:{recipe}={quantize.RECIPES[recipe]}{stored}"
    return f"{key}:calibration={hash_files([CALIBRATION])}" if quantize.RECIPES[recipe].calibrated else key


def stored_weights(target: Target) -> str | None:
    """How this CPU stores ``target``'s int8 weights, ``"s8"`` or ``"u8"`` (``storage.py``); None for
    OpenVINO's build, whose engine chooses its own kernels.

    >>> from embedrag.embed.export.cpu import TARGETS
    >>> stored_weights(TARGETS[0]) is None, stored_weights(TARGETS[-1]) in ("s8", "u8")
    (True, True)
    """
    if target.engine != "onnxruntime":
        return None
    seven_bit = quantize.RECIPES[_recipe(target)].reduce_range
    return "s8" if signed_storage(cpu.cpu_flags(), seven_bit=seven_bit) else "u8"


def _storage(target: Target | None) -> bool | None:
    """How this CPU stores ``target``'s weights (True: s8, False: u8) where that is not the type its
    recipe quantises to; None where it is (or the target is not ONNX Runtime's)."""
    stored = stored_weights(target) if target is not None else None
    if stored is None or target is None or stored == quantize.RECIPES[_recipe(target)].weight_type:
        return None
    return stored == "s8"


def _recipe(target: Target) -> str:
    # The generic target follows DEFAULT_RECIPE, read at call time so that tests can change it.
    return quantize.DEFAULT_RECIPE if target.name == "generic" else target.recipe


def _publish_ir(path: Path, write: Callable[[Path], None]) -> Path:
    """Publish an OpenVINO IR (``write`` saves ``<name>.xml`` and ``<name>.bin``) like one file: the
    ``.bin`` first, then the ``.xml`` that :func:`onnx_for` looks for, each by an atomic rename."""
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=".staging-"))
    try:
        write(staging / path.name)
        for done in (path.with_suffix(".bin"), path):
            publish(done, lambda out, name=done.name: os.replace(staging / name, out))  # type: ignore[misc]
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return path


def _target(name: str | None) -> Target:
    if name is None:
        return int8_target()
    for target in TARGETS:
        if target.name == name:
            return target
    raise ConfigError(f"target must be one of {[t.name for t in TARGETS]}, got {name!r}")


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
