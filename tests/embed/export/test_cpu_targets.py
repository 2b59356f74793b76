"""The int8 build is chosen by the CPU's flags, and the cached graph says which CPU it was built for."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest

from embedrag.embed.export import cpu, onnx_for
from embedrag.embed.export.build import int8_key
from embedrag.embed.export.cpu import TARGETS, choose_target, cpu_flags, installed_engines, int8_target, parse_flags
from embedrag.embed.export.openvino_int8 import OV_RECIPES
from embedrag.embed.export.quantize import RECIPES
from embedrag.errors import ConfigError

# /proc/cpuinfo flag sets of the CPU kinds we have met, and the target each must get.
# Without the openvino extra every CPU gets the u8 build; storage.py stores it for the CPU's kernel.
CHOICES = [
    ({"avx", "avx2", "fma"}, "u8"),  # AMD EPYC, AVX2 only (int8-avx2, generic: pinned only)
    ({"avx2", "fma", "avx512f", "avx512bw", "avx512_vnni"}, "u8"),  # AMD EPYC (Zen 4), AVX-512 VNNI: as s8
    ({"avx2", "fma", "avx512f", "avx512_vnni", "amx_int8"}, "u8"),  # Intel Xeon with AMX: as s8
    ({"avx2", "fma", "avx_vnni"}, "u8"),  # Intel client cores: VNNI without AVX-512: as s8
    ({"avx2", "avx512f"}, "u8"),  # AVX-512 without VNNI: u8 x s8 has no fast dot product
    (set(), "u8"),  # flags unreadable (macOS, Windows) or an old x86
]
VNNI_CPUS = [flags for flags, _ in CHOICES if {"avx512_vnni", "avx_vnni", "amx_int8"} & flags]


OPENVINO = {"openvino", "nncf"}


@pytest.mark.parametrize(("flags", "expected"), CHOICES)
def test_choice_table(flags: set[str], expected: str) -> None:
    assert choose_target(flags).name == expected


@pytest.mark.parametrize(("flags", "expected"), CHOICES)
def test_with_the_openvino_extra_vnni_and_amx_cpus_get_openvino_int8(flags: set[str], expected: str) -> None:
    # The extra changes the choice only where VNNI/AMX make int8 pay; on AVX2 ONNX Runtime's u8 stays.
    assert choose_target(flags, OPENVINO).name == ("ov" if flags in VNNI_CPUS else expected)
    assert choose_target(flags, {"openvino"}).name == expected  # NNCF missing: no static int8


def test_each_target_names_its_build_for_the_spec() -> None:
    assert {t.name: t.variant for t in TARGETS} == {
        "ov": "int8-ov", "vnni": "int8-vnni", "avx2": "int8-avx2", "u8": "int8-u8", "generic": "int8",
    }  # fmt: skip


def test_vnni_gets_signed_weights_avx2_7_bit_ones_and_u8_unsigned_ones_with_outliers_moved() -> None:
    recipe = {t.name: RECIPES[t.recipe] for t in TARGETS if t.engine == "onnxruntime"}
    assert (recipe["vnni"].weight_type, recipe["vnni"].reduce_range) == ("s8", False)
    assert (recipe["avx2"].weight_type, recipe["avx2"].reduce_range) == ("s8", True)
    assert recipe["u8"].weight_type == recipe["generic"].weight_type == "u8"
    assert recipe["u8"].calibrated and not recipe["generic"].calibrated


def test_the_vnni_avx2_and_generic_builds_are_kept_for_specs_that_name_them_but_no_cpu_gets_them_unasked() -> None:
    """``int8-avx2`` and ``int8-vnni`` fell under the fidelity budget on held-out passages (computed
    exactly: storage.py); ``generic`` is slower than ``u8`` and less close to fp32; collections that
    name them keep them."""
    why = {t.name: t.why for t in TARGETS}
    assert "0.9869" in why["avx2"] and "0.9899" in why["vnni"]
    assert all(choose_target(flags, OPENVINO).name not in ("vnni", "avx2", "generic") for flags, _ in CHOICES)
    assert [t.name for t in TARGETS if not t.automatic] == ["vnni", "avx2", "generic"]


def test_every_target_has_a_recipe_and_a_reason() -> None:
    assert all(t.recipe in (OV_RECIPES if t.engine == "openvino" else RECIPES) and t.why for t in TARGETS)


def test_flags_are_read_from_the_flags_line_only() -> None:
    text = "model name : AMD EPYC avx512_vnni\nflags\t\t: fpu avx2 fma sse4_2\nbugs : avx512_vnni\n"
    assert parse_flags(text) == {"avx2", "fma"}


def test_this_machine_gets_a_target() -> None:
    assert int8_target() == choose_target(cpu_flags(), installed_engines())


def test_cache_key_differs_per_target() -> None:
    keys = {int8_key(t) for t in TARGETS}
    assert len(keys) == len(TARGETS)
    assert int8_key(None) == ""


def test_graphs_for_different_targets_are_cached_apart(tiny_bert: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpu, "cpu_flags", lambda: frozenset({"avx2", "avx512_vnni"}))  # else stored as u8
    vnni = onnx_for(tiny_bert, variant="int8", target="vnni")
    generic = onnx_for(tiny_bert, variant="int8", target="generic")
    assert vnni != generic and vnni.parent != generic.parent
    weights = lambda path: {  # noqa: E731
        t.data_type for t in onnx.load(str(path)).graph.initializer if t.name.endswith("_quantized")
    }
    assert onnx.TensorProto.INT8 in weights(vnni)
    assert weights(generic) == {onnx.TensorProto.INT8}  # a u8 build too, stored as s8 (test_weight_storage.py)


def test_unknown_target_is_refused(tiny_bert: Path) -> None:
    with pytest.raises(ConfigError, match="target must be one of"):
        onnx_for(tiny_bert, variant="int8", target="avx9000")
