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
from embedrag.distributed.sharded import ShardedCollection
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


NOTES = [
    Document("cats", "Cats purr and chase mice in the barn.", "cats"),
    Document("stocks", "Stock markets fell sharply today.", "stocks"),
    Document("rain", "Rain fell on the valley all week.", "rain"),
    Document("mice", "Field mice store seeds for the winter.", "mice"),
]


@pytest.fixture(scope="module")
def settings(ray_cluster: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> ServerSettings:
    """A collections folder with ``notes`` and ``notes-sharded``, the same documents in 2 shards."""
    root = tmp_path_factory.mktemp("served")
    with Collection.open(root / "notes", model=STATIC) as col:
        col.add(NOTES)
    with ShardedCollection.open(root / "notes-sharded", shards=2, model=STATIC, cpus_per_shard=0.1) as sharded:
        sharded.add(NOTES)
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


def test_a_sharded_collection_is_served_by_shard_searchers_as_one_collection(ray_url: str) -> None:
    listed = {c["name"]: c for c in httpx.get(f"{ray_url}/v1/collections", timeout=30).json()["data"]}
    assert listed["notes-sharded"]["chunks"] == listed["notes"]["chunks"] == len(NOTES)
    for body in ({"query": "cats hunting mice", "k": 3}, {"query": "fell", "k": 2, "mode": "bm25"}):
        one = httpx.post(f"{ray_url}/v1/collections/notes/search", json=body, timeout=30).json()["data"]
        for _ in range(3):  # whichever replica answers: each holds its own shard searchers
            got = httpx.post(f"{ray_url}/v1/collections/notes-sharded/search", json=body, timeout=30)
            assert got.status_code == 200
            hits = got.json()["data"]
            assert [h["id"] for h in hits] == [h["id"] for h in one]
            assert [h["score"] for h in hits] == pytest.approx([h["score"] for h in one], abs=1e-5)
    # Written through one replica's shard actors, read by every replica's (each catches up from SQLite).
    added = httpx.post(
        f"{ray_url}/v1/collections/notes-sharded/documents",
        json={"documents": [{"id": "owls", "text": "Owls hunt voles at night."}]},
        timeout=60,
    )
    assert added.status_code == 200 and added.json()["added"] == 1
    for _ in range(3):
        hits = httpx.post(
            f"{ray_url}/v1/collections/notes-sharded/search", json={"query": "owls voles", "k": 1}, timeout=30
        ).json()["data"]
        assert [h["id"] for h in hits] == ["owls#0"]
    gone = httpx.delete(f"{ray_url}/v1/collections/notes-sharded/documents/owls", timeout=30)
    assert gone.status_code == 200
    similar = httpx.post(f"{ray_url}/v1/collections/notes-sharded/similar", json={"doc_id": "cats"}, timeout=30)
    assert similar.status_code == 400
    assert "not available on a sharded collection" in similar.json()["error"]["message"]
