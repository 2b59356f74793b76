"""Embedder on a CLIP folder: texts and images in one space, checked against transformers itself."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from embedrag import ConfigError, Embedder, InputError, ModelFormatError, TruncationWarning

TEXTS = ["a photo of a dog", "red", "a very long caption about a small green house near the sea at dawn"]


@pytest.fixture(scope="module")
def clip(tiny_clip_folder: Path) -> Embedder:
    return Embedder(tiny_clip_folder)


@pytest.fixture
def pictures(tmp_path: Path) -> list[Path]:
    """Four small images that differ: solid colours, a gradient, a non-square RGBA one."""
    out = []
    ramp = np.tile(np.linspace(0, 255, 48).astype(np.uint8), (40, 1))  # (40, 48): dark left, bright right
    images = {
        "red.png": Image.new("RGB", (40, 40), (220, 20, 20)),
        "blue.jpg": Image.new("RGB", (64, 48), (10, 30, 230)),
        "gradient.png": Image.fromarray(np.stack([ramp, 255 - ramp, ramp // 2], axis=-1)),
        "alpha.png": Image.new("RGBA", (30, 70), (0, 200, 0, 128)),
    }
    for name, image in images.items():
        image.save(tmp_path / name)
        out.append(tmp_path / name)
    return out


def _unit(x: Any) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _reference(folder: Path, *, texts: list[str] | None = None, images: list[Path] | None = None) -> np.ndarray:
    """What transformers' own CLIPModel gives, through its own tokenizer and image processor."""
    import torch
    import transformers

    model = transformers.CLIPModel.from_pretrained(str(folder)).eval()
    with torch.no_grad():
        if texts is not None:
            tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder))
            out = model.get_text_features(**tokenizer(texts, padding=True, return_tensors="pt"))
        else:
            processor = transformers.AutoImageProcessor.from_pretrained(str(folder))
            pixels = processor(images=[Image.open(p).convert("RGB") for p in images or []], return_tensors="pt")
            out = model.get_image_features(pixel_values=pixels["pixel_values"])
    return _unit(getattr(out, "pooler_output", out).numpy())


def test_texts_and_images_share_one_space_of_projection_dims(clip: Embedder, pictures: list[Path]) -> None:
    texts, images = clip.encode(TEXTS), clip.encode_images(pictures)
    assert clip.dims == 16 and clip.encodes_images
    assert texts.shape == (3, 16) and images.shape == (4, 16)
    assert texts.dtype == np.float32 and images.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(np.vstack([texts, images]), axis=1), 1.0, atol=1e-6)
    assert clip.spec.backend == "clip" and clip.spec.max_tokens == 64 and clip.spec.normalize


def test_text_vectors_equal_transformers_get_text_features(clip: Embedder, tiny_clip_folder: Path) -> None:
    np.testing.assert_allclose(clip.encode(TEXTS), _reference(tiny_clip_folder, texts=TEXTS), atol=1e-5)


def test_image_vectors_equal_transformers_get_image_features(
    clip: Embedder, tiny_clip_folder: Path, pictures: list[Path]
) -> None:
    expected = _reference(tiny_clip_folder, images=pictures)
    np.testing.assert_allclose(clip.encode_images(pictures), expected, atol=1e-5)


def test_batching_does_not_change_vectors(tiny_clip_folder: Path, clip: Embedder, pictures: list[Path]) -> None:
    small_batches = Embedder(tiny_clip_folder, token_budget=20)  # forces one text per batch
    together = clip.encode(TEXTS)
    np.testing.assert_allclose(small_batches.encode(TEXTS), together, atol=1e-5)
    np.testing.assert_allclose(np.vstack([clip.encode(t) for t in TEXTS]), together, atol=1e-5)
    one_by_one = clip.encode_images(pictures, batch_size=1)
    np.testing.assert_allclose(one_by_one, clip.encode_images(pictures, batch_size=32), atol=1e-5)


def test_pil_images_and_paths_give_the_same_vectors(clip: Embedder, pictures: list[Path]) -> None:
    opened = [Image.open(p) for p in pictures]
    np.testing.assert_allclose(clip.encode_images(opened), clip.encode_images(pictures), atol=1e-6)
    assert clip.encode_images(pictures[0]).shape == (1, 16)
    assert clip.encode_images(str(pictures[0])).shape == (1, 16)


