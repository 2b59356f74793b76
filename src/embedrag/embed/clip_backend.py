"""CLIP models: texts and images in one vector space, on torch (the ``hf`` extra).

A CLIP folder is what ``transformers`` writes with ``save_pretrained``: ``config.json``
(``model_type`` ``clip``), the weights, ``tokenizer.json`` and ``preprocessor_config.json``.
Texts are tokenised with ``tokenizer.json`` like every other backend (so token counts and
``embed_ids`` work the same); the projection of the end-of-text token is the text vector,
the projection of the vision transformer's pooled output the image vector.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from embedrag._optional import require
from embedrag.embed.batching import DEFAULT_TOKEN_BUDGET, plan_batches
from embedrag.embed.onnx_backend import text_tokenizer
from embedrag.embed.result import Embeddings, LongInputPolicy
from embedrag.embed.st_config import model_type
from embedrag.errors import ConfigError, InputError, ModelFormatError

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["ClipBackend"]

_PURPOSE = "CLIP models"


class ClipBackend:
    """Runs a CLIP model's two towers; see :meth:`embedrag.Embedder.encode_images` for the public API."""

    def __init__(
        self,
        model_dir: Path,
        *,
        max_tokens: int | None = None,
        token_budget: int = DEFAULT_TOKEN_BUDGET,
        max_batch: int = 64,
    ) -> None:
        self.model, self.processor = _load(model_dir)
        text_config = self.model.config.text_config
        limit = int(text_config.max_position_embeddings)
        if max_tokens is not None and not 2 < max_tokens <= limit:
            raise ConfigError(f"max_tokens must be between 3 and {limit}, got {max_tokens}")
        self.max_tokens: int | None = max_tokens or limit
        self.token_budget, self.max_batch = token_budget, max_batch
        self.tokenizer, self.tokenizer_hash, self.prefix, self.suffix, self.vocab_size = text_tokenizer(model_dir)
        self.dims = int(self.model.config.projection_dim)

    def encode(self, texts: Sequence[str], policy: LongInputPolicy) -> Embeddings:
        """Projected, not yet normalised vectors of ``texts`` (non-empty strings)."""
        return self.encode_ids(self.content_ids(texts), policy)

    def content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text without the special tokens (the tokenizer's own normaliser applies)."""
        return [list(e.ids) for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def encode_ids(self, content: list[list[int]], policy: LongInputPolicy, *, start: int = 0) -> Embeddings:
        """Like :meth:`encode`, from token ids without special tokens. ``window`` is refused by the Embedder;
        an error names inputs counting from ``start`` (a stream's chunk)."""
        n_special = len(self.prefix) + len(self.suffix)
        limit = (self.max_tokens or 0) - n_special
        long = [i for i, ids in enumerate(content) if len(ids) > limit]
        if long and policy == "error":
            named = [start + i for i in long[:10]]
            raise InputError(
                f"{len(long)} text(s) exceed the CLIP text encoder's limit of {self.max_tokens} tokens "
                f"(indices {named}{' ...' if len(long) > 10 else ''}); shorten them or use long_inputs='truncate'"
            )
        sequences = [[*self.prefix, *ids[:limit], *self.suffix] for ids in content]
        counts = np.array([len(ids) + n_special for ids in content], dtype=np.int64)
        return Embeddings(self._run_texts(sequences), counts, tuple(long))

    def _run_texts(self, sequences: list[list[int]]) -> npt.NDArray[np.float32]:
        import torch

        out = np.empty((len(sequences), self.dims), dtype=np.float32)
        lengths = [len(s) for s in sequences]
        for batch in plan_batches(lengths, token_budget=self.token_budget, max_batch=self.max_batch):
            ids = torch.tensor([sequences[i] for i in batch], dtype=torch.long)  # one length: nothing to pad
            mask = torch.ones_like(ids)
            with torch.inference_mode():
                features = self.model.get_text_features(input_ids=ids, attention_mask=mask)
            out[batch] = _tensor(features).float().numpy()
        return out

    def encode_pixels(self, images: Sequence[Image]) -> npt.NDArray[np.float32]:
        """Projected, not yet normalised vectors of decoded RGB images, one batch."""
        import torch

        if not images:
            return np.zeros((0, self.dims), dtype=np.float32)
        pixels = self.processor(images=list(images), return_tensors="pt")["pixel_values"]
        with torch.inference_mode():
            features = self.model.get_image_features(pixel_values=pixels)
        return np.asarray(_tensor(features).float().numpy(), dtype=np.float32)


def _load(model_dir: Path) -> tuple[Any, Any]:
    """The CLIP model (eval mode) and its image processor; :class:`ModelFormatError` naming a bad folder."""
    require("torch", extra="hf", purpose=_PURPOSE)
    require("PIL", extra="hf", purpose=_PURPOSE)
    transformers = require("transformers", extra="hf", purpose=_PURPOSE)
    found = model_type(model_dir)
    if found != "clip":
        raise ModelFormatError(f"{model_dir} is not a CLIP model: config.json has model_type {found!r}, not 'clip'")
    for name in ("preprocessor_config.json", "tokenizer.json"):
        if not (model_dir / name).exists():
            raise ModelFormatError(f"{model_dir} is not a complete CLIP folder: {name} is missing")
    try:
        model, info = transformers.CLIPModel.from_pretrained(str(model_dir), output_loading_info=True)
        processor = transformers.AutoImageProcessor.from_pretrained(str(model_dir))
    except (OSError, ValueError) as exc:
        raise ModelFormatError(f"{model_dir}: cannot load the CLIP model ({exc})") from exc
    missing = sorted(info.get("missing_keys", []))
    if missing:
        # transformers would fill them with random numbers: every vector would be noise
        raise ModelFormatError(f"{model_dir} lacks {len(missing)} CLIP weights (e.g. {missing[:3]})")
    return model.eval(), processor


def _tensor(features: Any) -> Any:
    """transformers 4 returns the projected features; transformers 5 an output whose pooler_output holds them."""
    return getattr(features, "pooler_output", features)
