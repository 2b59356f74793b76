"""Servers for the HTTP tests: real uvicorn on a free localhost port, or the app in-process.

The static model (64 dims, no token limit) makes most tests fast; MiniLM is served once per
session for the tests that need a transformer (token limits, late rerank, the openai client).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

STATIC = "tokenlearn-static-64"
MINILM = "all-MiniLM-L6-v2"


def _doc(doc_id: str, text: str, **metadata: Any) -> dict[str, Any]:
    return {"id": doc_id, "text": text, "metadata": metadata}


DOCUMENTS = [
    _doc("cats", "Cats purr, sleep most of the day and hunt mice at night.", topic="animals"),
    _doc("dogs", "Dogs bark at strangers and love long walks in the park.", topic="animals"),
    _doc("stocks", "Stock markets fell sharply today as investors sold bank shares.", topic="money", year=2004),
    _doc("rates", "The central bank raised interest rates to slow inflation.", topic="money", year=2010),
    _doc("bread", "Bake bread with flour, water, salt and yeast for forty minutes.", topic="food"),
]


@pytest.fixture(scope="session")
def serve() -> Callable[..., AbstractContextManager[str]]:
    """``with serve(models=(...), ...) as url:`` runs a real server on a free port until the block ends."""
    from embedrag.server import ServerSettings, serve_in_thread

    def run(**options: Any) -> AbstractContextManager[str]:
        return serve_in_thread(ServerSettings(port=0, **options))

    return run


@pytest.fixture(scope="session")
def static_url(serve, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve(models=(STATIC,), collections=tmp_path_factory.mktemp("collections")) as url:
        yield url


@pytest.fixture(scope="session")
def minilm_url(serve, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve(models=(MINILM,), collections=tmp_path_factory.mktemp("collections-minilm")) as url:
        yield url


@pytest.fixture
def client(static_url: str) -> Iterator[Any]:
    import httpx

    with httpx.Client(base_url=static_url, timeout=60) as http:
        yield http


@pytest.fixture
def minilm_client(minilm_url: str) -> Iterator[Any]:
    import httpx

    with httpx.Client(base_url=minilm_url, timeout=60) as http:
        yield http


def _error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"message", "type", "param", "code"}, body
    error: dict[str, Any] = body["error"]
    return error


@pytest.fixture(scope="session")
def error_of() -> Callable[[Any], dict[str, Any]]:
    """``error_of(response)``: the OpenAI-shaped error body, checked for its four keys."""
    return _error_of


@pytest.fixture(scope="session")
def documents() -> list[dict[str, Any]]:
    """Five short documents with metadata: cats, dogs, stocks (2004), rates (2010), bread."""
    return DOCUMENTS


@pytest.fixture
def new_collection(client) -> Callable[[str], str]:  # type: ignore[no-untyped-def]
    """Create a collection holding :data:`DOCUMENTS` on the static server; returns its name."""

    def make(name: str) -> str:
        assert client.post("/v1/collections", json={"name": name}).status_code == 201
        response = client.post(f"/v1/collections/{name}/documents", json={"documents": DOCUMENTS})
        assert response.status_code == 200, response.text
        return name

    return make


@pytest.fixture
def unique_name(tmp_path: Path) -> str:
    """A collection name unique to this test (the servers are shared by the session)."""
    return "c-" + tmp_path.name.replace("_", "-")[-60:]
