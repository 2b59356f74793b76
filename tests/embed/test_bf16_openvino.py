"""variant="bf16": the fp32 graph computed by OpenVINO, in bf16 where the CPU has bf16 instructions."""

from __future__ import annotations

import pytest

from embedrag.embed import Embedder
from embedrag.embed.export.cpu import cpu_flags, has_bf16
from embedrag.errors import ConfigError


@pytest.fixture(scope="module")
def bf16() -> Embedder:
    return Embedder("all-MiniLM-L6-v2", variant="bf16", threads=2)


def test_bf16_stays_close_to_fp32_on_real_text(bf16: Embedder, embedder: Embedder, real_sentences: list[str]) -> None:
    texts = real_sentences[::3]
    cosine = (bf16.encode(texts) * embedder.encode(texts)).sum(1)
    assert cosine.min() >= 0.999


def test_bf16_says_what_ran(bf16: Embedder) -> None:
    assert bf16.spec.variant == "bf16"
    precision = bf16._backend.session.precision  # type: ignore[attr-defined]
    assert precision == ("bf16" if has_bf16(cpu_flags()) else "f32")


def test_unknown_variant_names_each_known_one() -> None:
    known = "fp32, int8, int8-u8, int8-avx2, int8-vnni, int8-ov, int8-generic, bf16"
    with pytest.raises(ConfigError, match=f"one of {known}, got 'fp8'"):
        Embedder("all-MiniLM-L6-v2", variant="fp8")  # type: ignore[arg-type]
