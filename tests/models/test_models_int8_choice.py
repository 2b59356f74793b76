"""``embedrag models`` says which int8 build this CPU gets, and why."""

from __future__ import annotations

import json

from embedrag.embed.export.build import stored_weights
from embedrag.embed.export.cpu import cpu_flags, has_bf16, installed_engines, int8_target


def test_models_json_names_the_int8_target_and_why(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("models", "--json")
    assert result.code == 0
    int8 = json.loads(result.out)["int8"]
    target = int8_target()
    assert int8 == {
        "target": target.name,
        "variant": target.variant,
        "engine": target.engine,
        "recipe": target.recipe,
        "weights": stored_weights(target),
        "why": target.why,
        "cpu_flags": sorted(cpu_flags()),
        "installed": sorted(installed_engines()),
    }


def test_models_table_names_the_int8_target(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("models")
    assert result.code == 0
    assert f"int8 variant on this CPU: {int8_target().name}" in result.out
    assert ("weights stored as" in result.out) is (int8_target().engine == "onnxruntime")


def test_models_json_says_whether_bf16_is_native(cli) -> None:  # type: ignore[no-untyped-def]
    bf16 = json.loads(cli("models", "--json").out)["bf16"]
    assert bf16["native"] is has_bf16(cpu_flags())
    assert ("computes in bf16" in bf16["why"]) is bf16["native"]
