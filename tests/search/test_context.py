from __future__ import annotations

import pytest

from embedrag.errors import InputError
from embedrag.search import build_context
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
