"""Sixteen clients at once against a real uvicorn server: no errors, and every answer is the offline vector."""

from __future__ import annotations

import base64
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from embedrag import Embedder

CLIENTS = 16
SECONDS = 3.0
TOPICS = ["cats purr at night", "bread needs yeast", "stocks fell today", "rates rose again", "dogs bark"]


def _texts(client: int, request: int) -> list[str]:
    """1 to 4 texts, different for every client and request, so a mixed-up answer shows."""
    return [f"client {client} request {request}: {TOPICS[(client + request + i) % 5]}" for i in range(1 + request % 4)]


def _vectors(body: dict, encoding: str) -> np.ndarray:  # type: ignore[type-arg]
    rows = [d["embedding"] for d in sorted(body["data"], key=lambda d: d["index"])]
    if encoding == "base64":
        return np.array([np.frombuffer(base64.b64decode(r), dtype="<f4") for r in rows])
    return np.array(rows, dtype=np.float32)


def test_sixteen_clients_for_a_few_seconds_get_no_errors_and_the_offline_vectors(static_url: str) -> None:
    import httpx

    def client(number: int) -> list[tuple[list[str], np.ndarray]]:
        answers: list[tuple[list[str], np.ndarray]] = []
        deadline = time.monotonic() + SECONDS
        with httpx.Client(base_url=static_url, timeout=60) as http:
            while time.monotonic() < deadline or len(answers) < 5:
                texts = _texts(number, len(answers))
                encoding = ("float", "base64")[len(answers) % 2]
                response = http.post("/v1/embeddings", json={"input": texts, "encoding_format": encoding})
                assert response.status_code == 200, response.text
                answers.append((texts, _vectors(response.json(), encoding)))
        return answers

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS)))
    offline = Embedder("tokenlearn-static-64")
    for answers in results:
        texts = [t for batch, _ in answers for t in batch]
        np.testing.assert_allclose(np.concatenate([v for _, v in answers]), offline.encode(texts), atol=1e-6)
    assert sum(len(a) for a in results) >= CLIENTS * 5
