"""Load BERT encoder weights from safetensors with numpy, checking names and shapes against the spec.

Checkpoints name tensors with a ``bert.`` prefix (``BertForMaskedLM`` and friends) or without
(``BertModel``, sentence-transformers). Heads (``cls.*``), the pooler and the ``position_ids``
buffer are ignored; any other tensor under ``embeddings.`` / ``encoder.`` that the encoder does
not use is an error, because it means the config and the weights disagree.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors import SafetensorError, safe_open

from embedrag.embed.export.bert_spec import BertSpec
from embedrag.errors import ModelFormatError

__all__ = ["expected_shapes", "load_bert_weights", "safetensors_files"]

Weights = dict[str, np.ndarray]

_WORDS = "embeddings.word_embeddings.weight"
_IGNORED = ("pooler.", "embeddings.position_ids")
# Linear layers of one encoder layer: (rows, cols) of the torch weight, h = hidden, i = intermediate.
_LAYER_PARTS = {
    "attention.self.query": ("h", "h"),
    "attention.self.key": ("h", "h"),
    "attention.self.value": ("h", "h"),
    "attention.output.dense": ("h", "h"),
    "intermediate.dense": ("i", "h"),
    "output.dense": ("h", "i"),
}


def expected_shapes(spec: BertSpec) -> dict[str, tuple[int, ...]]:
    """Every tensor name (without prefix) the encoder needs, with its shape.

    >>> from embedrag.embed.export.bert_spec import BertSpec
    >>> spec = BertSpec(8, 1, 2, 16, 1e-12, 32, 2, 50)
    >>> shapes = expected_shapes(spec)
    >>> len(shapes), shapes["encoder.layer.0.intermediate.dense.weight"]
    (21, (16, 8))
    """
    h, i = spec.hidden_size, spec.intermediate_size
    dims = {"h": h, "i": i}
    shapes: dict[str, tuple[int, ...]] = {
        _WORDS: (spec.vocab_size, h),
        "embeddings.position_embeddings.weight": (spec.max_positions, h),
        "embeddings.token_type_embeddings.weight": (spec.type_vocab_size, h),
        "embeddings.LayerNorm.weight": (h,),
        "embeddings.LayerNorm.bias": (h,),
    }
    for n in range(spec.num_layers):
        base = f"encoder.layer.{n}."
        for part, (rows, cols) in _LAYER_PARTS.items():
            shapes[f"{base}{part}.weight"] = (dims[rows], dims[cols])
            shapes[f"{base}{part}.bias"] = (dims[rows],)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            shapes[f"{base}{norm}.weight"] = (h,)
            shapes[f"{base}{norm}.bias"] = (h,)
    return shapes


def safetensors_files(model_dir: Path) -> list[Path]:
    """The safetensors file(s) holding the weights: ``model.safetensors`` or the shards of its index."""
    single = model_dir / "model.safetensors"
    if single.is_file():
        return [single]
    index = model_dir / "model.safetensors.index.json"
    if index.is_file():
        weight_map = json.loads(index.read_text(encoding="utf-8")).get("weight_map", {})
        return [model_dir / name for name in sorted(set(weight_map.values()))]
    return []


def load_bert_weights(files: list[Path], spec: BertSpec) -> Weights:
    """The encoder's tensors as float32 numpy arrays keyed by name without prefix; checked against ``spec``."""
    tensors = _read_all(files)
    prefix = _prefix(tensors, files)
    ours = {_canonical(k[len(prefix) :]): v for k, v in tensors.items() if k.startswith(prefix)}
    shapes = expected_shapes(spec)
    missing = sorted(set(shapes) - set(ours))
    if missing:
        raise ModelFormatError(f"{files[0].parent}: {len(missing)} encoder tensor(s) missing, e.g. {missing[:3]}")
    unexpected = sorted(
        k for k in ours if k not in shapes and k.startswith(("embeddings.", "encoder.")) and not k.startswith(_IGNORED)
    )
    if unexpected:
        raise ModelFormatError(
            f"{files[0].parent}: tensor(s) the config does not account for, e.g. {unexpected[:3]}; "
            "does num_hidden_layers in config.json match the weights?"
        )
    weights: Weights = {}
    for name, shape in shapes.items():
        array = ours[name]
        if tuple(array.shape) != shape:
            raise ModelFormatError(f"{files[0].parent}: {name} has shape {tuple(array.shape)}, config implies {shape}")
        weights[name] = np.ascontiguousarray(array, dtype=np.float32)
    return weights


def _read_all(files: list[Path]) -> Weights:
    tensors: Weights = {}
    for path in files:
        try:
            with safe_open(str(path), framework="np") as fh:
                for key in fh.keys():  # noqa: SIM118 - safe_open handles are not mappings
                    tensors[key] = fh.get_tensor(key)
        except (SafetensorError, OSError, ValueError, TypeError) as exc:
            raise ModelFormatError(f"cannot read {path} as safetensors with numpy: {exc}") from exc
    return tensors


def _prefix(tensors: Weights, files: list[Path]) -> str:
    for prefix in ("", "bert."):
        if prefix + _WORDS in tensors:
            return prefix
    raise ModelFormatError(f"{files[0].parent}: no '{_WORDS}' (nor 'bert.{_WORDS}') in the weights; not a BERT model?")


def _canonical(name: str) -> str:
    # Checkpoints converted from TensorFlow call LayerNorm parameters gamma/beta.
    return name.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")
