"""Static (calibrated) int8 for OpenVINO: NNCF quantises the fp32 encoder once, on text shipped here.

ONNX Runtime's int8 graphs (``quantize.py``) quantise activations per batch at run time. This
build instead fixes every activation's scale in advance, from the calibration text in
``calibration.txt`` (written for embedrag: news, instructions, questions, prose; none of it is
the held-out text the fidelity test reads), so that OpenVINO can run whole layers in int8 with
its VNNI/AMX kernels. NNCF (``nncf.quantize``, ``ModelType.TRANSFORMER``, the ``mixed`` preset:
symmetric weights per channel, asymmetric activations) picks the quantisable MatMuls, smooths
their inputs and corrects the biases; softmax and layer norms stay float. The quantised model is
an OpenVINO IR (``model.xml`` + ``model.bin``) in the graph cache, keyed by the recipe, the
calibration text and the NNCF version.

Fidelity, min / mean cosine to fp32, float parts in f32: on 300 BBC News paragraphs (the first
300 of ``bench/embed.py``) as ``python bench/export_variants.py --ov-recipes`` prints them, and on
the 48 held-out texts of tests/embed/export/test_int8_fidelity.py (24 BBC News paragraphs, 24
Lee-corpus sentences; it asks 0.99 / 0.995), from a scratch script calling
:func:`quantize_openvino` on them:

======================================================  ===============  ===============
recipe                                                  BBC News (300)   held-out (48)
======================================================  ===============  ===============
``ov-mixed``: every MatMul NNCF takes                    0.9858 / 0.9943  0.9866 / 0.9947
``ov-performance``: the same, symmetric activations      0.9859 / 0.9938  0.9887 / 0.9943
``ov-keep3``: the first 3 of ``S8_SENSITIVE`` in float   0.9881 / 0.9952  0.9902 / 0.9956
``ov-keep4``: the first 4                                0.9908 / 0.9963  0.9931 / 0.9964
``ov-keep5``: the first 5 (all FFN), the ``ov`` recipe   0.9925 / 0.9967  0.9946 / 0.9968
======================================================  ===============  ===============

So quantising everything misses the 0.99 budget on longer text, as ONNX Runtime's s8 did; the
five feed-forward MatMuls that ranked most sensitive under s8 (``quantize.S8_SENSITIVE``) stay
float, 28% of the weight MatMuls' FLOPs. (ONNX Runtime's own ``quantize_static`` with min/max
calibration on 88 texts of lee_background.cor, QDQ around every MatMul, gave 0.876 min on the
held-out set, read by ONNX Runtime or OpenVINO alike, in another scratch script: the GELU outputs'
outliers need NNCF's smoothing.) Cosines were measured on an AMD EPYC; they do not depend on the
CPU's int8 instructions (int8 dot products are exact), only the float parts' precision does. On
that AVX2-only EPYC (no VNNI) the int8 model runs no faster than OpenVINO f32 (the int8 dot
products need VNNI or AMX to pay), so ``cpu.TARGETS`` chooses it only where the CPU has them.

Where torch is installed NNCF imports it (about 8 s, once per build; the cached model then runs on
OpenVINO alone). NNCF (like ``openvino.convert_model``) sends usage telemetry unless told not to;
embedrag opens no connection the user did not ask for, so NNCF is imported with its telemetry
stubbed out, and the model is read with ``openvino.Core().read_model``, which sends nothing.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from embedrag._optional import require
from embedrag.embed.export.calibration import calibration_feeds
from embedrag.embed.export.quantize import S8_SENSITIVE
from embedrag.errors import ModelFormatError

__all__ = ["OV_RECIPE", "OV_RECIPES", "OvRecipe", "quantize_openvino"]


@dataclass(frozen=True)
class OvRecipe:
    """How NNCF quantises: its preset, the MatMuls kept in float (names as in our graph), batch size."""

    preset: str = "mixed"
    keep: tuple[str, ...] = ()
    batch: int = 8


OV_RECIPES: dict[str, OvRecipe] = {
    "ov-mixed": OvRecipe(),
    "ov-performance": OvRecipe(preset="performance"),
    "ov-keep3": OvRecipe(keep=S8_SENSITIVE[:3]),
    "ov-keep4": OvRecipe(keep=S8_SENSITIVE[:4]),
    "ov-keep5": OvRecipe(keep=S8_SENSITIVE[:5]),
}
OV_RECIPE = "ov-keep5"
"""The recipe of the ``ov`` target (``Embedder(variant="int8-ov")``)."""


def quantize_openvino(fp32: Path, out: Path, model_dir: Path, *, recipe: str | OvRecipe = OV_RECIPE) -> None:
    """Write the int8 OpenVINO IR of the fp32 ONNX graph ``fp32`` to ``out`` (``.xml``, its ``.bin`` beside it).

    ``model_dir`` gives the tokenizer that turns the calibration text into the graph's inputs. The
    recipe's ``keep`` names are those of embedrag's BERT graph; other graphs (built through torch)
    have other names and get every MatMul quantised, at a fidelity measured only for MiniLM's graph.
    """
    ov = require("openvino", extra="openvino", purpose="variant='int8-ov'")
    nncf = _import_nncf()
    chosen = recipe if isinstance(recipe, OvRecipe) else OV_RECIPES[recipe]
    model = _read(ov, fp32, out)
    inputs = {port.get_any_name() for port in model.inputs}
    feeds = list(calibration_feeds(model_dir, chosen.batch, inputs))
    presets = {"mixed": nncf.QuantizationPreset.MIXED, "performance": nncf.QuantizationPreset.PERFORMANCE}
    options: dict[str, Any] = {"model_type": nncf.ModelType.TRANSFORMER, "preset": presets[chosen.preset]}
    if chosen.keep:
        options["ignored_scope"] = nncf.IgnoredScope(names=list(chosen.keep), validate=False)
    # NNCF draws rich progress bars on the console; a library call shows none unless asked.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            quantized = nncf.quantize(model, nncf.Dataset(feeds), subset_size=len(feeds), **options)
        except Exception as exc:  # NNCF's own errors name no remedy: one that does, with the cause
            raise ModelFormatError(
                f"NNCF could not quantise {fp32} for OpenVINO ({type(exc).__name__}: {exc}); "
                "variant='int8-u8' builds ONNX Runtime's int8 instead"
            ) from exc
    ov.save_model(quantized, str(out), compress_to_fp16=False)


def _read(ov: ModuleType, fp32: Path, out: Path) -> Any:
    """The fp32 ONNX graph as an OpenVINO model NNCF can walk.

    Read directly, the frontend leaves the nodes it decomposed an unused output into (the mask
    index of ``EmbedLayerNormalization``) hanging off live ones, and NNCF's graph builder stops
    at them; a save and a read drop them.
    """
    core = ov.Core()
    staged = out.with_name(f".{out.stem}.fp32.{os.getpid()}.xml")
    try:
        ov.save_model(core.read_model(str(fp32)), str(staged), compress_to_fp16=False)
        return core.read_model(str(staged))
    finally:
        staged.unlink(missing_ok=True)
        staged.with_suffix(".bin").unlink(missing_ok=True)


def nncf_version() -> str:
    """The installed NNCF's version (part of the graph cache key), or "" without NNCF."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nncf")
    except PackageNotFoundError:
        return ""


def _import_nncf() -> ModuleType:
    # NNCF decides at import whether to send telemetry; NNCF_CI set during the import stubs it out.
    before = os.environ.get("NNCF_CI")
    os.environ["NNCF_CI"] = "1"
    try:
        nncf = require("nncf", extra="openvino", purpose="variant='int8-ov'")
    finally:
        if before is None:
            del os.environ["NNCF_CI"]
        else:
            os.environ["NNCF_CI"] = before
    nncf.set_log_level(logging.ERROR)
    return nncf
