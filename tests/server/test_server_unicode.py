"""Text that is not valid Unicode (a lone surrogate, which no UTF-8 can encode) is a 4xx naming it, on every route.

JSON may spell a lone surrogate as ``"\\ud800"``; the bodies are sent as ASCII JSON, as a client would.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

LONE = "ab\ud800cd"


def _post(client: Any, url: str, body: dict[str, Any], method: str = "POST") -> Any:
    content = json.dumps(body)  # ensure_ascii: the surrogate travels as the escape \ud800
    return client.request(method, url, content=content, headers={"content-type": "application/json"})


@pytest.mark.parametrize(
    "body",
    [{"input": LONE}, {"input": ["fine", LONE]}],
    ids=["one text", "second of two"],
)
def test_embeddings_with_a_lone_surrogate_are_a_400_naming_the_input(client, error_of, body) -> None:  # type: ignore[no-untyped-def]
    response = _post(client, "/v1/embeddings", body)
    assert response.status_code == 400, response.text
    error = error_of(response)
    index = len(body["input"]) - 1 if isinstance(body["input"], list) else 0
    assert error["param"] == "input" and error["code"] == "invalid_input"
    assert f"{index} " in error["message"] and "position 2" in error["message"], error["message"]
    assert "U+D800" in error["message"]


def test_tokenize_with_a_lone_surrogate_is_a_400(client, error_of) -> None:  # type: ignore[no-untyped-def]
    for model in (None, "cl100k_base"):
        response = _post(client, "/tokenize", {"text": LONE, "model": model})
        assert response.status_code == 400, response.text
        assert "position 2" in error_of(response)["message"]


def test_rerank_with_a_lone_surrogate_is_a_400(minilm_client, error_of) -> None:  # type: ignore[no-untyped-def]
    for body in ({"query": LONE, "documents": ["cats"]}, {"query": "cats", "documents": ["dogs", LONE]}):
        response = _post(minilm_client, "/v1/rerank", {"model": "late", **body})
        assert response.status_code == 400, response.text
        assert "U+D800" in error_of(response)["message"]


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_search_and_ask_with_a_lone_surrogate_are_a_400(client, new_collection, unique_name, error_of, mode) -> None:  # type: ignore[no-untyped-def]
    name = new_collection(unique_name)
    search = _post(client, f"/v1/collections/{name}/search", {"query": LONE, "mode": mode})
    assert search.status_code == 400, search.text
    assert "U+D800" in error_of(search)["message"]
    ask = _post(client, f"/v1/collections/{name}/ask", {"question": LONE, "mode": mode})
    assert ask.status_code == 400, ask.text


@pytest.mark.parametrize(
    "document",
    [
        {"id": "d", "text": LONE},
        {"id": LONE, "text": "fine text"},
        {"id": "d", "text": "fine text", "source": LONE},
        {"id": "d", "text": "fine text", "metadata": {"tag": LONE}},
        {"id": "d", "text": "fine text", "metadata": {LONE: "x"}},
        {"id": "d", "text": "fine text", "metadata": {"tags": ["ok", {"deep": LONE}]}},
    ],
    ids=["text", "id", "source", "metadata value", "metadata key", "nested metadata"],
)
def test_documents_with_a_lone_surrogate_are_a_400_and_store_nothing(  # type: ignore[no-untyped-def]
    client, unique_name, error_of, document
) -> None:
    assert client.post("/v1/collections", json={"name": unique_name}).status_code == 201
    url = f"/v1/collections/{unique_name}/documents"
    assert client.post(url, json={"documents": [{"id": "good", "text": "a good one"}]}).status_code == 200
    response = _post(client, url, {"documents": [{"id": "other", "text": "another good one"}, document]})
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["param"] == "documents" and "documents[1]" in error["message"], error["message"]
    assert client.get(f"/v1/collections/{unique_name}").json()["documents"] == 1
    if document["id"] == "d":  # the same fields through PUT
        put = _post(client, f"{url}/good", {k: v for k, v in document.items() if k != "id"}, "PUT")
        assert put.status_code == 400, put.text


def test_an_unknown_name_with_a_lone_surrogate_is_quoted_escaped_not_a_500(client, error_of) -> None:  # type: ignore[no-untyped-def]
    response = _post(client, "/v1/embeddings", {"input": "hello", "model": LONE})
    assert response.status_code == 404, response.text
    assert "\\ud800" in error_of(response)["message"]
