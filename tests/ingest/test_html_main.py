"""HTML main content: a docs page's navigation, sidebar, footer and "¶" permalinks stay out of the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedrag.collection import Collection
from embedrag.ingest import LoadOptions, Skipped, load_path
from embedrag.ingest.files import FileRef
from embedrag.ingest.html import html_page
from embedrag.ingest.limits import Limits
from embedrag.ingest.load import load_file
from embedrag.types import Document

SPHINX = Path(__file__).parent / "fixtures" / "sphinx_argparse.html"
H1 = "argparse — Parser for command-line options, arguments and sub-commands"
# Text of the page's furniture: the navigation bars, the sidebar, the search box, the footer.
FURNITURE = (
    "Table of Contents",
    "Previous topic",
    "Next topic",
    "This Page",
    "Report a Bug",
    "Show Source",
    "3.11.2 Documentation",
    "The Python Standard Library",
    "Quick search",
    "Navigation",
    "Copyright",
    "Please donate",
    "Created using",
)


@pytest.fixture(scope="module")
def sphinx_doc() -> Document:
    [doc] = load_path(SPHINX)
    assert isinstance(doc, Document)
    return doc


def test_sphinx_page_keeps_no_furniture(sphinx_doc: Document) -> None:
    found = [phrase for phrase in FURNITURE if phrase in sphinx_doc.text]
    assert found == []
    assert "¶" not in sphinx_doc.text


def test_sphinx_page_keeps_its_body_code_and_tables(sphinx_doc: Document) -> None:
    text = sphinx_doc.text
    assert text.startswith(H1 + "\n\nNew in version 3.2.")
    assert "The argparse module makes it easy to write user-friendly command-line interfaces." in text
    assert "parser.add_argument('-c', '--count')      # option that takes a value" in text  # <pre> kept as is
    assert "\nchoices | Limit values to a specific set of choices | ['foo', 'bar'], range(1, 10)" in text
    assert "This page contains the API reference information." in text  # the in-body sidebar note stays
    assert text.rstrip().endswith("The following sections walk you through this example.")


def test_sphinx_headings_are_clean_and_point_at_their_text(sphinx_doc: Document) -> None:
    outline = sphinx_doc.metadata["outline"]
    assert [(level, title) for _, level, title in outline] == [
        (1, H1),
        (2, "Core Functionality"),
        (2, "Quick Links for add_argument()"),
        (2, "Example"),
    ]
    assert all(sphinx_doc.text.startswith(title, offset) for offset, _, title in outline)


def test_sphinx_page_metadata(sphinx_doc: Document) -> None:
    meta = sphinx_doc.metadata
    assert meta["title"] == H1 + " — Python 3.11.2 documentation"
    assert meta["canonical"] == "https://docs.python.org/3/library/argparse.html"
    assert meta["language"] == "en"


def test_parse_command_line_options_finds_the_text_not_the_navigation(tmp_path: Path) -> None:
    # Issue 16: this query's top hit was argparse.html#2, headed "Navigation", starting with the navigation bar.
    with Collection.open(tmp_path / "col") as col:
        col.ingest([SPHINX])
        chunks = list(col.chunks())
        [top] = col.search("parse command line options", k=1)
    assert [c.metadata["headings"] for c in chunks if not c.metadata["headings"] or "¶" in str(c.metadata)] == []
    assert all(c.metadata["headings"][0] == H1 for c in chunks)
    assert [c.id for c in chunks if any(phrase in c.text for phrase in FURNITURE)] == []
    assert top.metadata["headings"][0] == H1
    assert not top.text.startswith(("index", "Navigation"))


PAGE = """<!doctype html><html lang="de"><head><title>Brot backen</title>
<meta property="article:published_time" content="2024-03-01T08:00:00Z">
<meta property="article:modified_time" content="2024-04-02"></head><body>
<div id="cookie-banner"><p>We use cookies.</p><button>Accept all</button></div>
<header class="site-header"><a href="/">Home</a> <a href="/blog">Blog</a></header>
<nav><ul><li>Recipes</li><li>About</li></ul></nav>
<article><header><h1>Bread<a class="anchor" href="#bread">#</a></h1><p>By Ann</p></header>
<p>Mix flour, water and salt.</p><aside>Tip: use rye.</aside>
<footer><a href="/share">Share on social media</a></footer></article>
<aside class="sidebar"><h2>Popular posts</h2><p>Cakes</p></aside>
<footer><p>Imprint | Privacy</p></footer></body></html>"""


def test_article_page_keeps_its_header_and_notes_not_the_site_around_it() -> None:
    page = html_page(PAGE)
    assert page.text == "Bread\n\nBy Ann\n\nMix flour, water and salt.\n\nTip: use rye."
    assert page.outline == [[0, 1, "Bread"]]
    assert page.metadata == {
        "title": "Brot backen",
        "language": "de",
        "published": "2024-03-01T08:00:00Z",
        "modified": "2024-04-02",
    }


def test_page_without_main_region_keeps_its_body_without_furniture() -> None:
    page = html_page(
        "<body><div class='navbar'>Home | Docs</div><div class='cookie-consent'>OK?</div>"
        "<h2>Setup<a href='#setup'>¶</a></h2><p>Run make.</p><div class='footer'>(c) me</div></body>"
    )
    assert page.text == "Setup\n\nRun make."
    assert page.outline == [[0, 2, "Setup"]]


def test_page_that_is_all_furniture_falls_back_to_its_visible_text() -> None:
    page = html_page("<body><nav><a href='/a'>Alpha</a> <a href='/b'>Beta</a></nav></body>")
    assert page.text == "Alpha Beta"


def test_empty_main_region_falls_back_to_the_body() -> None:
    page = html_page("<body><main><nav>Menu</nav></main><div class='text'><p>The real text.</p></div></body>")
    assert page.text == "The real text."


def test_hidden_and_aria_hidden_elements_are_dropped() -> None:
    page = html_page("<main><p>Seen.</p><p style='display: none'>Unseen.</p><span aria-hidden='true'>x</span></main>")
    assert page.text == "Seen."


def test_html_over_the_size_limit_is_skipped_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    path.write_text("<p>" + "word " * 300_000 + "</p>")
    options = LoadOptions(limits=Limits(html_bytes=1 << 20))
    [item] = load_file(FileRef(path, "huge.html"), options)
    assert item == Skipped(str(path), f"{path} is 1.4 MB, over the 1.0 MB limit for an HTML page")


def test_a_50_mb_page_is_skipped_by_the_default_limit_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as page:  # sparse: 50 MB on paper, nothing to write
        page.write(b"<p>")
        page.truncate(50 << 20)
    [item] = load_file(FileRef(path, "huge.html"), LoadOptions())
    assert item == Skipped(str(path), f"{path} is 50.0 MB, over the 16.0 MB limit for an HTML page")


def test_collection_ingest_passes_limits_to_the_loaders(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "big.html"
    page.parent.mkdir()
    page.write_text("<main><p>" + "word " * 5_000 + "</p></main>")
    with Collection.open(tmp_path / "col") as col:
        report = col.ingest([page.parent], limits=Limits(html_bytes=10_000))
    assert report.added == 0
    assert [s.reason for s in report.skipped] == [f"{page} is 24.4 KB, over the 9.8 KB limit for an HTML page"]
