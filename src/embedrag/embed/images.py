"""Images as inputs of CLIP models: what counts as an image file, and opening one strictly.

An image that cannot be read is an :class:`InputError` naming the file, never a skipped
input. Pillow comes with the ``hf`` extra.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from embedrag._optional import require
from embedrag.errors import InputError, ModelFormatError

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["IMAGE_SUFFIXES", "ImageInput", "decode_image", "is_single_image", "not_an_image_model", "open_image"]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff"})
"""File name endings (lower-cased) treated as images when a folder is searched."""

ImageInput: TypeAlias = "str | Path | Image"
"""A path to an image file, or an image already opened with Pillow."""


def is_single_image(item: object) -> bool:
    """``True`` for one path or one Pillow image, ``False`` for a collection of them."""
    return isinstance(item, (str, Path)) or _is_pil(item)


def open_image(item: ImageInput | Any) -> Image:
    """The image as RGB pixels, fully decoded; :class:`InputError` naming a file that is not one."""
    pil = require("PIL.Image", extra="hf", purpose="Embedding images")
    if _is_pil(item):
        image = cast("Image", item)
        return image if image.mode == "RGB" else image.convert("RGB")
    if not isinstance(item, (str, Path)):
        raise InputError(f"an image must be a path or a PIL image, got {type(item).__name__}")
    path = Path(item)
    if not path.is_file():
        raise InputError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    return _decoded(pil, path, str(path))


def decode_image(data: bytes, name: str) -> Image:
    """An image from the bytes of its file (PNG, JPEG, ...) as RGB pixels; :class:`InputError` naming
    ``name`` if they are not one."""
    pil = require("PIL.Image", extra="hf", purpose="Embedding images")
    return _decoded(pil, io.BytesIO(data), name)


def _decoded(pil: Any, source: Path | io.BytesIO, name: str) -> Image:
    try:
        with pil.open(source) as opened:
            opened.load()  # decode now: a truncated file fails here, not later inside the model
            return cast("Image", opened.convert("RGB"))
    except pil.UnidentifiedImageError:
        raise InputError(f"{name}: not an image Pillow can read") from None
    except (OSError, ValueError, pil.DecompressionBombError) as exc:
        raise InputError(f"{name}: unreadable image ({exc})") from None


def not_an_image_model(model_path: Path) -> ModelFormatError:
    """The error for images given to a text-only model."""
    from embedrag.embed.st_config import model_type

    found = model_type(model_path) if model_path.is_dir() else None
    kind = f"model_type '{found}'" if found else "no model_type"
    return ModelFormatError(
        f"{model_path} is not a CLIP model (its config.json has {kind}): "
        "images need a CLIP folder saved by transformers (CLIPModel + processor)"
    )


def _is_pil(item: object) -> bool:
    # Only look at PIL if it is already imported: a caller holding a PIL image has imported it.
    module = sys.modules.get("PIL.Image")
    return module is not None and isinstance(item, module.Image)
