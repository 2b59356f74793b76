from __future__ import annotations

from pathlib import Path

import pytest

from embedrag.collection import Collection
from embedrag.errors import InputError, SpecMismatchError, StoreError
from embedrag.ingest import load_path
from embedrag.types import Document


def test_ingest_counts_documents_and_chunks(tmp_path: Path, corpus: Path) -> None:
    with Collection.open(tmp_path / "c") as col:
        report = col.ingest([corpus])
        assert (report.added, report.updated, report.unchanged, len(report.skipped)) == (7, 0, 0, 0)
        assert report.chunks == 7
        assert col.stats()["documents"] == 7
        assert col.stats()["dims"] == 384


def test_reingest_skips_unchanged_and_replaces_changed(col: Collection, corpus: Path) -> None:
    (corpus / "food/bread.txt").write_text("Sourdough bread needs a starter and a long proof.\n", encoding="utf-8")
    report = col.ingest([corpus])
    assert (report.added, report.updated, report.unchanged) == (0, 1, 6)
    assert col.search("sourdough starter", k=1)[0].doc_id == "food/bread.txt"


def test_sync_removes_documents_whose_files_are_gone(col: Collection, corpus: Path) -> None:
    (corpus / "sport/tennis.txt").unlink()
    report = col.ingest([corpus], sync=True)
    assert report.removed == 1
    assert col.stats()["documents"] == 6


def test_duplicate_content_is_stored_once_and_reported(col: Collection, corpus: Path) -> None:
    (corpus / "animals/cats-copy.md").write_text((corpus / "animals/cats.md").read_text(), encoding="utf-8")
    report = col.ingest([corpus])
    assert report.added == 0
    assert [s.reason for s in report.skipped] == [
        f"{corpus}/animals/cats-copy.md duplicates the content of 'animals/cats.md'"
    ]


def test_bad_files_are_reported_and_the_rest_lands(tmp_path: Path, corpus: Path) -> None:
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02")
    (corpus / "empty.txt").write_text("")
    (corpus / "latin.txt").write_bytes(b"caf\xe9 au lait")
    with Collection.open(tmp_path / "c") as col:
        report = col.ingest([corpus])
        reasons = " | ".join(s.reason for s in report.skipped)
        assert report.added == 7
        assert "binary" in reasons
        assert "empty" in reasons
        assert "not valid UTF-8" in reasons


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_every_mode_finds_the_right_document(col: Collection, mode: str) -> None:
    hits = col.search("Which animal hunts mice?" if mode != "bm25" else "mice", k=3, mode=mode)
    assert hits[0].doc_id == "animals/cats.md"
    assert hits[0].source.endswith("animals/cats.md")
    assert hits[0].metadata["headings"] == ["Cats"]
    document = next(d for d in load_path(hits[0].source) if isinstance(d, Document))
    assert hits[0].start is not None and document.text[hits[0].start : hits[0].end] == hits[0].text


def test_ask_context_joins_neighbouring_chunks_of_a_document(tmp_path: Path) -> None:
    from embedrag.rag import build_context
    from embedrag.tokenize import load_tokenizer

    story = tmp_path / "docs" / "river.txt"
    story.parent.mkdir()
    sentences = [f"The river rose {n} feet on day {n} of the flood in the valley town." for n in range(1, 13)]
    story.write_text(" ".join(sentences), encoding="utf-8")
    with Collection.open(tmp_path / "col", chunk_tokens=40, overlap_tokens=8) as col:
        col.ingest([story.parent])
        hits = col.search("How high did the river rise during the flood?", k=20, mode="bm25")
        assert len(hits) == col.stats()["chunks"] > 2  # every chunk of the one document
    context = build_context("How high did the river rise?", hits, tokenizer=load_tokenizer("cl100k_base"))
    assert [h.id for h in context.passages] == [f"river.txt#0-{len(hits) - 1}"]
    assert context.passages[0].text == story.read_text(encoding="utf-8")  # the overlaps written once


@pytest.mark.parametrize("dtype", ["f32", "i8"])
def test_the_hnsw_graph_answers_like_exact_search(tmp_path: Path, corpus: Path, dtype: str) -> None:
    # HNSW from the first chunk on
    with Collection.open(tmp_path / "col", hnsw_dtype=dtype, exact_threshold=0) as col:  # type: ignore[arg-type]
        col.ingest([corpus])
        exact = col.search("Which animal hunts mice?", k=3, mode="dense", exact=True)
        approximate = col.search("Which animal hunts mice?", k=3, mode="dense")
        assert [h.id for h in approximate] == [h.id for h in exact]
        assert [h.score for h in approximate] == pytest.approx([h.score for h in exact], abs=1e-5)
    assert (tmp_path / "col" / "vectors.hnsw").exists()


def test_filters_apply_inside_the_search(col: Collection) -> None:
    hits = col.search(
        "animals",
        k=2,
        mode="dense",
        filters={"source": {"prefix": str(Path(col.stats()["path"]).parent / "corpus/finance")}},
    )
    assert [h.doc_id.split("/")[0] for h in hits] == ["finance", "finance"]


