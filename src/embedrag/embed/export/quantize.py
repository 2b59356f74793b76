"""int8 variant of an fp32 encoder graph: dynamic quantisation of the weight matrices, offline and deterministic."""

from __future__ import annotations

from pathlib import Path

__all__ = ["quantize_int8"]


def quantize_int8(fp32: Path, out: Path) -> None:
    """Write an int8 version of the fp32 graph at ``fp32`` to ``out``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(out), per_channel=True, weight_type=QuantType.QInt8)
