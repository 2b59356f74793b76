"""Text-to-image search over a folder with a CLIP Embedder: ranking, what is left out, the cache."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from embedrag import ConfigError, Embedder, InputError, ModelFormatError
from embedrag.search import embed_image_folder, search_images


@pytest.fixture(scope="module")
def clip(tiny_clip_folder: Path) -> Embedder:
    return Embedder(tiny_clip_folder)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Five readable images (two in a subfolder), a text file and two broken image files."""
    root = tmp_path / "photos"
    (root / "sub" / "deeper").mkdir(parents=True)
    colours = {"red.png": (230, 20, 20), "green.jpg": (20, 200, 30), "sub/blue.bmp": (10, 20, 240)}
    for name, colour in colours.items():
        Image.new("RGB", (40, 36), colour).save(root / name)
    ramp = np.tile(np.linspace(0, 255, 40).astype(np.uint8), (40, 1))
    Image.fromarray(ramp).save(root / "sub" / "deeper" / "ramp.PNG")
    Image.fromarray(np.stack([ramp.T, ramp, 255 - ramp], axis=-1)).save(root / "mix.webp")
    (root / "notes.txt").write_text("not a picture")
    (root / "broken.png").write_bytes(b"\x89PNG but not really")
    jpeg = (root / "green.jpg").read_bytes()
    (root / "sub" / "half.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    return root


def test_every_image_is_embedded_and_the_rest_is_accounted_for(clip: Embedder, folder: Path) -> None:
    images = embed_image_folder(clip, folder)
    names = [p.relative_to(folder).as_posix() for p in images.paths]
    assert names == ["green.jpg", "mix.webp", "red.png", "sub/blue.bmp", "sub/deeper/ramp.PNG"]
    assert [p.name for p in images.skipped] == ["notes.txt"]
    assert [u.path.name for u in images.unreadable] == ["broken.png", "half.jpg"]
    assert images.unreadable[0].reason == "not an image Pillow can read"
    assert images.unreadable[1].reason.startswith("unreadable image (")  # a truncated JPEG fails to decode
    np.testing.assert_allclose(images.vectors, clip.encode_images(images.paths), atol=1e-6)


def test_hits_are_the_images_closest_to_the_query_best_first(clip: Embedder, folder: Path) -> None:
    paths = sorted(p for p in folder.rglob("*") if p.suffix in (".png", ".jpg", ".bmp", ".webp", ".PNG"))
    paths = [p for p in paths if p.name not in ("broken.png", "half.jpg")]
    scores = clip.encode_images(paths) @ clip.encode("a red square")[0]
    expected = [paths[i] for i in np.argsort(-scores)[:3]]
    hits = search_images(clip, folder, "a red square", k=3)
    assert [h.path for h in hits] == expected
    assert [h.score for h in hits] == pytest.approx(sorted(scores, reverse=True)[:3], abs=1e-5)
    assert len(search_images(clip, folder, "a red square", k=50)) == 5


def test_an_image_is_its_own_best_match_once_its_vector_is_the_query(clip: Embedder, folder: Path) -> None:
    images = embed_image_folder(clip, folder)
    similarity = images.vectors @ images.vectors.T
    assert np.all(np.argmax(similarity, axis=1) == np.arange(len(images.paths)))  # images that differ stay apart


def test_progress_reports_done_and_total(clip: Embedder, folder: Path) -> None:
    seen: list[tuple[int, int]] = []
    embed_image_folder(clip, folder, batch_size=3, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(3, 7), (6, 7), (7, 7)]  # seven image files, two of which turn out unreadable


def test_cache_reuses_unchanged_images_and_reembeds_changed_ones(clip: Embedder, folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "photos.npz"
    first = embed_image_folder(clip, folder, cache=cache)
    assert first.reused == 0 and cache.exists()
    second = embed_image_folder(clip, folder, cache=cache)
    assert second.reused == 5
    np.testing.assert_array_equal(second.vectors, first.vectors)
    red = folder / "red.png"
    Image.new("RGB", (40, 36), (250, 250, 0)).save(red)
    os.utime(red, ns=(1, 1))  # a new modification time, whatever the clock's resolution
    third = embed_image_folder(clip, folder, cache=cache)
    assert third.reused == 4
    row = third.paths.index(red)
    np.testing.assert_allclose(third.vectors[row], clip.encode_images([red])[0], atol=1e-6)
    assert not np.allclose(third.vectors[row], first.vectors[row])
    (folder / "green.jpg").unlink()
    assert embed_image_folder(clip, folder, cache=cache).paths == tuple(p for p in third.paths if p.name != "green.jpg")


def test_cache_of_another_model_is_rebuilt(
    tiny_clip_folder: Path, clip: Embedder, folder: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "photos.npz"
    embed_image_folder(clip, folder, cache=cache)
    other = Embedder(shutil.copytree(tiny_clip_folder, tmp_path / "other-clip"))
    assert embed_image_folder(other, folder, cache=cache).reused == 0
    assert embed_image_folder(other, folder, cache=cache).reused == 5


def test_a_file_that_is_not_our_cache_is_not_overwritten(clip: Embedder, folder: Path, tmp_path: Path) -> None:
    cache = tmp_path / "mine.npz"
    cache.write_bytes(b"precious data")
    with pytest.raises(InputError, match="is not an embedrag image cache"):
        embed_image_folder(clip, folder, cache=cache)
    assert cache.read_bytes() == b"precious data"


def test_bad_folders_queries_and_models_are_refused(clip: Embedder, folder: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        embed_image_folder(clip, tmp_path / "missing")
    with pytest.raises(InputError, match="not a folder"):
        embed_image_folder(clip, folder / "notes.txt")
    with pytest.raises(ConfigError, match="k must be positive"):
        search_images(clip, folder, "a dog", k=0)
    with pytest.raises(InputError, match="text 0 is empty"):
        search_images(clip, folder, " ")
    with pytest.raises(ModelFormatError, match="is not a CLIP model"):
        embed_image_folder(Embedder("tokenlearn-static-64"), folder)


def test_an_empty_folder_gives_no_hits(clip: Embedder, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    images = embed_image_folder(clip, tmp_path / "empty")
    assert images.vectors.shape == (0, 16)
    assert images.search(clip, "anything") == []
