"""Fallback exporter through torch (the ``hf`` extra): for non-BERT models and ``pytorch_model.bin`` weights.

Loads the model with ``transformers.AutoModel`` and traces it with the TorchScript exporter
(``dynamo=False``: the dynamo exporter needs ``onnxscript``). The produced graph has the same
contract as the torch-free builder: inputs ``input_ids``, ``attention_mask``,
``token_type_ids`` and output ``last_hidden_state``.
"""

from __future__ import annotations

import inspect
import warnings
from pathlib import Path
from typing import Any

import onnx
from onnx import TensorProto, helper

from embedrag._optional import require
from embedrag.embed.export.bert_graph import INPUT_NAMES, IR_VERSION, OPSET, OUTPUT_NAME
from embedrag.errors import ModelFormatError

__all__ = ["export_with_torch"]

_PURPOSE = "Converting this model to ONNX (it is not a safetensors BERT)"


def export_with_torch(model_dir: Path, out: Path) -> None:
    """Write ``model_dir``'s encoder to ``out`` as ONNX with dynamic batch and sequence axes."""
    torch = require("torch", extra="hf", purpose=_PURPOSE)
    transformers = require("transformers", extra="hf", purpose=_PURPOSE)
    try:
        model = transformers.AutoModel.from_pretrained(str(model_dir)).eval()
    except (OSError, ValueError, KeyError) as exc:
        raise ModelFormatError(f"transformers cannot load {model_dir}: {exc}") from exc
    wrapper = _keyword_wrapper(torch, model)
    # Small ids fit any vocabulary; the second row is padded so the traced graph sees a real mask.
    ids = torch.tensor([[1, 2, 3, 4], [1, 2, 0, 0]], dtype=torch.int64)
    sample = (ids, (ids != 0).long(), torch.zeros_like(ids))
    axes = {name: {0: "batch", 1: "seq"} for name in [*INPUT_NAMES, OUTPUT_NAME]}
    # The TorchScript exporter is chosen on purpose (no onnxscript needed); its deprecation notice is noise here.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            wrapper, sample, str(out), input_names=list(INPUT_NAMES), output_names=[OUTPUT_NAME],
            opset_version=OPSET, dynamo=False, dynamic_axes=axes,
        )  # fmt: skip
    _keep_to_our_contract(out)


def _keyword_wrapper(torch: Any, model: Any) -> Any:
    """A module whose positional ``forward`` calls the model with keywords (positional fails in transformers 5)."""
    takes_types = "token_type_ids" in inspect.signature(model.forward).parameters

    class Encoder(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            extra = {"token_type_ids": token_type_ids} if takes_types else {}
            return self.model(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state

    return Encoder()


def _keep_to_our_contract(path: Path) -> None:
    """The three inputs (the tracer drops those the model ignores: token_type_ids for DistilBERT) and
    our IR version (the exporter writes the onnx package's newest, which older ONNX Runtimes refuse)."""
    model = onnx.load(str(path), load_external_data=False)  # a large model's weights stay where they are
    present = {i.name for i in model.graph.input}
    missing = [name for name in INPUT_NAMES if name not in present]
    if not missing and model.ir_version == IR_VERSION:
        return
    for name in missing:
        model.graph.input.append(helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "seq"]))
    model.ir_version = IR_VERSION
    onnx.save(model, str(path))
