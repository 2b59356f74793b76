"""Chunking: exact offsets, token limits checked by re-tokenizing, overlap, structure preferences."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from gensim.test.utils import datapath
from hypothesis import given, settings
from hypothesis import strategies as st

from embedrag.errors import ConfigError
from embedrag.ingest import chunk_document, load_path
from embedrag.ingest.markdown import markdown_outline
from embedrag.tokenize import Tokenizer, load_tokenizer
from embedrag.types import Chunk, Document

FIXTURES = Path(__file__).parent / "fixtures"


def _bare(tokenizer: Tokenizer, text: str) -> int:
    return tokenizer.count(text) - tokenizer.count("")


def _sentences(n: int) -> str:
    return " ".join(f"Sentence number {i} talks about topic {i % 7}." for i in range(n))


@pytest.fixture(scope="module")
def lee() -> Document:
    text = Path(datapath("lee_background.cor")).read_text(encoding="utf-8")[:60_000]
    return Document("lee.txt", text, "lee.txt")


def _check_invariants(doc: Document, chunks: list[Chunk], tokenizer: Tokenizer, limit: int) -> None:
    assert [c.position for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.tokens == _bare(tokenizer, chunk.text) <= limit
    for before, after in itertools.pairwise(chunks):
        assert before.start < after.start
        # Nothing is lost between chunks: they overlap or only tokenless text lies between.
        assert after.start <= before.end or _tokenless(tokenizer, doc.text[before.end : after.start])
    if chunks:
        assert _tokenless(tokenizer, doc.text[: chunks[0].start])
        assert _tokenless(tokenizer, doc.text[chunks[-1].end :])


def _tokenless(tokenizer: Tokenizer, text: str) -> bool:
    """Only whitespace, or characters the tokenizer drops (control characters for BERT)."""
    return not text.strip() or _bare(tokenizer, text) == 0


_ALPHABET = st.sampled_from([*list("abc xyz.,!?\n\n\t-'"), "é", "ß", "中", "文", "😀", "\r\n", "\x0c", "##", "  "])


@settings(max_examples=150, deadline=None)
@given(
    text=st.lists(st.one_of(_ALPHABET, st.text(min_size=1, max_size=12)), max_size=80).map("".join),
    limit=st.integers(min_value=1, max_value=24),
    overlap_share=st.floats(min_value=0.0, max_value=0.9),
)
def test_chunks_have_exact_offsets_and_fit_the_limit(minilm, text: str, limit: int, overlap_share: float) -> None:  # type: ignore[no-untyped-def]
    doc = Document("d", text, "d")
    overlap = min(limit - 1, int(limit * overlap_share))
    _check_invariants(doc, chunk_document(doc, minilm, chunk_tokens=limit, overlap_tokens=overlap), minilm, limit)


def test_every_chunk_of_real_text_fits_when_re_tokenized(minilm, lee: Document) -> None:  # type: ignore[no-untyped-def]
    chunks = chunk_document(lee, minilm)
    assert len(chunks) > 20
    _check_invariants(lee, chunks, minilm, 254)
    assert min(c.tokens for c in chunks[:-1]) >= 127  # no tiny chunks in running text


def test_tokenizer_without_offsets_also_fits_the_limit(lee: Document) -> None:
    cl100k = load_tokenizer("cl100k_base")
    doc = Document("lee", lee.text[:20_000], "lee")
    _check_invariants(doc, chunk_document(doc, cl100k, chunk_tokens=64, overlap_tokens=8), cl100k, 64)


def test_consecutive_chunks_overlap_by_at_most_overlap_tokens(minilm) -> None:  # type: ignore[no-untyped-def]
    doc = Document("s", _sentences(60), "s")
    chunks = chunk_document(doc, minilm, chunk_tokens=50, overlap_tokens=12)
    for before, after in itertools.pairwise(chunks):
        assert after.start < before.end
        assert 0 < _bare(minilm, doc.text[after.start : before.end]) <= 12


def test_zero_overlap_gives_disjoint_chunks(minilm) -> None:  # type: ignore[no-untyped-def]
    chunks = chunk_document(Document("s", _sentences(60), "s"), minilm, chunk_tokens=50, overlap_tokens=0)
    assert all(after.start >= before.end for before, after in itertools.pairwise(chunks))


def test_overlap_starts_at_a_sentence_when_one_is_in_reach(minilm) -> None:  # type: ignore[no-untyped-def]
    chunks = chunk_document(Document("s", _sentences(60), "s"), minilm, chunk_tokens=50, overlap_tokens=20)
    assert all(c.text.startswith("Sentence number") for c in chunks)


def test_chunks_end_at_sentence_ends_within_a_paragraph(minilm) -> None:  # type: ignore[no-untyped-def]
    chunks = chunk_document(Document("s", _sentences(60), "s"), minilm, chunk_tokens=50, overlap_tokens=0)
    assert all(c.text.endswith(".") for c in chunks)


def test_paragraph_boundary_is_preferred_over_a_later_sentence_end(minilm) -> None:  # type: ignore[no-untyped-def]
    first, second = _sentences(4), _sentences(4)
    doc = Document("p", f"{first}\n\n{second}", "p")
    tokens = _bare(minilm, first)
    chunks = chunk_document(doc, minilm, chunk_tokens=tokens + 20, overlap_tokens=0)
    assert [c.text for c in chunks] == [first, second]


def test_crlf_blank_lines_are_paragraph_boundaries(minilm) -> None:  # type: ignore[no-untyped-def]
    first = _sentences(4)
    doc = Document("p", f"{first}\r\n\r\n{_sentences(4)}", "p")
    chunks = chunk_document(doc, minilm, chunk_tokens=_bare(minilm, first) + 20, overlap_tokens=0)
    assert chunks[0].text == first


def test_without_punctuation_chunks_end_at_whitespace(minilm) -> None:  # type: ignore[no-untyped-def]
    doc = Document("w", "lorem ipsum dolor sit amet " * 40, "w")
    chunks = chunk_document(doc, minilm, chunk_tokens=16, overlap_tokens=0)
    assert all(doc.text[c.end] == " " for c in chunks[:-1])
    assert all(c.tokens <= 16 for c in chunks)


def test_a_word_longer_than_the_limit_is_cut_inside(minilm) -> None:  # type: ignore[no-untyped-def]
    word = "antidisestablishmentarianism"  # several word pieces
    doc = Document("w", f"{word} ok", "w")
    chunks = chunk_document(doc, minilm, chunk_tokens=2, overlap_tokens=0)
    assert len(chunks) > 2
    assert all(_bare(minilm, c.text) == c.tokens <= 2 for c in chunks)
    assert "".join(c.text for c in chunks[:-1]) == word


def test_markdown_chunks_carry_the_heading_path(write, minilm) -> None:  # type: ignore[no-untyped-def]
    text = f"# Guide\n\n{_sentences(3)}\n\n## Install\n\n{_sentences(3)}\n\n## Usage\n\n{_sentences(3)}\n"
    [doc] = list(load_path(write("guide.md", text)))
    chunks = chunk_document(doc, minilm, chunk_tokens=50, overlap_tokens=0)  # type: ignore[arg-type]
    assert [c.metadata["headings"] for c in chunks] == [["Guide"], ["Guide", "Install"], ["Guide", "Usage"]]
    assert [c.text.split("\n")[0] for c in chunks] == ["# Guide", "## Install", "## Usage"]


def test_no_overlap_is_carried_across_a_heading(minilm) -> None:  # type: ignore[no-untyped-def]
    text = f"# A\n\n{_sentences(3)}\n\n# B\n\n{_sentences(3)}"
    doc = Document("m", text, "m", {"outline": markdown_outline(text)})
    chunks = chunk_document(doc, minilm, chunk_tokens=50, overlap_tokens=20)
    assert [c.metadata["headings"] for c in chunks] == [["A"], ["B"]]
    assert chunks[1].text.startswith("# B")


def test_plain_text_chunks_have_no_heading_metadata(minilm) -> None:  # type: ignore[no-untyped-def]
    [chunk] = chunk_document(Document("t", "just text", "t"), minilm)
    assert chunk.metadata == {}


def test_pdf_chunks_know_their_page(minilm) -> None:  # type: ignore[no-untyped-def]
    [doc] = list(load_path(FIXTURES / "two_pages.pdf"))
    chunks = chunk_document(doc, minilm, chunk_tokens=8, overlap_tokens=0)  # type: ignore[arg-type]
    assert [c.metadata["page"] for c in chunks] == [1, 2]
    assert chunks[1].text.startswith("The second page")


def test_chunking_is_deterministic(minilm, lee: Document) -> None:  # type: ignore[no-untyped-def]
    assert chunk_document(lee, minilm, chunk_tokens=100) == chunk_document(lee, minilm, chunk_tokens=100)


def test_whitespace_only_text_gives_no_chunks(minilm) -> None:  # type: ignore[no-untyped-def]
    assert chunk_document(Document("e", " \n\t ", "e"), minilm) == []


def test_tokens_strategy_fills_windows_regardless_of_paragraphs(minilm) -> None:  # type: ignore[no-untyped-def]
    doc = Document("p", f"{_sentences(2)}\n\n{_sentences(8)}", "p")
    chunks = chunk_document(doc, minilm, chunk_tokens=60, overlap_tokens=0, strategy="tokens")
    assert all(c.tokens >= 58 for c in chunks[:-1])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"chunk_tokens": 0}, "chunk_tokens must be at least 1, got 0"),
        ({"chunk_tokens": 10, "overlap_tokens": 10}, r"overlap_tokens must be in \[0, chunk_tokens=10\), got 10"),
        ({"overlap_tokens": -1}, r"overlap_tokens must be in \[0, chunk_tokens=254\), got -1"),
        ({"strategy": "semantic"}, "unknown chunking strategy 'semantic'; known: structure, tokens"),
    ],
)
def test_bad_options_are_config_errors(minilm, options: dict[str, object], message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=message):
        chunk_document(Document("x", "text", "x"), minilm, **options)  # type: ignore[arg-type]
