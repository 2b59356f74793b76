"""``embedrag embed --image`` and ``embedrag images search`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from embedrag import Embedder


@pytest.fixture(scope="module")
def clip(tiny_clip_folder: Path) -> Embedder:
    return Embedder(tiny_clip_folder)


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    root = tmp_path / "photos"
    (root / "sub").mkdir(parents=True)
    Image.new("RGB", (40, 40), (230, 20, 20)).save(root / "red.png")
    Image.new("RGB", (50, 40), (10, 20, 240)).save(root / "sub" / "blue.jpg")
    ramp = np.tile(np.linspace(0, 255, 40).astype(np.uint8), (40, 1))
    Image.fromarray(ramp).save(root / "ramp.png")
    (root / "readme.md").write_text("# photos")
    (root / "bad.png").write_text("not a png")
    return root


def test_embed_images_and_texts_in_one_call_as_json(
    cli: Any, tiny_clip_folder: Path, photos: Path, clip: Embedder
) -> None:
    red, blue = photos / "red.png", photos / "sub" / "blue.jpg"
    done = cli(
        "embed", "a red square", "--image", str(red), "--image", str(blue), "-m", str(tiny_clip_folder), "--json"
    )
    assert done.code == 0, done.err
    payload = json.loads(done.out)
    assert payload["dims"] == 16
    rows = payload["embeddings"]
    assert [r.get("text") or r["image"] for r in rows] == ["a red square", str(red), str(blue)]
    assert rows[0]["tokens"] == 5 and "tokens" not in rows[1]
    np.testing.assert_allclose(rows[0]["embedding"], clip.encode("a red square")[0], atol=1e-6)
    np.testing.assert_allclose([r["embedding"] for r in rows[1:]], clip.encode_images([red, blue]), atol=1e-6)


def test_embed_images_readable_view_and_npy(cli: Any, tiny_clip_folder: Path, photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "v.npy"
    args = ["--image", str(photos / "red.png"), "--image", str(photos / "ramp.png")]
    done = cli("embed", "a dog", *args, "-m", str(tiny_clip_folder), "-o", str(out))
    assert done.code == 0, done.err
    assert "16 dims" in done.out and "cosine similarity" in done.out
    assert done.out.count("image: ") == 2 and "ramp.png" in done.out  # image rows, labelled by (the end of) path
    vectors = np.load(out)
    assert vectors.shape == (3, 16) and vectors.dtype == np.float32
    assert float(vectors[1] @ vectors[2]) == pytest.approx(float(vectors[2] @ vectors[1]))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_embed_unreadable_image_is_one_line_naming_it(cli: Any, tiny_clip_folder: Path, photos: Path) -> None:
    done = cli("embed", "--image", str(photos / "bad.png"), "-m", str(tiny_clip_folder))
    assert done.code == 1
    assert f"error: {photos / 'bad.png'}: not an image Pillow can read" in " ".join(done.err.split())


def test_embed_image_with_a_text_model_says_it_is_not_clip(cli: Any, photos: Path) -> None:
    done = cli("embed", "--image", str(photos / "red.png"), "-m", "tokenlearn-static-64")
    assert done.code == 1
    assert "is not a CLIP model" in done.err


def test_embed_refuses_an_image_path_given_as_text(cli: Any, tiny_clip_folder: Path, photos: Path) -> None:
    # what `--image *.png` expands to: only the first file follows --image
    done = cli("embed", "--image", str(photos / "red.png"), str(photos / "ramp.png"), "-m", str(tiny_clip_folder))
    assert done.code == 1
    assert "is an image file given as a text: write --image before each image path" in " ".join(done.err.split())


def test_images_search_json_ranks_like_the_library(
    cli: Any, tiny_clip_folder: Path, photos: Path, clip: Embedder
) -> None:
    done = cli("images", "search", str(photos), "a blue sky", "-m", str(tiny_clip_folder), "-k", "2", "--json")
    assert done.code == 0, done.err
    payload = json.loads(done.out)
    paths = [photos / "ramp.png", photos / "red.png", photos / "sub" / "blue.jpg"]
    scores = clip.encode_images(paths) @ clip.encode("a blue sky")[0]
    best = np.argsort(-scores)[:2]
    assert [h["path"] for h in payload["hits"]] == [str(paths[i]) for i in best]
    assert [h["score"] for h in payload["hits"]] == pytest.approx([float(scores[i]) for i in best], abs=1e-5)
    assert payload["images"] == 3 and payload["skipped"] == 1
    assert payload["unreadable"] == [{"path": str(photos / "bad.png"), "reason": "not an image Pillow can read"}]


def test_images_search_table_reports_unreadable_and_uses_the_cache(
    cli: Any, tiny_clip_folder: Path, photos: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "photos.npz"
    args = ["images", "search", str(photos), "a red square", "-m", str(tiny_clip_folder), "--cache", str(cache)]
    first = cli(*args)
    assert first.code == 0, first.err
    assert "red.png" in first.out and "blue.jpg" in first.out
    err = " ".join(first.err.split())
    assert f"unreadable: {photos / 'bad.png'}: not an image Pillow can read" in err
    assert "3 images embedded (0 from the cache); 1 other files skipped; 1 unreadable" in err
    second = cli(*args)
    assert "3 images embedded (3 from the cache)" in " ".join(second.err.split())


def test_images_search_missing_folder_is_one_line(cli: Any, tiny_clip_folder: Path, tmp_path: Path) -> None:
    done = cli("images", "search", str(tmp_path / "nowhere"), "a dog", "-m", str(tiny_clip_folder))
    assert done.code == 1
    assert f"{tmp_path / 'nowhere'}: no such folder" in " ".join(done.err.split())
