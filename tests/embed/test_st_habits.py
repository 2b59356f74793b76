"""Code written for sentence-transformers runs on ``Embedder.encode`` unchanged, with the same results.

Each option is checked against sentence-transformers itself: its ``quantize_embeddings`` on the
same float vectors, its ``encode`` on the same shipped model (ONNX Runtime and torch agree to ~1e-6).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest

from embedrag.embed import Embedder
from embedrag.errors import ConfigError, InputError, MissingDependencyError

TEXTS = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
]


@pytest.fixture(scope="module")
def st_model(minilm_dir: str) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(minilm_dir, device="cpu", prompts={"query": "query: "})


@pytest.fixture(scope="module")
def prompted(minilm_dir: str) -> Embedder:
    return Embedder(minilm_dir, prompts={"query": "query: "})


@pytest.mark.parametrize("precision", ["float32", "int8", "uint8", "binary", "ubinary"])
def test_precision_is_sentence_transformers_quantize_of_the_same_floats(
    embedder: Embedder, real_sentences: list[str], precision: str
) -> None:
    from sentence_transformers.util import quantize_embeddings

    floats = embedder.encode(real_sentences[:40])
    ours = embedder.encode(real_sentences[:40], precision=precision)  # type: ignore[arg-type]
    theirs = quantize_embeddings(floats, precision=precision)  # type: ignore[arg-type]
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert np.array_equal(ours, theirs)


def test_int8_of_a_single_text_is_refused_as_sentence_transformers_refuses_it(embedder: Embedder) -> None:
    with pytest.raises(InputError, match="range of each dimension"):
        embedder.encode("one text", precision="int8")
    assert embedder.encode([], precision="int8").shape == (0, 384)


def test_prompt_truncate_dim_and_normalize_embeddings_match_sentence_transformers(
    prompted: Embedder, st_model: Any
) -> None:
    options: dict[str, Any] = {"prompt_name": "query", "truncate_dim": 128, "batch_size": 4}
    ours = prompted.encode(TEXTS, normalize_embeddings=True, **options)
    theirs = st_model.encode(TEXTS, normalize_embeddings=True, **options)
    assert ours.shape == theirs.shape == (len(TEXTS), 128)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.allclose(ours, theirs, atol=1e-4)
    # Without normalize_embeddings the model's own unit vectors are cut and stay cut (norm < 1), as there.
    cut, st_cut = prompted.encode(TEXTS, truncate_dim=64), st_model.encode(TEXTS, truncate_dim=64)
    assert np.allclose(cut, st_cut, atol=1e-4) and (np.linalg.norm(cut, axis=1) < 0.99).all()


def test_a_prompt_is_the_text_put_before_each_input(prompted: Embedder, st_model: Any) -> None:
    by_name = prompted.encode(TEXTS[:2], prompt_name="query")
    assert np.array_equal(by_name, prompted.encode(["query: " + t for t in TEXTS[:2]]))
    assert np.array_equal(prompted.encode(TEXTS[:2], prompt="query: "), by_name)
    assert np.array_equal(prompted.encode_query(TEXTS[:2]), by_name)
    assert np.allclose(by_name, st_model.encode_query(TEXTS[:2]), atol=1e-4)
    assert np.array_equal(prompted.encode_document(TEXTS[:2]), prompted.encode(TEXTS[:2]))  # no document prompt


def test_an_unknown_prompt_name_or_two_prompts_at_once_are_refused(prompted: Embedder) -> None:
    with pytest.raises(ConfigError, match=r"unknown prompt 'passage'; this model has \['query'\]"):
        prompted.encode(TEXTS, prompt_name="passage")
    with pytest.raises(ConfigError, match="not both"):
        prompted.encode(TEXTS, prompt_name="query", prompt="query: ")


def test_tensors_come_out_when_asked_and_equal_the_array(embedder: Embedder) -> None:
    import torch

    array = embedder.encode(TEXTS[:3])
    tensor = embedder.encode(TEXTS[:3], convert_to_tensor=True)
    rows = embedder.encode(TEXTS[:3], convert_to_numpy=False)
    assert isinstance(tensor, torch.Tensor) and np.array_equal(tensor.numpy(), array)
    assert len(rows) == 3 and all(isinstance(r, torch.Tensor) for r in rows)
    assert np.array_equal(rows[2].numpy(), array[2])


def test_tensors_without_torch_are_a_one_line_hint(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependencyError, match=r"convert_to_tensor .* pip install 'embedrag-toolkit\[hf\]'"):
        embedder.encode(TEXTS[:1], convert_to_tensor=True)


def test_batch_size_progress_bar_and_the_old_keywords_give_the_same_vectors(
    embedder: Embedder, capsys: pytest.CaptureFixture[str]
) -> None:
    done: list[int] = []
    plain = embedder.encode(TEXTS)
    shown = embedder.encode(TEXTS, batch_size=2, show_progress_bar=True, progress=done.append)
    assert np.allclose(plain, shown, atol=1e-6)
    assert done == [2, 2, 2]  # batch_size texts at a time
    assert "Encoding" in capsys.readouterr().err
    assert np.array_equal(embedder.encode(TEXTS, normalize=True), embedder.encode(TEXTS, normalize_embeddings=True))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"device": "cuda"}, "CPU"),
        ({"batch_size": 0}, "batch_size must be positive"),
        ({"truncate_dim": 385}, "truncate_dim must be between 1 and 384"),
        ({"precision": "float16"}, "precision must be one of"),
    ],
)
def test_options_out_of_range_are_clear_errors(embedder: Embedder, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        embedder.encode(TEXTS[:2], **options)
