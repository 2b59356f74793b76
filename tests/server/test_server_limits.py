"""Bad input gets a clear 4xx in OpenAI's error shape, naming the field; nothing is lost."""

from __future__ import annotations

import numpy as np
import pytest

from embedrag import Embedder
from embedrag._linalg import unit_rows

KEY = "k-123"


@pytest.fixture(scope="module")
def guarded(serve):  # type: ignore[no-untyped-def]
    """A server with an API key, small limits and no collections; the client sends the key."""
    import httpx

    server = serve(models=("tokenlearn-static-64",), api_key=KEY, max_inputs=3, max_body_bytes=2000)
    with server as url, httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as http:
        yield http


@pytest.mark.parametrize(
    ("body", "status", "param", "words"),
    [
        ({"input": []}, 400, "input", "input is empty"),
        ({"input": ["ok", "  "]}, 400, "input", "input 1 is empty"),
        ({"input": ["ok", 3]}, 422, "input", "input"),
        ({"input": "ok", "encoding_format": "hex"}, 422, "encoding_format", "encoding_format"),
        ({"model": "tokenlearn-static-64"}, 422, "input", "Field required"),
        ({"input": [[5, 10**9]]}, 400, "input", "token id 1000000000"),
        ({"input": ["ok", "\u200b"]}, 400, "input", "input 1 has no tokens"),  # zero-width: nothing to read
        ({"input": "ok", "dimensions": 65}, 400, "dimensions", "more than"),
        ({"input": "ok", "dimensions": 0}, 422, "dimensions", "greater than or equal to 1"),
        ({"input": "ok", "model": "../../etc/passwd"}, 404, "model", "not served here"),
    ],
)
def test_bad_embedding_requests_are_4xx_naming_the_field(client, error_of, body, status, param, words) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/v1/embeddings", json=body)
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error["param"] == param
    assert words in error["message"]


def test_malformed_json_is_400(client, error_of) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/v1/embeddings", content=b'{"input": ', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("content", "headers", "status", "words"),
    [
        (b'{"input": "hi"}', {"content-type": "application/x-www-form-urlencoded"}, 422, "Content-Type"),  # curl -d
        (b'{"input": "hi"}', {"content-type": "text/plain"}, 422, "'text/plain'"),
        (b'["hi"]', JSON, 422, "a JSON object, not an array"),
        (b'"hi"', JSON, 422, "a JSON object, not a string"),
        (b"", JSON, 422, "the body is empty"),
        (b'{"input": "caf\xe9"}', JSON, 400, "not UTF-8 (byte 0xe9 at position 14)"),  # Latin-1
        (b'{"input": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", JSON, 400, "nested too deeply"),
    ],
)
def test_a_body_that_is_not_a_json_object_says_what_it_is(client, error_of, content, headers, status, words) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/v1/embeddings", content=content, headers=headers)
    assert response.status_code == status, response.text
    assert words in error_of(response)["message"], response.text


def test_too_many_inputs_and_too_large_bodies(guarded, error_of) -> None:  # type: ignore[no-untyped-def]
    many = guarded.post("/v1/embeddings", json={"input": ["a", "b", "c", "d"]})
    assert many.status_code == 400 and "the limit is 3" in error_of(many)["message"]
    big = guarded.post("/v1/embeddings", json={"input": "word " * 1000})
    assert big.status_code == 413 and error_of(big)["code"] == "body_too_large"
    streamed = guarded.post("/v1/embeddings", content=iter([b'{"input": "', b"x" * 3000, b'"}']))  # no length
    assert streamed.status_code == 413
    assert guarded.post("/v1/embeddings", json={"input": ["a", "b", "c"]}).status_code == 200


def test_dimensions_truncate_and_renormalise_static_models(client) -> None:  # type: ignore[no-untyped-def]
    texts = ["cats purr", "markets fell"]
    body = client.post("/v1/embeddings", json={"input": texts, "dimensions": 16}).json()
    got = np.array([d["embedding"] for d in body["data"]], dtype=np.float32)
    full = Embedder("tokenlearn-static-64").encode(texts)
    np.testing.assert_allclose(got, unit_rows(full[:, :16]), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-6)


def test_unknown_route_and_method_answer_in_the_error_shape(client, error_of) -> None:  # type: ignore[no-untyped-def]
    assert error_of(client.get("/v1/nothing"))["code"] == "not_found"
    assert client.get("/v1/embeddings").status_code == 405


def test_api_key_guards_every_route_but_health(guarded, error_of) -> None:  # type: ignore[no-untyped-def]
    import httpx

    url = str(guarded.base_url).rstrip("/")
    assert httpx.get(f"{url}/health").status_code == 200
    for path in ("/ready", "/metrics", "/v1/models", "/openapi.json"):
        missing = httpx.get(f"{url}{path}")
        assert missing.status_code == 401, path
        assert error_of(missing)["type"] == "authentication_error"
        assert guarded.get(path).status_code == 200, path
    wrong_key = {"Authorization": "Bearer k-12"}
    wrong = httpx.post(f"{url}/v1/embeddings", json={"input": "x"}, headers=wrong_key)
    assert wrong.status_code == 401


def test_openai_client_with_the_right_key(guarded) -> None:  # type: ignore[no-untyped-def]
    import openai

    url = str(guarded.base_url).rstrip("/") + "/v1"
    client = openai.OpenAI(base_url=url, api_key=KEY, max_retries=0)
    assert len(client.embeddings.create(model="static", input="hi").data[0].embedding) == 64
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=url, api_key="nope", max_retries=0).models.list()


def test_collection_routes_are_404_without_a_collections_directory(guarded, error_of) -> None:  # type: ignore[no-untyped-def]
    response = guarded.get("/v1/collections")
    assert response.status_code == 404 and error_of(response)["code"] == "collections_disabled"


@pytest.mark.parametrize("flag", [True, False])
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/embeddings", {"input": "hello"}, "dimensions"),
        ("/v1/rerank", {"query": "cats", "documents": ["cats purr"]}, "top_n"),
        ("/v1/collections/notes/search", {"query": "cats"}, "k"),
        ("/v1/collections/notes/ask", {"question": "cats?"}, "k"),
        ("/v1/collections/notes/ask", {"question": "cats?"}, "budget"),
        ("/v1/collections/notes/similar", {"doc_id": "cats"}, "k"),
        ("/v1/words/similar", {"word": "frog"}, "k"),
        ("/v1/words/analogy", {"expression": "king - man + woman"}, "k"),
        ("/v1/fill-mask", {"text": "The cat sat on the [MASK]."}, "top_k"),
        ("/v1/eval/jobs", {"folder": "beir"}, "max_queries"),
    ],
)
def test_a_boolean_is_not_read_as_a_count(client, error_of, path, body, field, flag) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(path, json={**body, field: flag})  # pydantic's lax mode read true as 1: one dimension
    assert answer.status_code == 422, answer.text
    error = error_of(answer)
    assert error["param"] == field and "integer" in error["message"], error
