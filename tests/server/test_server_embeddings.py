"""POST /v1/embeddings through the real openai client, over a real socket, against Embedder.encode."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from embedrag import Embedder

TEXTS = ["A man is eating food.", "A cat sits on the mat.", "Stock markets fell sharply today."]
LONG = "The committee met again on Tuesday to discuss the budget. " * 60  # ~660 word pieces


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return Embedder("all-MiniLM-L6-v2")


@pytest.fixture
def openai_client(minilm_url: str):  # type: ignore[no-untyped-def]
    from openai import OpenAI

    return OpenAI(base_url=f"{minilm_url}/v1", api_key="unused", max_retries=0)


def test_openai_client_gets_the_vectors_of_embedder_encode(openai_client, minilm: Embedder) -> None:  # type: ignore[no-untyped-def]
    response = openai_client.embeddings.create(model="all-MiniLM-L6-v2", input=TEXTS, encoding_format="float")
    vectors = np.array([d.embedding for d in response.data], dtype=np.float32)
    np.testing.assert_allclose(vectors, minilm.encode(TEXTS), atol=2e-5)
    assert [d.index for d in response.data] == [0, 1, 2]
    assert response.model == "all-MiniLM-L6-v2"
    assert response.usage.prompt_tokens == int(minilm.embed(TEXTS).tokens.sum())


def test_openai_default_base64_decodes_to_the_same_vectors(openai_client, minilm: Embedder) -> None:  # type: ignore[no-untyped-def]
    response = openai_client.embeddings.create(model="minilm", input=TEXTS[0])  # the client asks for base64
    assert len(response.data) == 1
    np.testing.assert_allclose(np.array(response.data[0].embedding), minilm.encode(TEXTS[0])[0], atol=2e-5)


def test_token_ids_from_tokenize_embed_like_the_text(openai_client, minilm_client, minilm: Embedder) -> None:  # type: ignore[no-untyped-def]
    ids = [minilm_client.post("/tokenize", json={"text": t}).json()["tokens"] for t in TEXTS]
    assert ids[0][0] == 101 and ids[0][-1] == 102  # [CLS] ... [SEP], as the model sees them
    own = {"input_tokenizer": "model"}  # integer inputs are cl100k ids unless asked otherwise
    response = openai_client.embeddings.create(
        model="all-MiniLM-L6-v2", input=ids, encoding_format="float", extra_body=own
    )
    np.testing.assert_allclose(np.array([d.embedding for d in response.data]), minilm.encode(TEXTS), atol=2e-5)
    single = openai_client.embeddings.create(
        model="all-MiniLM-L6-v2", input=ids[1], encoding_format="float", extra_body=own
    )
    np.testing.assert_allclose(np.array(single.data[0].embedding), minilm.encode(TEXTS[1])[0], atol=2e-5)


def test_unknown_model_is_a_404_the_client_understands(openai_client) -> None:  # type: ignore[no-untyped-def]
    import openai

    with pytest.raises(openai.NotFoundError) as caught:
        openai_client.embeddings.create(model="text-embedding-3-small", input="hello")
    assert caught.value.body["code"] == "model_not_found"  # type: ignore[index]
    assert "all-MiniLM-L6-v2" in caught.value.body["message"]  # type: ignore[index]


def test_dimensions_below_minilm_size_is_refused(openai_client) -> None:  # type: ignore[no-untyped-def]
    import openai

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.embeddings.create(model="all-MiniLM-L6-v2", input="hello", dimensions=128)
    assert caught.value.body["param"] == "dimensions"  # type: ignore[index]
    full = openai_client.embeddings.create(model="all-MiniLM-L6-v2", input="hello", dimensions=384)
    assert len(full.data[0].embedding) == 384


def test_truncation_is_reported_in_body_and_header(minilm_client) -> None:  # type: ignore[no-untyped-def]
    response = minilm_client.post("/v1/embeddings", json={"input": ["short", LONG]})
    assert response.status_code == 200
    assert response.json()["truncated"] == [1]
    assert response.headers["x-embedrag-truncated"] == "1"
    assert response.json()["usage"]["prompt_tokens"] > 256  # counted before the cut


def test_long_inputs_error_policy_names_the_inputs(serve, error_of) -> None:  # type: ignore[no-untyped-def]
    import httpx

    with serve(models=("all-MiniLM-L6-v2",), long_inputs="error") as url:
        response = httpx.post(f"{url}/v1/embeddings", json={"input": ["short", LONG]}, timeout=60)
    assert response.status_code == 400
    assert "indices [1]" in error_of(response)["message"]


def test_concurrent_requests_each_get_their_own_vectors(minilm_url: str, minilm: Embedder) -> None:
    import httpx

    texts = [f"Request number {i} asks about {topic}." for i, topic in enumerate(["cats", "bread", "stocks"] * 8)]

    def one(text: str) -> list[float]:
        response = httpx.post(f"{minilm_url}/v1/embeddings", json={"input": text}, timeout=60)
        assert response.status_code == 200
        embedding: list[float] = response.json()["data"][0]["embedding"]
        return embedding

    with ThreadPoolExecutor(12) as pool:
        vectors = np.array(list(pool.map(one, texts)), dtype=np.float32)
    np.testing.assert_allclose(vectors, minilm.encode(texts), atol=2e-5)