def test_late_interaction_rerank_reorders_candidates(col: Collection) -> None:
    hits = col.search("Which animal hunts mice?", k=3, rerank="late")
    assert hits[0].doc_id == "animals/cats.md"
    assert all(-1.0 <= h.score <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_similar_and_recommend_exclude_their_inputs(col: Collection) -> None:
    similar = col.similar("animals/cats.md", k=3)
    assert "animals/cats.md" not in [h.doc_id for h in similar]
    assert similar[0].doc_id == "animals/dogs.md"
    picks = col.recommend(["sport/football.txt"], ["finance/stocks.txt"], k=2)
    assert picks[0].doc_id == "sport/tennis.txt"
    assert {"sport/football.txt", "finance/stocks.txt"}.isdisjoint(h.doc_id for h in picks)


def test_unknown_document_is_named(col: Collection) -> None:
    with pytest.raises(InputError, match="no such document"):
        col.similar("nope.txt")


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"k": 0}, "k must be a positive"), ({"mode": "fuzzy"}, "unknown mode")]
)
def test_bad_search_options_are_clear(col: Collection, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        col.search("cats", **kwargs)  # type: ignore[arg-type]


def test_empty_query_is_refused(col: Collection) -> None:
    with pytest.raises(InputError, match="query is empty"):
        col.search("   ")


def test_reopening_remembers_the_model(tmp_path: Path, corpus: Path) -> None:
    with Collection.open(tmp_path / "c") as col:
        col.ingest([corpus])
    with Collection.open(tmp_path / "c") as again:
        assert again.search("bread recipe", k=1)[0].doc_id == "food/bread.txt"


def test_another_model_is_refused(tmp_path: Path) -> None:
    with Collection.open(tmp_path / "c") as col:
        col.add([Document("a", "some text", "a")])
    with pytest.raises(SpecMismatchError, match="all-MiniLM-L6-v2"):
        Collection.open(tmp_path / "c", model="tokenlearn-static-64")


def test_opening_a_missing_collection_without_create_fails(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no collection"):
        Collection.open(tmp_path / "none", create=False)


def test_check_is_clean_after_ingest(col: Collection) -> None:
    assert col.check().ok


def test_cross_encoder_rerank_scores_in_unit_interval(col: Collection, tiny_cross_encoder) -> None:  # type: ignore[no-untyped-def]
    hits = col.search("cats", k=4, rerank=str(tiny_cross_encoder(labels=1)))
    assert len(hits) == 4
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_sync_leaves_documents_of_other_folders_alone(tmp_path: Path) -> None:
    for folder, text in (("docs", "Cats purr."), ("docs2", "Dogs bark.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.txt").write_text(text, encoding="utf-8")
    with Collection.open(tmp_path / "c") as col:
        col.ingest([tmp_path / "docs2"])
        (tmp_path / "docs" / "a.txt").unlink()
        report = col.ingest([tmp_path / "docs"], sync=True)  # "docs" is a string prefix of "docs2"
        assert report.removed == 0
        assert col.stats()["documents"] == 1


def test_same_relative_path_from_another_folder_does_not_replace_a_document(tmp_path: Path) -> None:
    for folder, text in (("a/docs", "Cats purr."), ("b/docs", "Dogs bark.")):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "x.txt").write_text(text, encoding="utf-8")
    with Collection.open(tmp_path / "c") as col:
        col.ingest([tmp_path / "a/docs"])
        report = col.ingest([tmp_path / "b/docs"])
        assert report.updated == 0
        assert "its id 'x.txt' already belongs to" in report.skipped[0].reason
        assert col.search("cats", k=1)[0].text == "Cats purr."


def test_a_moved_folder_updates_its_documents(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x.txt").write_text("Cats purr.", encoding="utf-8")
    with Collection.open(tmp_path / "c") as col:
        col.ingest([tmp_path / "old"])
        (tmp_path / "old").rename(tmp_path / "new")
        (tmp_path / "new" / "x.txt").write_text("Cats purr loudly.", encoding="utf-8")
        report = col.ingest([tmp_path / "new"])
        assert report.updated == 1


def test_a_closed_collection_says_so_not_that_it_is_damaged(tmp_path: Path, corpus: Path) -> None:
    col = Collection.open(tmp_path / "col")
    col.ingest([corpus])
    col.close()
    with pytest.raises(StoreError, match="closed database") as caught:
        col.stats()
    assert "damaged" not in str(caught.value)


def test_text_that_is_not_unicode_is_an_input_error_in_every_mode(tmp_path: Path) -> None:
    with Collection.open(tmp_path / "c", model="tokenlearn-static-64") as col:
        col.add([Document("a", "Cats purr.", "a")])
        for mode in ("bm25", "dense", "hybrid"):  # bm25 alone used to drop the character and find nothing
            with pytest.raises(InputError, match="the query is not valid Unicode"):
                col.search("cats \ud800", mode=mode)
        with pytest.raises(InputError, match="the document id is not valid Unicode"):
            col.similar("a\udcff")
        with pytest.raises(InputError, match="the document id is not valid Unicode"):
            col.delete(["a\udcff"])
