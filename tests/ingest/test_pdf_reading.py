"""PDFs as a reader sees them: no running heads or page numbers, hyphens joined, columns in order."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from embedrag.ingest import LoadOptions, Skipped
from embedrag.ingest.chunk import chunk_document
from embedrag.ingest.files import FileRef
from embedrag.ingest.limits import Limits
from embedrag.ingest.load import load_file
from embedrag.tokenize import Tokenizer
from embedrag.types import Document

BODY = [
    "Apples grow on trees in orchards and ripen in the autumn sun.",
    "Pears are picked green and ripen in a cool dark room for weeks.",
    "Plums are stone fruits that are dried to make prunes in winter.",
    "Cherries flower early in spring and their fruit needs warm days.",
]


def _pdf(draw: Callable[[FPDF], None]) -> bytes:
    pdf = FPDF(format="A4", unit="pt")
    pdf.set_font("Helvetica", size=11)
    draw(pdf)
    return bytes(pdf.output())


def _book(pdf: FPDF) -> None:
    """Four pages, each with a running head, a page number foot and a paragraph of two lines."""
    for number, sentence in enumerate(BODY, start=1):
        pdf.add_page()
        pdf.text(50, 40, "Fruit Growing Handbook - Chapter 2")
        first, second = sentence.split(" in ", 1)
        pdf.text(50, 100, first + " in")
        pdf.text(50, 114, second)
        pdf.text(290, 800, str(number))


def _hyphens(pdf: FPDF) -> None:
    pdf.add_page()
    pdf.text(50, 100, "The orchard keeper be-")
    pdf.text(50, 114, "comes an expert in grafting, a well-")
    pdf.text(50, 128, "Known craft.")


LINE = "of the left column runs the full width of its column"


def _columns(pdf: FPDF) -> None:
    # Drawn row by row across both columns: the file's order interleaves them.
    pdf.add_page()
    for i in range(6):
        pdf.text(50, 100 + 14 * i, f"L{i} {LINE}")
        pdf.text(320, 100 + 14 * i, f"R{i} right column text")


def _table(pdf: FPDF) -> None:
    pdf.add_page()
    for i, (name, value) in enumerate([("name", "value"), ("apple", "red"), ("pear", "green"), ("plum", "blue")] * 2):
        pdf.text(50, 100 + 14 * i, name)
        pdf.text(300, 100 + 14 * i, value)


LATEX_WORDS = "This document can be used according to the terms of the licence".split()  # noqa: SIM905


def _latex_like_pdf() -> bytes:
    """A page drawn as xelatex draws one: a composite font (Type0, Identity-H) whose subset has no
    space glyph, each line one TJ array whose pen moves (-364/1000 em) part the words. Code 32 is
    a glyph of its own ('='), wider than the moves, as in DejaVu's codes (a character's code is
    its code point less 29)."""
    line = b" -364 ".join(b"<" + "".join(f"{ord(c) - 29:04X}" for c in word).encode() + b">" for word in LATEX_WORDS)
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X-UTF16 def /CMapType 2 def\n"
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"1 beginbfrange <0004> <005D> <0021> endbfrange\nendcmap CMapName currentdict /CMap defineresource pop end end"
    )
    widths = " ".join("838" if code == 32 else "560" for code in range(4, 94))
    content = b"BT /F1 10 Tf 72 700 Td [" + line + b"] TJ ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 7 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+DejaVuSerif /Encoding /Identity-H "
        b"/DescendantFonts [5 0 R] /ToUnicode 6 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+DejaVuSerif /CIDToGIDMap /Identity "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 560 /W [4 ["
        + widths.encode()
        + b"]] >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out, offsets = bytearray(b"%PDF-1.5\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def pdf_file(tmp_path: Path) -> Callable[[str, bytes], Path]:
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


def _load(path: Path, options: LoadOptions = LoadOptions()) -> Document | Skipped:
    [item] = load_file(FileRef(path, path.name), options)
    return item


def test_running_heads_and_page_numbers_are_dropped(pdf_file) -> None:  # type: ignore[no-untyped-def]
    doc = _load(pdf_file("book.pdf", _pdf(_book)))
    assert isinstance(doc, Document)
    assert doc.text.split("\f") == [s.replace(" in ", " in\n", 1) for s in BODY]


def test_each_chunk_keeps_its_page_number(pdf_file, minilm: Tokenizer) -> None:  # type: ignore[no-untyped-def]
    doc = _load(pdf_file("book.pdf", _pdf(_book)))
    assert isinstance(doc, Document)
    chunks = chunk_document(doc, minilm, chunk_tokens=20, overlap_tokens=0)
    pages = {chunk.text.split()[0]: chunk.metadata["page"] for chunk in chunks}
    assert pages == {"Apples": 1, "Pears": 2, "Plums": 3, "Cherries": 4}


def test_hyphenated_line_ends_are_joined_real_hyphens_kept(pdf_file) -> None:  # type: ignore[no-untyped-def]
    doc = _load(pdf_file("hyphens.pdf", _pdf(_hyphens)))
    assert isinstance(doc, Document)
    assert doc.text == "The orchard keeper becomes an expert in grafting, a well-\nKnown craft."


def test_two_column_page_reads_column_by_column(pdf_file) -> None:  # type: ignore[no-untyped-def]
    doc = _load(pdf_file("columns.pdf", _pdf(_columns)))
    assert isinstance(doc, Document)
    lines = doc.text.split("\n")
    assert [line.split()[0] for line in lines] == [f"L{i}" for i in range(6)] + [f"R{i}" for i in range(6)]
    assert lines[0] == f"L0 {LINE}"


def test_a_table_keeps_its_rows(pdf_file) -> None:  # type: ignore[no-untyped-def]
    doc = _load(pdf_file("table.pdf", _pdf(_table)))
    assert isinstance(doc, Document)
    assert doc.text.split("\n")[:2] == ["name value", "apple red"]


def test_pdf_needing_a_password_is_skipped_with_that_reason(pdf_file) -> None:  # type: ignore[no-untyped-def]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(_hyphens))))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = pdf_file("locked.pdf", buffer.getvalue())
    assert _load(path) == Skipped(str(path), f"{path} is encrypted and needs a password")


def test_pdf_with_an_empty_user_password_is_read(pdf_file) -> None:  # type: ignore[no-untyped-def]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(_hyphens))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    doc = _load(pdf_file("no-copy.pdf", buffer.getvalue()))
    assert isinstance(doc, Document)
    assert doc.text.startswith("The orchard keeper becomes")


def test_pdf_over_the_page_limit_is_skipped_before_reading_its_text(pdf_file) -> None:  # type: ignore[no-untyped-def]
    path = pdf_file("book.pdf", _pdf(_book))
    options = LoadOptions(limits=Limits(pdf_pages=3))
    assert _load(path, options) == Skipped(str(path), f"{path} has 4 pages, over the limit of 3")


def test_pdf_over_the_size_limit_is_skipped_unread(pdf_file) -> None:  # type: ignore[no-untyped-def]
    path = pdf_file("book.pdf", _pdf(_book) + b"\n%" + b"x" * (1 << 20))
    item = _load(path, LoadOptions(limits=Limits(pdf_bytes=1 << 20)))
    assert isinstance(item, Skipped)
    assert item.reason.endswith("over the 1.0 MB limit for a PDF")


def test_latex_word_gaps_read_as_spaces(pdf_file) -> None:  # type: ignore[no-untyped-def]
    data = _latex_like_pdf()
    # pypdf alone runs the words together (its issue 3978): the case this reading exists for.
    assert PdfReader(io.BytesIO(data)).pages[0].extract_text() == "".join(LATEX_WORDS)
    doc = _load(pdf_file("latex.pdf", data))
    assert isinstance(doc, Document)
    assert doc.text == " ".join(LATEX_WORDS)


def test_a_pdf_of_ten_thousand_pages_is_skipped_by_the_default_limit(pdf_file) -> None:  # type: ignore[no-untyped-def]
    writer = PdfWriter()
    for _ in range(10_000):
        writer.add_blank_page(612, 792)
    buffer = io.BytesIO()
    writer.write(buffer)
    path = pdf_file("huge.pdf", buffer.getvalue())
    assert _load(path) == Skipped(str(path), f"{path} has 10,000 pages, over the limit of 3,000")
