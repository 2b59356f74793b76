from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DOCS = {
    "cats.md": "# Cats\n\nCats purr, sleep most of the day and hunt mice at night.\n",
    "stocks.txt": "Stock markets fell sharply today as investors sold bank shares.\n",
    "bread.txt": "Bake bread with flour, water, salt and yeast for forty minutes.\n",
}


@pytest.fixture
def ingested(cli, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "docs"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    collection = tmp_path / "col"
    result = cli("ingest", str(corpus), "-c", str(collection), "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert (report["added"], report["chunks"], report["skipped"]) == (3, 3, [])
    return collection


def test_search_json_shape(cli, ingested: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "what do cats hunt", "-c", str(ingested), "-k", "2", "--json")
    assert result.code == 0, result.err
    hits = json.loads(result.out)
    assert len(hits) == 2
    assert set(hits[0]) == {"id", "score", "text", "source", "metadata", "start", "end"}
    assert hits[0]["id"] == "cats.md#0"
    assert hits[0]["source"].endswith("cats.md")
    assert hits[0]["start"] == 0 and hits[0]["end"] == hits[0]["start"] + len(hits[0]["text"])


def test_search_filter_and_modes(cli, ingested: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "bread", "-c", str(ingested), "--mode", "bm25", "--filter", "suffix=.txt", "--json")
    assert result.code == 0, result.err
    assert [h["id"] for h in json.loads(result.out)] == ["bread.txt#0"]


def test_unknown_filter_key_is_one_line(cli, ingested: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "bread", "-c", str(ingested), "--filter", "colour=red")
    assert result.code == 1
    assert "unknown filter key 'colour'" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_stats_json(cli, ingested: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("stats", "-c", str(ingested), "--json")
    stats = json.loads(result.out)
    assert (stats["documents"], stats["chunks"], stats["model"], stats["dims"]) == (3, 3, "all-MiniLM-L6-v2", 384)


def test_check_is_ok(cli, ingested: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", "-c", str(ingested), "--json")
    assert result.code == 0
    assert json.loads(result.out)["ok"] is True


def test_similar_and_recommend(cli, ingested: Path) -> None:  # type: ignore[no-untyped-def]
    similar = json.loads(cli("similar", "cats.md", "-c", str(ingested), "--json").out)
    assert "cats.md" not in {h["id"].split("#")[0] for h in similar}
    picks = cli("recommend", "--like", "stocks.txt", "--dislike", "cats.md", "-c", str(ingested), "-k", "1", "--json")
    assert [h["id"] for h in json.loads(picks.out)] == ["bread.txt#0"]


def test_missing_collection_is_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "x", "-c", str(tmp_path / "none"))
    assert result.code == 1
    assert "no collection at" in result.err


def test_ask_without_llm_prints_cited_context(cli, ingested: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("ask", "What do cats hunt?", "-c", str(ingested), "-k", "2")
    assert result.code == 0, result.err
    assert result.out.startswith("[1] (source: ")
    assert "Question: What do cats hunt?" in result.out


class _Chat(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][-1]["content"]
        answer = "They hunt mice [1]." if "hunt mice" in prompt else "I do not know."
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": answer}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def llm() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Chat)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_ask_with_llm_returns_answer_and_sources(cli, ingested: Path, llm: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("ask", "What do cats hunt?", "-c", str(ingested), "-k", "2", "--llm", llm, "--json")
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert payload["answer"] == "They hunt mice [1]."
    assert payload["passages"][0]["n"] == 1
    assert payload["passages"][0]["id"] == "cats.md#0"


def test_ingest_into_a_collection_path_that_is_a_file_is_one_clear_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "notes.txt").write_text("Some notes.\n", encoding="utf-8")
    taken = tmp_path / "results.json"
    taken.write_text("{}", encoding="utf-8")
    result = cli("ingest", str(tmp_path / "notes.txt"), "-c", str(taken), "--model", "tokenlearn-static-64")
    assert result.code == 1
    assert result.err.strip() == f"error: cannot create the collection {taken}: it is a file, not a folder"
    assert taken.read_text(encoding="utf-8") == "{}"


def test_a_damaged_pdf_is_one_skip_line_without_pypdf_s_own_warning(tmp_path: Path) -> None:
    # pypdf logged "EOF marker not found" to the terminal above the skip line that says the same
    # (in a process of its own: pytest's log capture would take the line).
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ngarbage")
    command = [sys.executable, "-m", "embedrag", "ingest", str(broken), "-c", str(tmp_path / "c")]
    result = subprocess.run([*command, "--model", "tokenlearn-static-64"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    reason = "is not a readable PDF (PdfStreamError: Stream has ended unexpectedly)"
    assert result.stderr.splitlines()[0] == f"skipped {broken} {reason}"
    assert "EOF marker" not in result.stderr + result.stdout
