from __future__ import annotations

from importlib.resources import files

import numpy as np
import pytest

from embedrag.embed import Embedder
from embedrag.errors import ConfigError


@pytest.fixture(scope="module")
def static() -> Embedder:
    return Embedder("tokenlearn-static-64")


def test_static_model_matches_model2vec(static: Embedder, real_sentences: list[str]) -> None:
    from model2vec import StaticModel

    reference = StaticModel.from_pretrained(str(files("static_model") / "model")).encode(real_sentences[:100])
    ours = static.encode(real_sentences[:100])
    assert ours.shape == (100, 64)
    assert float(np.min(np.sum(ours * reference, axis=1))) >= 0.9999


def test_static_model_has_no_length_limit(static: Embedder) -> None:
    assert static.max_tokens is None
    assert static.embed(["word " * 5000]).truncated == ()


def test_static_model_has_no_int8_variant() -> None:
    with pytest.raises(ConfigError, match="no int8 variant"):
        Embedder("tokenlearn-static-64", variant="int8")
