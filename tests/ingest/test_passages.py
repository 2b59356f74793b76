"""What a collection embeds for a chunk: the title and heading path, then the reader's text."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from embedrag.collection import Collection
from embedrag.errors import ConfigError
from embedrag.ingest import chunk_document
from embedrag.ingest.passages import CONTEXT_SHARE, Passages, context_parts
from embedrag.ingest.spans import bare_counter
from embedrag.tokenize import Tokenizer
from embedrag.types import Document

H1 = "argparse — Parser for command-line options"
PAGE = Document(
    "argparse.html",
    f"{H1}\n\nThe argparse module makes command-line interfaces.\n\nSub-commands\n\nMany programs split up "
    "their functionality into a number of sub-commands, for example svn checkout and svn update.\n",
    "argparse.html",
    {
        "title": f"{H1} — Python 3.11.2 documentation",
        "outline": [[0, 1, H1], [len(H1) + 53, 2, "Sub-commands"]],
    },
)


def test_the_title_gives_way_to_the_first_heading_it_holds() -> None:
    title = f"{H1} — Python 3.11.2 documentation"
    assert context_parts("title-headings", {"title": title}, [H1, "Sub-commands"]) == [H1, "Sub-commands"]
    assert context_parts("title-headings", {"title": title}, []) == [title]
    assert context_parts("title-headings", {"title": "Report"}, ["Intro"]) == ["Report", "Intro"]
    assert context_parts("title-headings", {"title": "  Two\n words "}, ["Two words"]) == ["Two words"]
    assert context_parts("title-headings", {}, ["A", "A", "B"]) == ["A", "B"]
    assert context_parts("none", {"title": title}, [H1]) == []


def test_each_chunk_is_embedded_under_its_line_and_stored_as_the_reader_reads_it(minilm: Tokenizer) -> None:
    passages = Passages(minilm, 20, 4, context="title-headings", room=254).cut(PAGE)
    assert len(passages) > 1
    for passage in passages:
        chunk = passage.chunk
        assert PAGE.text[chunk.start : chunk.end] == chunk.text
        line = " > ".join(chunk.metadata["headings"])
        assert passage.text == f"{line}\n\n{chunk.text}"
    assert passages[-1].text.startswith(f"{H1} > Sub-commands\n\n")


def test_a_document_without_title_or_headings_is_embedded_as_before(minilm: Tokenizer) -> None:
    doc = Document("a.txt", "One sentence here. " * 200, "a.txt", {"path": "a.txt"})
    passages = Passages(minilm, 254, 32, context="title-headings", room=254).cut(doc)
    assert [p.chunk for p in passages] == chunk_document(doc, minilm, chunk_tokens=254, overlap_tokens=32)
    assert all(p.text == p.chunk.text for p in passages)


def test_line_and_chunk_fit_the_window_together(minilm: Tokenizer) -> None:
    count = bare_counter(minilm)
    outline = [[0, 1, "Guide"], [5000, 2, "A very long heading " * 30]]  # longer than the share
    doc = Document("g.md", "word " * 2000, "g.md", {"title": "The manual", "outline": outline})
    room = 100
    passages = Passages(minilm, room, 10, context="title-headings", room=room).cut(doc)
    assert max(p.chunk.tokens for p in passages) == room - int(CONTEXT_SHARE * room)
    assert all(count(p.text) <= room for p in passages)
    assert all(p.text.endswith(p.chunk.text) for p in passages)
    # The long heading's chunks shed the outer parts of their line and keep what fits, or none.
    deep = [p for p in passages if p.chunk.start >= 5000]
    assert deep and all(p.text == p.chunk.text for p in deep)  # even the innermost heading alone is too long
    assert passages[0].text.startswith("The manual > Guide\n\n")


def test_an_unknown_passage_context_is_refused(minilm: Tokenizer, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown passage_context 'titles'; known: none, title-headings"):
        Passages(minilm, 100, context="titles")
    with pytest.raises(ConfigError, match="unknown passage_context"):
        Collection.open(tmp_path / "c", passage_context="titles")
    assert not Collection.exists(tmp_path / "c")


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pages") / "guide.md"
    path.write_text("# Install\n\nRun the installer.\n\n## From source\n\nBuild it with make.\n", encoding="utf-8")
    return path


def _stored_and_fresh(col: Collection) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    chunks = list(col.chunks(with_vectors=True))
    stored = np.stack([c.vector for c in chunks])
    texts = [c.text for c in chunks]
    document = col.embedder.for_role("document")
    alone = document.embed(texts).vectors
    under = document.embed([f"{' > '.join(c.metadata['headings'])}\n\n{c.text}" for c in chunks]).vectors
    return stored, alone, under, texts


def test_a_new_collection_records_and_embeds_the_headings(tmp_path: Path, page_file: Path) -> None:
    with Collection.open(tmp_path / "c", chunk_tokens=12, overlap_tokens=0) as col:
        col.ingest([page_file])
        assert col.spec.passage_context == col.stats()["passage_context"] == "title-headings"
        stored, alone, under, texts = _stored_and_fresh(col)
    assert texts == ["# Install\n\nRun the installer.", "## From source\n\nBuild it with make."]
    np.testing.assert_allclose(stored, under, atol=1e-5)
    assert not np.allclose(stored, alone, atol=1e-3)


def test_a_collection_written_before_keeps_embedding_chunks_alone(tmp_path: Path, page_file: Path) -> None:
    root = tmp_path / "old"
    Collection.open(root, passage_context="none").close()
    # As a collection written before the spec named a passage context: the key is absent.
    with sqlite3.connect(root / "collection.db") as conn:
        spec = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'spec'").fetchone()[0])
        del spec["passage_context"]
        conn.execute("UPDATE meta SET value = ? WHERE key = 'spec'", (json.dumps(spec, sort_keys=True),))
    with Collection.open(root) as col:
        assert col.spec.passage_context == col.stats()["passage_context"] == "none"
        col.ingest([page_file])
        stored, alone, _, _ = _stored_and_fresh(col)
    np.testing.assert_allclose(stored, alone, atol=1e-5)
    with pytest.raises(ConfigError, match="passage_context 'none', not 'title-headings'"):
        Collection.open(root, passage_context="title-headings")


def test_ingest_from_the_shell_chooses_the_passage_context_of_a_new_collection(
    cli, tmp_path: Path, page_file: Path
) -> None:  # type: ignore[no-untyped-def]
    col = tmp_path / "col"
    assert cli("ingest", str(page_file), "-c", str(col), "--passage-context", "none", "--json").code == 0
    assert json.loads(cli("stats", "-c", str(col), "--json").out)["passage_context"] == "none"
    refused = cli("ingest", str(page_file), "-c", str(col), "--passage-context", "title-headings")
    assert refused.code != 0 and "passage_context 'none', not 'title-headings'" in refused.err
    assert len(refused.err.strip().splitlines()) == 1
