"""One loader per format: text, Markdown, HTML, PDF, and plain text for unknown suffixes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfWriter

from embedrag.ingest import STRUCTURE_KEYS, Skipped
from embedrag.types import Document

FIXTURES = Path(__file__).parent / "fixtures"


def test_text_file_is_one_document_with_its_text_as_is(write, load_one) -> None:  # type: ignore[no-untyped-def]
    path = write("notes.txt", "Line one.\r\n\r\nLine two.\n")
    doc = load_one(path)
    assert isinstance(doc, Document)
    assert (doc.id, doc.text, doc.source) == ("notes.txt", "Line one.\r\n\r\nLine two.\n", str(path))


def test_unknown_suffix_is_read_as_plain_text(write, load_one) -> None:  # type: ignore[no-untyped-def]
    doc = load_one(write("Makefile", "all:\n\techo hi\n"))
    assert isinstance(doc, Document)
    assert doc.text == "all:\n\techo hi\n"


def test_markdown_keeps_its_text_and_records_headings(write, load_one) -> None:  # type: ignore[no-untyped-def]
    text = "# Guide\n\nIntro.\n\n## Install\n\nRun it.\n"
    doc = load_one(write("guide.md", text))
    assert isinstance(doc, Document)
    assert doc.text == text
    assert doc.metadata["outline"] == [[0, 1, "Guide"], [17, 2, "Install"]]


def test_markdown_hash_lines_inside_code_fences_are_not_headings(write, load_one) -> None:  # type: ignore[no-untyped-def]
    doc = load_one(write("code.md", "# Real\n\n```bash\n# a shell comment\n```\n"))
    assert [h[2] for h in doc.metadata["outline"]] == ["Real"]


def test_markdown_setext_headings_count(write, load_one) -> None:  # type: ignore[no-untyped-def]
    doc = load_one(write("setext.md", "Title\n=====\n\nBody\n"))
    assert doc.metadata["outline"] == [[0, 1, "Title"]]


def test_markdown_front_matter_is_not_a_heading(write, load_one) -> None:  # type: ignore[no-untyped-def]
    # CommonMark reads "---, lines, ---" as a thematic break and a setext heading: the YAML became the
    # heading path of every chunk after it (and the line embedded before them).
    text = "---\ntitle: Release notes\ndate: 2024-01-01\n---\n\n### Fixes\n\nNo crash.\n\nEnd\n---\n"
    doc = load_one(write("notes.md", text))
    assert doc.text == text
    assert doc.metadata["outline"] == [[47, 3, "Fixes"], [69, 2, "End"]]


@pytest.mark.parametrize("close", ["---", "..."])
def test_markdown_front_matter_with_crlf_lines_is_not_a_heading(write, load_one, close: str) -> None:  # type: ignore[no-untyped-def]
    doc = load_one(write("notes.md", f"---\r\ntitle: x\r\n{close}\r\nIntro\r\n===\r\n"))
    assert doc.metadata["outline"] == [[20, 1, "Intro"]]


def test_html_keeps_visible_text_only(write, load_one) -> None:  # type: ignore[no-untyped-def]
    html = (
        "<html><head><title>Page</title><style>p {color: red}</style></head>"
        "<body><p>Hello <b>world</b></p><script>alert('no')</script><div hidden>secret</div></body></html>"
    )
    doc = load_one(write("page.html", html))
    assert isinstance(doc, Document)
    assert doc.text == "Hello world"
    assert doc.metadata["title"] == "Page"


def test_html_blocks_are_separated_by_newlines(write, load_one) -> None:  # type: ignore[no-untyped-def]
    doc = load_one(write("list.htm", "<p>First</p><p>Second</p><ul><li>one</li><li>two</li></ul><div>a</div>b"))
    assert doc.text == "First\n\nSecond\n\none\ntwo\n\na\nb"


def test_html_whitespace_collapses_except_in_pre(write, load_one) -> None:  # type: ignore[no-untyped-def]
    doc = load_one(write("pre.html", "<p>a \n  b</p><pre>x\n    y</pre>"))
    assert doc.text == "a b\n\nx\n    y"


def test_html_headings_are_recorded_at_their_offsets(write, load_one) -> None:  # type: ignore[no-untyped-def]
    doc = load_one(write("h.html", "<h1>Top</h1><p>Intro</p><h2>Sub <em>part</em></h2><p>Body</p>"))
    assert doc.text == "Top\n\nIntro\n\nSub part\n\nBody"
    assert doc.metadata["outline"] == [[0, 1, "Top"], [12, 2, "Sub part"]]
    assert all(doc.text.startswith(title, offset) for offset, _, title in doc.metadata["outline"])


def test_html_without_visible_text_is_skipped(write, load_one) -> None:  # type: ignore[no-untyped-def]
    path = write("empty.html", "<html><head><script>x()</script></head><body>  </body></html>")
    assert load_one(path) == Skipped(str(path), f"{path} has no visible text")


def test_pdf_pages_are_joined_by_form_feeds(load_one) -> None:  # type: ignore[no-untyped-def]
    doc = load_one(FIXTURES / "two_pages.pdf")
    assert isinstance(doc, Document)
    assert doc.text == "The first page talks about apples.\fThe second page talks about pears."
    assert doc.metadata["pages"] == 2


def test_pdf_page_starts_point_at_each_page(load_one) -> None:  # type: ignore[no-untyped-def]
    doc = load_one(FIXTURES / "two_pages.pdf")
    starts = doc.metadata["page_starts"]
    assert starts == [0, 35]
    assert doc.text[starts[1] :].startswith("The second page")


def test_pdf_without_text_is_skipped(write, load_one) -> None:  # type: ignore[no-untyped-def]
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    buffer = io.BytesIO()
    writer.write(buffer)
    path = write("scan.pdf", buffer.getvalue())
    assert load_one(path) == Skipped(str(path), f"{path} has no extractable text (a scanned PDF needs OCR first)")


def test_damaged_pdf_is_skipped(write, load_one) -> None:  # type: ignore[no-untyped-def]
    path = write("broken.pdf", b"%PDF-1.7\nthis is not a pdf body")
    item = load_one(path)
    assert isinstance(item, Skipped)
    assert item.reason.startswith(f"{path} is not a readable PDF (")


def test_structure_keys_name_the_outline_and_page_starts() -> None:
    assert STRUCTURE_KEYS == ("outline", "page_starts")
