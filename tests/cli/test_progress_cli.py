"""Progress bars: done/total and an ETA on a terminal; nothing at all when piped or with --quiet."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

from embedrag.cli import _output
from embedrag.cli._output import progress_bar

STATIC = "tokenlearn-static-64"
ESC = "\x1b"  # every bar, cursor move and colour starts with it


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    for i, topic in enumerate(["cats", "dogs", "bread"]):
        (root / f"{topic}.txt").write_text(f"Document {i} is about {topic}.\n", encoding="utf-8")
    return root


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    path = tmp_path / "texts.txt"
    path.write_text("Cats purr.\nDogs bark.\nBread rises.\n", encoding="utf-8")
    return path


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stderr taken for an interactive terminal, as rich takes a real one (capsys' stream is not)."""
    monkeypatch.setattr(_output.err_console, "_force_terminal", True)
    monkeypatch.setattr(_output.err_console, "is_interactive", True)


def _ingest(cli, corpus: Path, tmp_path: Path, *flags: str):  # type: ignore[no-untyped-def]
    result = cli("ingest", str(corpus), "-c", str(tmp_path / "col"), "-m", STATIC, *flags)
    assert result.code == 0, result.err
    return result


def _embed(cli, texts: Path, tmp_path: Path, *flags: str):  # type: ignore[no-untyped-def]
    result = cli("embed", "--input", str(texts), "-o", str(tmp_path / "v.npy"), "-m", STATIC, *flags)
    assert result.code == 0, result.err
    return result


def test_piped_ingest_and_embed_print_no_control_characters(cli, corpus: Path, texts: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingested = _ingest(cli, corpus, tmp_path)
    assert "3 added" in ingested.out
    embedded = _embed(cli, texts, tmp_path)
    assert "wrote 3 x 64 float32 vectors" in embedded.err
    for stream in (ingested.out, ingested.err, embedded.out, embedded.err):
        assert ESC not in stream and "\r" not in stream and "━" not in stream


@pytest.mark.usefixtures("terminal")
def test_on_a_terminal_the_bar_is_drawn_and_quiet_hides_it(cli, corpus: Path, texts: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert ESC in _ingest(cli, corpus, tmp_path).err  # the live display ran (then erased itself)
    (corpus / "cats.txt").write_text("Document 0 is about cats, changed.\n", encoding="utf-8")
    quiet = _ingest(cli, corpus, tmp_path, "--quiet")
    assert "1 updated" in quiet.out and ESC not in quiet.err
    assert ESC not in _embed(cli, texts, tmp_path, "-q").err


@pytest.mark.usefixtures("terminal")
def test_the_bar_shows_done_over_total_the_unit_and_an_eta(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(_output.err_console, "_file", screen)
    with progress_bar("ingesting", unit="files") as report:
        report(2, total=5, note="9 chunks")
        deadline = time.monotonic() + 10
        while "2/5 files" not in screen.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)  # rich redraws ten times a second, from its own thread
    drawn = screen.getvalue()
    assert "ingesting" in drawn and "2/5 files" in drawn and "9 chunks" in drawn
    assert re.search(r"eta \d+:\d\d:\d\d", drawn)  # from one report: the pace so far
