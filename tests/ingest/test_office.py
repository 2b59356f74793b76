"""DOCX, PPTX and EPUB: text in reading order with headings; encrypted, damaged and zip-bomb files skipped."""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import docx
import pptx
import pytest
from pptx.util import Inches

from embedrag.ingest import LoadOptions, Skipped
from embedrag.ingest.chunk import chunk_document
from embedrag.ingest.files import FileRef
from embedrag.ingest.limits import Limits
from embedrag.ingest.load import load_file
from embedrag.tokenize import Tokenizer
from embedrag.types import Document


def _load(path: Path, options: LoadOptions = LoadOptions()) -> Document | Skipped:
    [item] = load_file(FileRef(path, path.name), options)
    return item


@pytest.fixture(scope="module")
def report_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    document = docx.Document()
    document.core_properties.title = "Orchard report"
    document.core_properties.author = "Ann"
    document.core_properties.created = datetime(2024, 3, 1, tzinfo=timezone.utc)
    document.add_heading("Orchard report", level=0)
    document.add_paragraph("Apples did well this year.")
    document.add_heading("Yields", level=1)
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("fruit", "tonnes"), ("apple", "12")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_heading("Pests", level=2)
    document.add_paragraph("Aphids came in May.", style="List Bullet")
    path = tmp_path_factory.mktemp("docx") / "report.docx"
    document.save(str(path))
    return path


def test_docx_text_in_order_with_headings_and_table_rows(report_docx: Path) -> None:
    doc = _load(report_docx)
    assert isinstance(doc, Document)
    assert doc.text == (
        "Orchard report\n\nApples did well this year.\n\nYields\n\nfruit | tonnes\napple | 12\n\n"
        "Pests\n\nAphids came in May."
    )
    assert [(level, title) for _, level, title in doc.metadata["outline"]] == [
        (1, "Orchard report"),
        (1, "Yields"),
        (2, "Pests"),
    ]
    assert all(doc.text.startswith(title, offset) for offset, _, title in doc.metadata["outline"])


def test_docx_properties_go_into_metadata(report_docx: Path) -> None:
    doc = _load(report_docx)
    assert isinstance(doc, Document)
    assert (doc.metadata["title"], doc.metadata["author"]) == ("Orchard report", "Ann")
    assert doc.metadata["published"].startswith("2024-03-01T00:00:00")


def test_docx_chunks_carry_their_heading_path(report_docx: Path, minilm: Tokenizer) -> None:
    doc = _load(report_docx)
    assert isinstance(doc, Document)
    chunks = chunk_document(doc, minilm, chunk_tokens=10, overlap_tokens=0)
    assert chunks[-1].text == "Pests\n\nAphids came in May."
    assert chunks[-1].metadata["headings"] == ["Yields", "Pests"]


def test_docx_zip_bomb_is_skipped_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (20 << 20))  # 20 MB of zeros pack to ~20 KB
    item = _load(path)
    assert isinstance(item, Skipped)
    assert item.reason.startswith(f"{path} unpacks ")
    assert item.reason.endswith("times its size (limit 200): a zip bomb, not a document")


def test_zip_over_the_unpacked_limit_is_skipped(report_docx: Path) -> None:
    item = _load(report_docx, LoadOptions(limits=Limits(unzipped_bytes=10_000)))
    assert isinstance(item, Skipped)
    assert item.reason.endswith("over the 9.8 KB limit") and "unpacks to" in item.reason


def test_encrypted_office_file_is_skipped_with_that_reason(tmp_path: Path) -> None:
    path = tmp_path / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)  # an OLE container, as Word writes one
    assert _load(path) == Skipped(
        str(path), f"{path} is encrypted or in the old binary format: save it as a DOCX file without a password"
    )


def test_damaged_docx_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a word file")
    item = _load(path)
    assert isinstance(item, Skipped)
    assert item.reason.startswith(f"{path} is not a readable DOCX file (")


