"""embedrag serve --ray: replicas on a real local Ray cluster answer as the single-machine server does."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from types import ModuleType

import httpx
import pytest
from fastapi.testclient import TestClient

from embedrag.collection import Collection
from embedrag.server import ServerSettings, create_app
from embedrag.server.ray_serve import deploy, stop
from embedrag.types import Document

STATIC = "tokenlearn-static-64"
REQUESTS = [
    ("/v1/collections/notes/search", {"query": "cats hunting mice", "k": 3}),
    ("/v1/collections/notes/search", {"query": "markets", "k": 2, "mode": "bm25"}),
    ("/v1/embeddings", {"model": STATIC, "input": ["a cat", "stock markets"]}),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> ServerSettings:
    root = tmp_path_factory.mktemp("served")
    with Collection.open(root / "notes", model=STATIC) as col:
        col.add(
            [
                Document("cats", "Cats purr and chase mice in the barn.", "cats"),
                Document("stocks", "Stock markets fell sharply today.", "stocks"),
                Document("rain", "Rain fell on the valley all week.", "rain"),
            ]
        )
    return ServerSettings(host="127.0.0.1", port=_free_port(), models=(STATIC,), collections=root)


@pytest.fixture(scope="module")
def ray_url(ray_cluster: ModuleType, settings: ServerSettings) -> Iterator[str]:
    deploy(settings, replicas=2, cpus_per_replica=0.25)
    url = f"http://127.0.0.1:{settings.port}"
    try:
        _wait_ready(url)
        yield url
    finally:
        stop()


def _wait_ready(url: str, timeout: float = 120) -> None:
    """Until several answers in a row say ready: requests are spread over replicas loading on their own."""
    deadline, streak = time.monotonic() + timeout, 0
    while streak < 6:
        assert time.monotonic() < deadline, "the Ray Serve replicas did not become ready"
        try:
            ok = httpx.get(f"{url}/ready", timeout=5).status_code == 200
        except httpx.TransportError:
            ok = False
        streak = streak + 1 if ok else 0
        time.sleep(0.05 if ok else 0.5)


def test_replicas_answer_as_the_single_machine_server(ray_url: str, settings: ServerSettings) -> None:
    with TestClient(create_app(settings)) as local:
        for path, body in REQUESTS:
            expected = local.post(path, json=body)
            for _ in range(3):  # whichever replica answers
                got = httpx.post(f"{ray_url}{path}", json=body, timeout=30)
                assert got.status_code == expected.status_code == 200
                assert got.json() == expected.json()


def test_errors_keep_their_status_and_json_body(ray_url: str) -> None:
    got = httpx.post(f"{ray_url}/v1/collections/missing/search", json={"query": "x"}, timeout=30)
    assert got.status_code == 404
    assert got.json()["error"]["code"]
