"""Turn a BERT / sentence-transformers model directory into a cached ONNX encoder (fp32 or int8).

The one public function is :func:`onnx_for`.
"""

from embedrag.embed.export.build import BUILDER_VERSION, Variant, onnx_for

__all__ = ["BUILDER_VERSION", "Variant", "onnx_for"]