def test_truncated_docx_is_skipped(report_docx: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.docx"
    path.write_bytes(report_docx.read_bytes()[:2000])
    item = _load(path)
    assert isinstance(item, Skipped)
    assert item.reason.startswith(f"{path} is not a readable DOCX file (not a zip: ")


def test_docx_without_the_office_extra_is_skipped_with_the_hint(
    report_docx: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "docx", None)  # import docx now raises ImportError
    item = _load(report_docx)
    assert isinstance(item, Skipped)
    assert "pip install" in item.reason and "[office]" in item.reason


def test_pptx_slides_are_pages_titles_are_headings(tmp_path: Path, minilm: Tokenizer) -> None:
    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])
    first.shapes.title.text = "Planting"
    first.placeholders[1].text = "Plant trees in late autumn."
    first.notes_slide.notes_text_frame.text = "Mention frost."
    second = deck.slides.add_slide(deck.slide_layouts[5])
    second.shapes.title.text = "Costs"
    table = second.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    for (r, c), text in {(0, 0): "item", (0, 1): "euro", (1, 0): "tree", (1, 1): "30"}.items():
        table.cell(r, c).text = text
    path = tmp_path / "talk.pptx"
    deck.save(str(path))
    doc = _load(path)
    assert isinstance(doc, Document)
    assert doc.text == "Planting\n\nPlant trees in late autumn.\n\nMention frost.\n\nCosts\n\nitem | euro\ntree | 30"
    assert [title for _, _, title in doc.metadata["outline"]] == ["Planting", "Costs"]
    chunks = chunk_document(doc, minilm, chunk_tokens=12, overlap_tokens=0)
    assert [(c.text.split()[0], c.metadata["page"]) for c in chunks] == [("Planting", 1), ("Costs", 2)]


CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>
<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"""
OPF = """<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Fruit Trees</dc:title>
<dc:creator>Ann Gardener</dc:creator><dc:language>en</dc:language></metadata>
<manifest><item id="c2" href="text/ch%202.xhtml" media-type="application/xhtml+xml"/>
<item id="c1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>
<item id="css" href="style.css" media-type="text/css"/>
<item id="toc" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/></manifest>
<spine><itemref idref="toc"/><itemref idref="c1"/><itemref idref="c2"/></spine></package>"""
CHAPTER = """<html xmlns="http://www.w3.org/1999/xhtml"><body><nav>Contents | Next</nav>
<h1>{title}</h1><p>{body}</p></body></html>"""


def test_epub_chapters_in_spine_order_without_furniture(tmp_path: Path) -> None:
    path = tmp_path / "book.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", CONTAINER)
        archive.writestr("OEBPS/content.opf", OPF)
        archive.writestr("OEBPS/text/ch1.xhtml", CHAPTER.format(title="Apples", body="Apples like sun."))
        archive.writestr("OEBPS/text/ch 2.xhtml", CHAPTER.format(title="Pears", body="Pears like shade."))
        archive.writestr("OEBPS/style.css", "p { margin: 0 }")
        archive.writestr("OEBPS/nav.xhtml", "<html><body><nav><ol><li>Apples</li><li>Pears</li></ol></nav></body>")
    doc = _load(path)
    assert isinstance(doc, Document)
    assert doc.text == "Apples\n\nApples like sun.\n\nPears\n\nPears like shade."
    assert doc.metadata["outline"] == [[0, 1, "Apples"], [26, 1, "Pears"]]
    assert (doc.metadata["title"], doc.metadata["author"], doc.metadata["language"]) == (
        "Fruit Trees",
        "Ann Gardener",
        "en",
    )


def test_epub_without_a_package_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "empty.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
    item = _load(path)
    assert isinstance(item, Skipped)
    assert item.reason.startswith(f"{path} is not a readable EPUB (KeyError: ")


def test_unread_format_is_skipped_by_its_suffix(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(io.BytesIO(b"PK\x03\x04").getvalue())
    item = _load(path)
    assert isinstance(item, Skipped)
    assert item.reason.startswith(f"{path} is a .xlsx file, a format no loader reads (known: .txt, ")
