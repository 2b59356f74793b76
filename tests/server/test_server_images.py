"""POST /v1/images/embeddings on a tiny random CLIP served for real, against Embedder.encode_images."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedrag import Embedder

CAPTIONS = ["a red square", "a blue circle"]


def _png(color: tuple[int, int, int], size: int = 40) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (size, size), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def clip_client(serve, tiny_clip_folder: Path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    import httpx

    with serve(models=(str(tiny_clip_folder), "tokenlearn-static-64")) as url, httpx.Client(base_url=url) as http:
        yield http


def test_images_get_the_vectors_of_encode_images(clip_client, tiny_clip_folder: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    red, green = _png((200, 20, 20)), _png((20, 200, 20), size=64)
    inputs = [base64.b64encode(red).decode(), "data:image/png;base64," + base64.b64encode(green).decode()]
    response = clip_client.post("/v1/images/embeddings", json={"input": inputs})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [d["index"] for d in body["data"]] == [0, 1] and body["usage"]["total_tokens"] == 0
    expected = Embedder(tiny_clip_folder).encode_images([Image.open(io.BytesIO(red)), Image.open(io.BytesIO(green))])
    np.testing.assert_allclose(np.array([d["embedding"] for d in body["data"]]), expected, atol=1e-5)


def test_image_and_caption_vectors_share_one_space(clip_client, tiny_clip_folder: Path) -> None:  # type: ignore[no-untyped-def]
    image = clip_client.post(
        "/v1/images/embeddings",
        json={"input": base64.b64encode(_png((0, 0, 255))).decode(), "encoding_format": "base64"},
    ).json()["data"][0]["embedding"]
    text = clip_client.post("/v1/embeddings", json={"input": CAPTIONS}).json()["data"]
    vector = np.frombuffer(base64.b64decode(image), dtype="<f4")
    assert vector.shape == (len(text[0]["embedding"]),)  # one space: the same size, comparable by cosine
    np.testing.assert_allclose(
        np.array([t["embedding"] for t in text]), Embedder(tiny_clip_folder).encode(CAPTIONS), atol=1e-5
    )
    models = {m["id"]: m for m in clip_client.get("/v1/models").json()["data"]}
    assert models[tiny_clip_folder.name]["images"] is True and models["tokenlearn-static-64"]["images"] is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"input": []}, "input is empty"),
        ({"input": "not base64!"}, "input 0 is not base64"),
        ({"input": "aGk\u00e9"}, "input 0 is not base64"),  # non-ASCII: a ValueError, not binascii's Error
        ({"input": "aGk\ud800"}, "input 0 is not base64"),
        ({"input": ["", base64.b64encode(b"plain text, not a picture").decode()]}, "input 0: not an image"),
        ({"input": [base64.b64encode(_png((1, 2, 3))[:60]).decode()]}, "input 0: unreadable image"),
        ({"input": "aGk=", "model": "tokenlearn-static-64"}, "embeds text only; serve a CLIP folder"),
    ],
)
def test_bad_images_are_a_400_naming_the_input(clip_client, body: dict[str, object], message: str) -> None:  # type: ignore[no-untyped-def]
    content = json.dumps(body)  # ASCII: a lone surrogate travels as its escape
    response = clip_client.post("/v1/images/embeddings", content=content, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
