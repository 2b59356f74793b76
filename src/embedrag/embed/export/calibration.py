"""The calibration text shipped with embedrag, and its feeds for an encoder graph.

``calibration.txt`` was written for embedrag (news, instructions, questions, prose: 52 sentences
and 10 paragraphs of 50-90 words); none of it is the held-out text of the fidelity test. Two int8
builds read it: OpenVINO's static int8 (``openvino_int8.py``) and the activation statistics of the
outlier-aware ONNX Runtime recipes (``outliers.py``). It is part of their graphs' cache keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from embedrag.errors import ModelFormatError

__all__ = ["CALIBRATION", "calibration_feeds", "calibration_texts"]

CALIBRATION = Path(__file__).with_name("calibration.txt")
"""One calibration text per line."""


def calibration_texts() -> list[str]:
    """The shipped calibration texts, in file order.

    >>> texts = calibration_texts()
    >>> len(texts), sum(len(t.split()) > 40 for t in texts)
    (62, 10)
    """
    return [line for line in CALIBRATION.read_text(encoding="utf-8").splitlines() if line.strip()]


def calibration_feeds(model_dir: Path, batch: int, inputs: set[str]) -> Iterator[dict[str, np.ndarray]]:
    """The calibration texts as the graph's int64 inputs, ``batch`` texts at a time, padded per batch
    (with ``batch=1`` nothing is padded). ``model_dir`` gives the tokenizer and its length limit."""
    from tokenizers import Tokenizer

    from embedrag.embed.st_config import read_sentence_config

    config = read_sentence_config(model_dir)
    path = model_dir / "tokenizer.json"
    if not path.is_file():
        raise ModelFormatError(f"{path} is missing: int8 calibration needs the model's tokenizer.json")
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(config.max_tokens)
    texts = calibration_texts()
    for start in range(0, len(texts), batch):
        part = [t.lower() if config.lowercase else t for t in texts[start : start + batch]]
        encoded = tokenizer.encode_batch(part)
        width = max(len(e.ids) for e in encoded)
        ids = np.zeros((len(encoded), width), np.int64)
        mask = np.zeros_like(ids)
        for row, e in enumerate(encoded):
            ids[row, : len(e.ids)], mask[row, : len(e.ids)] = e.ids, 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        yield {name: value for name, value in feed.items() if name in inputs}
