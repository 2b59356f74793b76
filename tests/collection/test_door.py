"""What the CLI, the server, the plots and the benches use: Collection from already loaded parts,
filters as strings, ask, stored chunks, has-document, exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedrag.collection import LLM, Collection, hit_dict
from embedrag.embed import Embedder
from embedrag.errors import ConfigError, InputError, LLMError, SpecMismatchError, StoreError
from embedrag.tokenize import load_tokenizer
from embedrag.types import Document

MODEL = "all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder(MODEL)


def test_a_collection_opens_with_an_embedder_already_loaded(tmp_path: Path, embedder: Embedder) -> None:
    tokenizer = load_tokenizer(embedder.model_path)
    with Collection.open(tmp_path / "c", embedder=embedder, tokenizer=tokenizer) as col:
        col.add([Document("cats", "Cats purr and chase mice.", "cats")])
        assert col.embedder is embedder and col.tokenizer is tokenizer
    with Collection.open(tmp_path / "c", embedder=embedder, create=False) as again:
        assert again.search("what do cats hunt?", k=1)[0].doc_id == "cats"


def test_an_embedder_of_another_space_is_refused(tmp_path: Path, embedder: Embedder) -> None:
    other = Embedder("tokenlearn-static-64")
    with Collection.open(tmp_path / "c", embedder=embedder) as col:
        col.add([Document("a", "some text", "a")])
    with pytest.raises(SpecMismatchError, match=MODEL):
        Collection.open(tmp_path / "c", embedder=other)
    assert Collection.embedder_for(tmp_path / "c", [other, embedder]) is embedder
    assert Collection.embedder_for(tmp_path / "c", [other]) is None


def test_model_and_embedder_together_are_refused(tmp_path: Path, embedder: Embedder) -> None:
    with pytest.raises(ConfigError, match="not both"):
        Collection.open(tmp_path / "c", model=MODEL, embedder=embedder)


def test_a_shared_embedder_does_not_create_without_create(tmp_path: Path, embedder: Embedder) -> None:
    assert not Collection.exists(tmp_path / "c")
    with pytest.raises(StoreError, match="no collection"):
        Collection.open(tmp_path / "c", embedder=embedder, create=False)
    Collection.open(tmp_path / "c", embedder=embedder).close()
    assert Collection.exists(tmp_path / "c")


def test_filters_are_taken_as_the_clis_expressions(col: Collection) -> None:
    prefix = str(col.path.parent / "corpus/finance")
    as_data = col.search("animals", k=2, mode="dense", filters={"source": {"prefix": prefix}})
    as_text = col.search("animals", k=2, mode="dense", filters=[f"source^={prefix}"])
    assert [h.id for h in as_text] == [h.id for h in as_data]
    similar = col.similar("finance/rates.txt", k=3, filters="doc_id^=sport/")
    assert sorted(h.doc_id for h in similar) == ["sport/football.txt", "sport/tennis.txt"]
    with pytest.raises(InputError, match="cannot read filter"):
        col.recommend(["animals/cats.md"], filters=["year"])


def test_ask_numbers_the_passages_that_fit(col: Collection) -> None:
    answer = col.ask("What do cats hunt?", k=3, budget=1000)
    assert answer.text is None
    assert answer.context.passages[0].doc_id == "animals/cats.md"
    assert answer.context.prompt.startswith("[1] (source: ") and "Question: What do cats hunt?" in answer.context.prompt


def test_ask_with_an_unreachable_llm_says_so(col: Collection) -> None:
    with pytest.raises(LLMError, match="cannot reach"):
        col.ask("What do cats hunt?", llm=LLM("http://127.0.0.1:9/v1"))


def test_chunks_come_with_their_metadata_and_vectors(col: Collection) -> None:
    chunks = list(col.chunks(with_vectors=True))
    assert len(chunks) == col.stats()["chunks"]
    cats = next(c for c in chunks if c.doc_id == "animals/cats.md")
    assert cats.id == "animals/cats.md#0" and cats.metadata["headings"] == ["Cats"]
    assert cats.vector is not None and cats.vector.shape == (col.stats()["dims"],)
    assert all(c.vector is None for c in col.chunks())


def test_has_document(col: Collection) -> None:
    assert col.has_document("animals/cats.md")
    assert not col.has_document("animals/cows.md")


def test_a_hit_as_json_names_every_field(col: Collection) -> None:
    hit = col.search("mice", k=1, mode="bm25")[0]
    assert list(hit_dict(hit)) == ["id", "doc_id", "score", "text", "source", "metadata", "start", "end"]
