from __future__ import annotations

import pytest

from embedrag.errors import InputError
from embedrag.rag import build_context
from embedrag.tokenize import load_tokenizer
from embedrag.types import Hit


def _hit(n: int, text: str) -> Hit:
    return Hit(id=f"d{n}#0", score=1.0 / n, text=text, source=f"docs/{n}.md", metadata={}, doc_id=f"d{n}")


@pytest.fixture(scope="module")
def tokenizer():  # type: ignore[no-untyped-def]
    return load_tokenizer("cl100k_base")


def test_passages_are_numbered_and_cited_in_rank_order(tokenizer) -> None:  # type: ignore[no-untyped-def]
    context = build_context("Who won?", [_hit(1, "Alpha won."), _hit(2, "Beta lost.")], tokenizer=tokenizer)
    assert context.prompt.startswith("[1] (source: docs/1.md)\nAlpha won.\n\n[2] (source: docs/2.md)")
    assert context.prompt.rstrip().endswith("Question: Who won?")
    assert [m["role"] for m in context.messages] == ["system", "user"]
    assert context.skipped == 0


def test_budget_skips_whole_passages_and_counts_them(tokenizer) -> None:  # type: ignore[no-untyped-def]
    long = "word " * 400
    hits = [_hit(1, "Short one."), _hit(2, long), _hit(3, "Short three.")]
    context = build_context("q?", hits, tokenizer=tokenizer, budget=60)
    assert [h.id for h in context.passages] == ["d1#0", "d3#0"]
    assert context.skipped == 1
    assert "[2] (source: docs/3.md)" in context.prompt  # renumbered: citations stay contiguous
    assert context.tokens <= 60


def test_question_over_budget_is_an_error(tokenizer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="over the budget"):
        build_context("why " * 100, [], tokenizer=tokenizer, budget=10)


def test_empty_question_is_an_error(tokenizer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="question is empty"):
        build_context("  ", [], tokenizer=tokenizer)


DOC = "Alpha one. Beta two. Gamma three. Delta four. Epsilon five."


def _chunk(position: int, start: int, end: int, score: float, doc: str = "doc") -> Hit:
    return Hit(f"{doc}#{position}", score, DOC[start:end], f"{doc}.txt", {}, doc, start, end)


def test_consecutive_chunks_of_a_document_become_one_passage(tokenizer) -> None:  # type: ignore[no-untyped-def]
    hits = [
        _chunk(1, 11, 34, 0.9),  # "Beta two. Gamma three." overlaps the next chunk by "Gamma three."
        _hit(7, "Elsewhere."),
        _chunk(2, 21, 46, 0.5),  # "Gamma three. Delta four."
        _chunk(0, 0, 20, 0.4),  # "Alpha one. Beta two."
    ]
    context = build_context("q?", hits, tokenizer=tokenizer)
    assert [h.id for h in context.passages] == ["doc#0-2", "d7#0"]  # at the rank of its best chunk
    joined = context.passages[0]
    assert joined.text == DOC[0:46] and (joined.start, joined.end, joined.score) == (0, 46, 0.9)
    assert context.prompt.count("Gamma three.") == 1
    assert context.skipped == 0


def test_chunks_with_a_gap_between_them_stay_apart(tokenizer) -> None:  # type: ignore[no-untyped-def]
    hits = [_chunk(0, 0, 10, 0.9), _chunk(2, 34, 46, 0.8), _chunk(0, 0, 10, 0.7, doc="other")]
    context = build_context("q?", hits, tokenizer=tokenizer)
    assert [h.id for h in context.passages] == ["doc#0", "doc#2", "other#0"]


def test_chunks_that_do_not_overlap_join_with_a_line_break_and_can_be_kept_apart(tokenizer) -> None:  # type: ignore[no-untyped-def]
    hits = [_chunk(0, 0, 10, 0.9), _chunk(1, 11, 20, 0.8)]
    assert build_context("q?", hits, tokenizer=tokenizer).passages[0].text == "Alpha one.\nBeta two."
    apart = build_context("q?", hits, tokenizer=tokenizer, join_neighbours=False)
    assert [h.id for h in apart.passages] == ["doc#0", "doc#1"]


def test_a_joined_passage_over_the_budget_counts_all_its_hits(tokenizer) -> None:  # type: ignore[no-untyped-def]
    hits = [_chunk(0, 0, 20, 0.9), _chunk(1, 11, 34, 0.8), _hit(3, "Short.")]
    context = build_context("q?", hits, tokenizer=tokenizer, budget=20)
    assert [h.id for h in context.passages] == ["d3#0"]
    assert context.skipped == 2
