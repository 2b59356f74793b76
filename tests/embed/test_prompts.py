"""Prompts from config_sentence_transformers.json: read, applied to passages and queries, guarded by the spec.

The model is a tiny random BERT the test builds, with e5-style prompts in its config.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedrag._linalg import unit_rows
from embedrag.collection import Collection
from embedrag.embed import Embedder
from embedrag.errors import ConfigError, ModelFormatError, SpecMismatchError
from embedrag.index import Store
from embedrag.types import Document

PROMPTS = {"query": "query: ", "passage": "passage: "}


@pytest.fixture(scope="module")
def e5_like(tmp_path_factory: pytest.TempPathFactory, tiny_bert_folder: Any) -> Path:
    folder = Path(tiny_bert_folder(tmp_path_factory.mktemp("e5-like"), "BertModel", max_positions=64))
    (folder / "config_sentence_transformers.json").write_text(json.dumps({"prompts": PROMPTS}))
    return folder


@pytest.fixture(scope="module")
def e5(e5_like: Path) -> Embedder:
    return Embedder(e5_like)


def test_prompts_are_read_from_the_models_config(e5: Embedder) -> None:
    assert dict(e5.prompts.texts) == PROMPTS and e5.prompts.default_name is None
    assert (e5.spec.query_prompt, e5.spec.passage_prompt) == ("query: ", "passage: ")
    assert np.array_equal(e5.encode_document(["Cats purr."]), e5.encode(["passage: Cats purr."]))
    assert np.array_equal(e5.encode_query(["Cats purr."], prompt=""), e5.encode(["Cats purr."]))  # the call's own wins


def test_a_default_prompt_applies_to_every_text_unless_another_is_named(e5_like: Path) -> None:
    embedder = Embedder(e5_like, default_prompt_name="query")
    assert np.array_equal(embedder.encode(["Cats purr."]), embedder.encode(["Cats purr."], prompt="query: "))
    assert np.array_equal(embedder.encode(["Cats purr."], prompt=""), Embedder(e5_like).encode(["Cats purr."]))
    with pytest.raises(ConfigError, match="default prompt 'title' is not one of"):
        Embedder(e5_like, default_prompt_name="title")


def test_a_malformed_prompts_config_names_the_file(tmp_path: Path, e5_like: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(e5_like, broken)
    (broken / "config_sentence_transformers.json").write_text(json.dumps({"prompts": {"query": 3}}))
    with pytest.raises(ModelFormatError, match=r"config_sentence_transformers\.json: 'prompts' must map names"):
        Embedder(broken)


def test_a_collection_stores_passages_with_the_passage_prompt_and_searches_with_the_query_prompt(
    tmp_path: Path, e5: Embedder
) -> None:
    long = " ".join(f"Whales number {i} swim." for i in range(40))  # chunks at the limit, prompt included
    with Collection.open(tmp_path / "col", embedder=e5) as col:
        col.add([Document("cats", "Cats purr and hunt mice.", "cats"), Document("whales", long, "whales")])
        stored = {c.id: c.vector for c in col.chunks(with_vectors=True)}
        assert len(stored) > 2 and col.spec.passage_prompt == "passage: "
        expected = e5.encode(["passage: Cats purr and hunt mice."])[0]
        assert np.allclose(stored["cats#0"], expected, atol=1e-6)
        hit = next(h for h in col.search("what do cats hunt?", k=5, mode="dense") if h.id == "cats#0")
        query = unit_rows(e5.encode(["query: what do cats hunt?"]))[0]
        assert hit.score == pytest.approx(float(query @ unit_rows(stored["cats#0"][None])[0]), abs=1e-5)
        bare = unit_rows(e5.encode(["what do cats hunt?"]))[0]
        assert abs(hit.score - float(bare @ unit_rows(stored["cats#0"][None])[0])) > 1e-4


def test_an_encoder_with_another_prompt_is_refused_naming_both(tmp_path: Path, e5: Embedder, e5_like: Path) -> None:
    with Collection.open(tmp_path / "col", embedder=e5) as col:
        col.add([Document("cats", "Cats purr.", "cats")])
    other = Embedder(e5_like, prompts={"passage": "doc: "})
    with pytest.raises(SpecMismatchError, match="passage_prompt: expected 'passage: ', given 'doc: '"):
        Collection.open(tmp_path / "col", embedder=other)


def test_a_collection_written_before_prompts_has_none(tmp_path: Path) -> None:
    root = tmp_path / "format2"
    shutil.copytree(Path(__file__).parent.parent / "index" / "fixtures" / "format2", root)
    with Store.open(root) as store:
        assert (store.spec.query_prompt, store.spec.passage_prompt) == ("", "")


def test_a_model_that_pools_without_its_prompt_is_refused_when_a_prompt_applies(tmp_path: Path, e5_like: Path) -> None:
    instructor = tmp_path / "instructor-like"
    shutil.copytree(e5_like, instructor)
    (instructor / "modules.json").write_text(
        json.dumps(
            [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            ]
        )
    )
    (instructor / "1_Pooling").mkdir()
    (instructor / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode": "mean", "include_prompt": False}))
    embedder = Embedder(instructor)
    assert embedder.encode(["Cats purr."]).shape == (1, 32)  # no prompt: fine
    with pytest.raises(ModelFormatError, match="include_prompt: false"):
        embedder.encode_query(["Cats purr."])