def test_progress_counts_images_and_raw_vectors_are_not_unit(clip: Embedder, pictures: list[Path]) -> None:
    seen: list[int] = []
    raw = clip.encode_images(pictures, normalize=False, batch_size=3, progress=seen.append)
    assert seen == [3, 1]
    assert not np.allclose(np.linalg.norm(raw, axis=1), 1.0)
    np.testing.assert_allclose(_unit(raw), clip.encode_images(pictures), atol=1e-6)


def test_token_ids_round_trip_like_other_backends(clip: Embedder) -> None:
    ids = clip.token_ids(TEXTS)
    assert ids[1] == [2417]  # "red" in MiniLM's WordPiece vocabulary, without [CLS]/[SEP]
    np.testing.assert_allclose(clip.embed_ids(ids).vectors, clip.encode(TEXTS), atol=1e-6)


def test_long_text_is_cut_with_a_warning_or_refused(tiny_clip_folder: Path, clip: Embedder) -> None:
    long = "word " * 100
    with pytest.warns(TruncationWarning, match="exceeded 64 word pieces"):
        cut = clip.encode([long])
    np.testing.assert_allclose(cut, clip.encode(["word " * 62]), atol=1e-6)  # 62 + [CLS] + [SEP] = 64
    assert clip.embed([long]).truncated == (0,)
    strict = Embedder(tiny_clip_folder, long_inputs="error")
    with pytest.raises(InputError, match="limit of 64 tokens"):
        strict.encode(["short", long])
    with pytest.raises(ConfigError, match="CLIP text encoders read one caption"):
        Embedder(tiny_clip_folder, long_inputs="window")


def test_empty_text_is_refused(clip: Embedder) -> None:
    with pytest.raises(InputError, match="text 1 is empty"):
        clip.encode(["a dog", "  "])


def test_missing_and_unreadable_images_are_named(clip: Embedder, pictures: list[Path], tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.png: no such file"):
        clip.encode_images([pictures[0], tmp_path / "nope.png"])
    (tmp_path / "fake.png").write_text("not an image")
    with pytest.raises(InputError, match=r"fake\.png: not an image Pillow can read"):
        clip.encode_images([tmp_path / "fake.png"])
    data = pictures[1].read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.jpg: unreadable image"):
        clip.encode_images([tmp_path / "cut.jpg"])
    with pytest.raises(InputError, match="a path or a PIL image, got int"):
        clip.encode_images([3])  # type: ignore[list-item]


def test_text_only_model_refuses_images_naming_its_folder(pictures: list[Path]) -> None:
    static = Embedder("tokenlearn-static-64")
    assert not static.encodes_images
    with pytest.raises(ModelFormatError, match=re.escape(f"{static.model_path} is not a CLIP model")):
        static.encode_images(pictures)


def test_incomplete_clip_folders_are_refused_naming_them(tiny_clip_folder: Path, tmp_path: Path) -> None:
    no_processor = shutil.copytree(tiny_clip_folder, tmp_path / "no-processor")
    (no_processor / "preprocessor_config.json").unlink()
    with pytest.raises(ModelFormatError, match=r"no-processor is not a complete CLIP folder: preprocessor_config"):
        Embedder(no_processor)
    no_weights = shutil.copytree(tiny_clip_folder, tmp_path / "no-weights")
    (no_weights / "model.safetensors").unlink()
    with pytest.raises(ModelFormatError, match="no-weights: cannot load the CLIP model"):
        Embedder(no_weights)


def test_clip_options_that_do_not_apply_are_refused(tiny_clip_folder: Path, clip: Embedder) -> None:
    with pytest.raises(ConfigError, match="no int8 variant"):
        Embedder(tiny_clip_folder, variant="int8")
    with pytest.raises(ConfigError, match="max_tokens must be between 3 and 64"):
        Embedder(tiny_clip_folder, max_tokens=65)
    with pytest.raises(ConfigError, match="is a CLIP model: it has no contextual token vectors"):
        clip.token_vectors(["a dog"])
