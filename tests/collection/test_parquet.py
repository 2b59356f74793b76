"""A collection round-trips through Parquet without re-embedding; a bad file is one clear error and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from embedrag.collection import Collection
from embedrag.collection.parquet import import_parquet
from embedrag.embed import Embedder
from embedrag.errors import InputError
from embedrag.types import Document

LONG = " ".join(f"Sentence {i} tells of whales, ships and the sea." for i in range(30))
DOCS = [
    Document("cats", "Cats purr and hunt mice at night.", "cats.md", {"year": 2020, "tags": ["pets"]}),
    Document("bread", "Bake bread with flour, water, salt and yeast.", "bread.txt", {"year": 2004}),
    Document("whales", LONG, "whales.txt", {}),
]


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return Embedder("all-MiniLM-L6-v2")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, minilm: Embedder) -> Path:
    root = tmp_path_factory.mktemp("parquet")
    with Collection.open(root / "source", embedder=minilm, chunk_tokens=32, overlap_tokens=8) as source:
        source.add(DOCS)
        assert source.export_parquet(root / "out.parquet") == len(list(source.chunks()))
    return root


@pytest.fixture
def refusing(minilm: Embedder, monkeypatch: pytest.MonkeyPatch) -> Embedder:
    """The shared encoder, made to raise if anything asks it for a vector."""

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the encoder was called")

    monkeypatch.setattr(minilm, "_embed_content", boom)
    return minilm


@pytest.fixture
def target(tmp_path: Path, refusing: Embedder) -> Iterator[Collection]:
    with Collection.open(tmp_path / "target", embedder=refusing) as col:
        yield col


def _vectors(col: Collection) -> dict[str, Any]:
    return {c.id: c.vector for c in col.chunks(with_vectors=True)}


def test_the_file_has_a_fixed_size_vector_column_and_the_spec(exported: Path) -> None:
    schema = pq.read_schema(exported / "out.parquet")
    assert schema.field("vector").type == pa.list_(pa.float32(), 384)
    assert {"id", "doc_id", "text", "start", "end", "metadata", "content_hash"} <= set(schema.names)
    described = json.loads(schema.metadata[b"embedrag"])
    assert described["spec"]["model"] == "all-MiniLM-L6-v2" and described["spec"]["dims"] == 384


def test_a_round_trip_stores_bit_identical_vectors_without_calling_the_encoder(
    exported: Path, target: Collection, minilm: Embedder
) -> None:
    report = target.import_parquet(exported / "out.parquet")
    assert (report.added, report.unchanged) == (3, 0)
    with Collection.open(exported / "source", embedder=minilm) as source:
        before, after = _vectors(source), _vectors(target)
        assert len(before) > 3 and before.keys() == after.keys()  # the long document has several chunks
        assert all(before[i].tobytes() == after[i].tobytes() for i in before)
        assert [(d.id, d.source, d.metadata, d.content_hash) for d in source.documents()] == [
            (d.id, d.source, d.metadata, d.content_hash) for d in target.documents()
        ]
        spans = [sorted((c.id, c.text, c.start, c.end) for c in col.chunks()) for col in (source, target)]
        assert spans[0] == spans[1]
    assert target.search_by_vector(after["cats#0"], k=1)[0].doc_id == "cats"


def test_documents_spanning_row_groups_and_batches_import_whole(
    exported: Path, target: Collection, tmp_path: Path
) -> None:
    path = _write(pq.read_table(exported / "out.parquet"), tmp_path / "groups.parquet", row_group_size=3)
    assert import_parquet(target, path, batch_rows=2).added == 3
    with Collection.open(exported / "source") as source:
        before, after = _vectors(source), _vectors(target)
        assert before.keys() == after.keys() and all(before[i].tobytes() == after[i].tobytes() for i in before)


def test_an_export_to_a_missing_folder_is_a_clear_error(exported: Path, tmp_path: Path) -> None:
    with Collection.open(exported / "source") as source, pytest.raises(InputError, match="cannot write"):
        source.export_parquet(tmp_path / "no" / "such" / "out.parquet")


def test_importing_twice_changes_nothing(exported: Path, target: Collection) -> None:
    target.import_parquet(exported / "out.parquet")
    chunks = len(list(target.chunks()))
    again = target.import_parquet(exported / "out.parquet")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert len(list(target.chunks())) == chunks


def test_another_model_re_embeds_the_documents_rebuilt_from_their_chunks(exported: Path, tmp_path: Path) -> None:
    with Collection.open(tmp_path / "static", model="tokenlearn-static-64") as col:
        report = col.import_parquet(exported / "out.parquet")
        assert report.added == 3 and col.spec.dims == 64
        assert col.search("whales and ships", k=1, mode="dense")[0].doc_id == "whales"
        assert {d.id: d.metadata for d in col.documents()}["cats"] == {"year": 2020, "tags": ["pets"]}


def _write(table: pa.Table, path: Path, **options: Any) -> Path:
    pq.write_table(table, path, write_page_checksum=True, **options)
    return path


def _untouched(col: Collection) -> None:
    assert col.stats()["documents"] == 0 and col.stats()["generation"] == 0


def test_a_missing_column_is_named_and_nothing_is_written(exported: Path, target: Collection, tmp_path: Path) -> None:
    table = pq.read_table(exported / "out.parquet").drop_columns(["text"])
    with pytest.raises(InputError, match=r"lacks the column\(s\) text; it has id, doc_id"):
        target.import_parquet(_write(table, tmp_path / "no-text.parquet"))
    table = pq.read_table(exported / "out.parquet").drop_columns(["start"])
    with pytest.raises(InputError, match=r"lacks the column\(s\) start needed to store its vectors"):
        target.import_parquet(_write(table, tmp_path / "no-start.parquet"))
    _untouched(target)


def test_vectors_of_the_wrong_width_are_refused(exported: Path, target: Collection, tmp_path: Path) -> None:
    table = pq.read_table(exported / "out.parquet")
    narrow = pa.FixedSizeListArray.from_arrays(pa.array(np.zeros(len(table) * 8, np.float32)), 8)
    table = table.set_column(table.schema.get_field_index("vector"), "vector", narrow)
    with pytest.raises(InputError, match="column 'vector' holds 8-dim vectors; the file's spec says 384"):
        target.import_parquet(_write(table, tmp_path / "narrow.parquet"))
    ragged = table.set_column(
        table.schema.get_field_index("vector"),
        "vector",
        pa.array([[0.5] * (384 if i else 383) for i in range(len(table))], pa.list_(pa.float32())),
    )
    with pytest.raises(InputError, match="row 0 has a 383-dim vector; expected 384"):
        target.import_parquet(_write(ragged, tmp_path / "ragged.parquet"))
    _untouched(target)


def test_a_damaged_row_group_mid_file_leaves_the_collection_untouched(
    exported: Path, target: Collection, tmp_path: Path
) -> None:
    path = _write(pq.read_table(exported / "out.parquet"), tmp_path / "groups.parquet", row_group_size=2)
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups >= 3
    offset = meta.row_group(meta.num_row_groups - 1).column(3).data_page_offset + 24  # the last group's texts
    data = bytearray(path.read_bytes())
    data[offset : offset + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"groups.parquet is damaged in row group [1-9]\d* \(after row [1-9]"):
        target.import_parquet(path)
    _untouched(target)
    with pytest.raises(InputError, match="is damaged or not a Parquet file"):
        target.import_parquet(_write_bytes(tmp_path / "junk.parquet", b"not parquet at all"))


def _write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_rows_of_a_document_apart_or_bad_metadata_are_refused(
    exported: Path, target: Collection, tmp_path: Path
) -> None:
    table = pq.read_table(exported / "out.parquet")
    apart = pa.concat_tables([table.slice(0, 1), table.slice(1), table.slice(0, 1)])
    with pytest.raises(InputError, match="the rows of document 'bread' are not together"):
        target.import_parquet(_write(apart, tmp_path / "apart.parquet"))
    index = table.schema.get_field_index("metadata")
    bad = table.set_column(index, "metadata", pa.array(["[1]"] * len(table)))
    with pytest.raises(InputError, match="row 0: column 'metadata' is not a JSON object"):
        target.import_parquet(_write(bad, tmp_path / "bad-meta.parquet"))
    _untouched(target)


def test_a_file_from_elsewhere_needs_only_ids_and_texts(target: Collection, tmp_path: Path, minilm: Embedder) -> None:
    table = pa.table({"doc_id": ["a", "b"], "text": ["Cats purr.", "Stocks fell."], "metadata": ['{"n": 1}', None]})
    with Collection.open(tmp_path / "fresh", embedder=minilm) as col:
        pass
    path = _write(table, tmp_path / "plain.parquet")
    with Collection.open(tmp_path / "fresh") as col:
        assert col.import_parquet(path).added == 2
        assert col.search("cat", k=1, mode="dense")[0].doc_id == "a"
        assert {d.id: d.metadata for d in col.documents()} == {"a": {"n": 1}, "b": {}}


@pytest.mark.parametrize("model", ["all-MiniLM-L6-v2", "tokenlearn-static-64"], ids=["vectors-reused", "re-embedded"])
def test_an_import_refuses_a_duplicate_as_an_ingest_does_whether_or_not_it_reuses_vectors(
    exported: Path, tmp_path: Path, minilm: Embedder, model: str
) -> None:
    parts = {"embedder": minilm} if model == "all-MiniLM-L6-v2" else {"model": model}
    with Collection.open(tmp_path / "col", **parts) as col:
        col.add([Document("kitten", DOCS[0].text, "kitten.md", {})])
        report = col.import_parquet(exported / "out.parquet")
        assert (report.added, [s.reason for s in report.skipped]) == (2, ["cats.md duplicates the content of 'kitten'"])
        assert sorted(d.id for d in col.documents()) == ["bread", "kitten", "whales"]


@pytest.mark.parametrize(
    ("newer", "texts", "removed", "skipped"),
    [
        # two documents that swapped their texts, each a duplicate of the other's stored text: both
        # old texts are removed, then both new ones stored
        ({"a": "bread", "b": "cats"}, {"a": "bread", "b": "cats"}, 2, []),
        # a document whose newer text is stored under another id: its old text was kept
        ({"b": "cats"}, {"a": "cats"}, 1, ["b duplicates the content of 'a'"]),
    ],
)
def test_an_import_keeps_no_stale_text_and_loses_no_swapped_one(
    tmp_path: Path, minilm: Embedder, newer: dict[str, str], texts: dict[str, str], removed: int, skipped: list[str]
) -> None:
    words = {"cats": DOCS[0].text, "bread": DOCS[1].text}
    with Collection.open(tmp_path / "newer", embedder=minilm) as source:
        source.add([Document(doc_id, words[word], doc_id) for doc_id, word in newer.items()])
        source.export_parquet(tmp_path / "newer.parquet")
    with Collection.open(tmp_path / "older", embedder=minilm) as older:
        older.add([Document("a", words["cats"], "a"), Document("b", words["bread"], "b")])
        report = older.import_parquet(tmp_path / "newer.parquet")
        stored = {c.doc_id: c.text for c in older.chunks()}
    assert stored == {doc_id: words[word] for doc_id, word in texts.items()}
    assert (report.removed, [s.reason for s in report.skipped]) == (removed, skipped)
