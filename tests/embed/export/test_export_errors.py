"""Bad model directories fail with a precise embedrag error, before anything is cached."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from safetensors.numpy import load_file, save_file

from embedrag.embed.export import onnx_for
from embedrag.errors import ConfigError, ModelFormatError, ModelNotFoundError


def _copy(tiny_bert: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(tiny_bert, tmp_path / "model"))


def _edit_config(model_dir: Path, **changes: object) -> None:
    path = model_dir / "config.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def test_missing_directory_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        onnx_for(tmp_path / "nope")


def test_directory_without_config_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFormatError, match=r"no config\.json"):
        onnx_for(tmp_path)


def test_config_that_is_not_json_is_a_format_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelFormatError, match="not valid JSON"):
        onnx_for(tmp_path)


def test_directory_without_weights_is_a_format_error(tiny_bert: Path, tmp_path: Path) -> None:
    model_dir = _copy(tiny_bert, tmp_path)
    (model_dir / "model.safetensors").unlink()
    with pytest.raises(ModelFormatError, match="has no weights"):
        onnx_for(model_dir)


def test_corrupt_safetensors_is_a_format_error(tiny_bert: Path, tmp_path: Path) -> None:
    model_dir = _copy(tiny_bert, tmp_path)
    (model_dir / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelFormatError, match=r"cannot read .*model\.safetensors"):
        onnx_for(model_dir)


def test_unknown_variant_is_a_config_error(tiny_bert: Path) -> None:
    with pytest.raises(ConfigError, match="variant"):
        onnx_for(tiny_bert, variant="int4")  # type: ignore[arg-type]


def test_missing_tensor_is_named(tiny_bert: Path, tmp_path: Path) -> None:
    model_dir = _copy(tiny_bert, tmp_path)
    tensors = load_file(str(model_dir / "model.safetensors"))
    del tensors["encoder.layer.1.output.dense.bias"]
    save_file(tensors, str(model_dir / "model.safetensors"))
    with pytest.raises(ModelFormatError, match=r"missing, e\.g\. \['encoder\.layer\.1\.output\.dense\.bias'\]"):
        onnx_for(model_dir)


def test_more_layers_than_the_config_says_is_unexpected(tiny_bert: Path, tmp_path: Path) -> None:
    model_dir = _copy(tiny_bert, tmp_path)
    _edit_config(model_dir, num_hidden_layers=1)
    with pytest.raises(ModelFormatError, match=r"does not account for, e\.g\. \['encoder\.layer\.1\."):
        onnx_for(model_dir)


def test_wrong_shape_is_named(tiny_bert: Path, tmp_path: Path) -> None:
    model_dir = _copy(tiny_bert, tmp_path)
    _edit_config(model_dir, intermediate_size=48)
    with pytest.raises(
        ModelFormatError, match=r"intermediate\.dense\.weight has shape \(64, 32\), config implies \(48, 32\)"
    ):
        onnx_for(model_dir)


def test_weights_that_are_not_bert_are_refused(tiny_bert: Path, tmp_path: Path) -> None:
    model_dir = _copy(tiny_bert, tmp_path)
    save_file({"something.else": load_file(str(model_dir / "model.safetensors"))["embeddings.LayerNorm.bias"]},
              str(model_dir / "model.safetensors"))  # fmt: skip
    with pytest.raises(ModelFormatError, match="not a BERT model"):
        onnx_for(model_dir)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hidden_act": "gelu_new"}, "hidden_act 'gelu_new' is not supported"),
        ({"position_embedding_type": "relative_key"}, "position_embedding_type 'relative_key'"),
        ({"num_attention_heads": 3}, "not a multiple of num_attention_heads 3"),
        ({"hidden_size": "32"}, "hidden_size must be a positive integer"),
    ],
)
def test_unsupported_bert_config_is_refused(
    tiny_bert: Path, tmp_path: Path, change: dict[str, object], message: str
) -> None:
    model_dir = _copy(tiny_bert, tmp_path)
    _edit_config(model_dir, **change)
    with pytest.raises(ModelFormatError, match=message):
        onnx_for(model_dir)


def test_embedder_on_a_folder_with_broken_config_names_the_file(tiny_bert: Path, tmp_path: Path) -> None:
    from embedrag import Embedder

    model_dir = _copy(tiny_bert, tmp_path)
    (model_dir / "config.json").write_text('{"model_type": "bert",')
    with pytest.raises(ModelFormatError, match=r"config\.json is not valid JSON"):
        Embedder(str(model_dir))
