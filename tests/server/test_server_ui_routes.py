"""The web UI's HTTP side: its pages and files (open, with a strict CSP), and the JSON routes only
the pages use: documents, more like this, uploads, maps, words, contextual, eval jobs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

STATIC = "tokenlearn-static-64"
KEY = "s3cret"
TINY_BEIR = Path(__file__).resolve().parents[1] / "eval" / "fixtures" / "tiny"


@pytest.fixture(scope="module")
def keyed(serve, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:  # type: ignore[no-untyped-def]
    """A server with an API key and a known collections folder: (client with the key, folder)."""
    import httpx

    root = tmp_path_factory.mktemp("ui-collections")
    with serve(models=(STATIC,), collections=root, api_key=KEY, max_body_bytes=64 * 1024) as url:
        http = httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {KEY}"})
        yield http, root
        http.close()


def test_pages_and_files_need_no_key_but_the_api_does(keyed) -> None:  # type: ignore[no-untyped-def]
    import httpx

    http, _ = keyed
    bare = httpx.Client(base_url=str(http.base_url), timeout=30)
    for path in ("/", "/search", "/space", "/eval"):
        page = bare.get(path)
        assert page.status_code == 200 and "<main" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
    assert bare.get("/ui/app.js").headers["content-type"].startswith("text/javascript")
    assert bare.get("/ui/pages/space.js").status_code == 200
    for escape in ("/ui/%2e%2e/registry.py", "/ui/..%2fregistry.py", "/ui/nothing.js"):
        assert bare.get(escape).status_code == 404, escape
    assert bare.get("/v1/ui/config").status_code == 401
    assert http.get("/v1/ui/config").json()["auth"] is True


def test_config_lists_tokenizers_of_each_kind(client) -> None:  # type: ignore[no-untyped-def]
    config = client.get("/v1/ui/config").json()
    labels = {t["name"]: t["label"] for t in config["tokenizers"]}
    assert {"bert-base-uncased", "cl100k_base", "o200k_base", STATIC} <= set(labels)
    assert "SentencePiece" in labels[STATIC] and "WordPiece" in labels["bert-base-uncased"]
    assert config["models"] == [STATIC] and "pca" in config["map_methods"]


def test_documents_are_listed_in_pages(client, new_collection, unique_name, error_of) -> None:  # type: ignore[no-untyped-def]
    name = new_collection(unique_name)
    page = client.get(f"/v1/collections/{name}/documents", params={"limit": 2, "offset": 1}).json()
    assert page["total"] == 5 and [d["id"] for d in page["data"]] == ["cats", "dogs"]
    assert client.get(f"/v1/collections/{name}/documents", params={"prefix": "st"}).json()["total"] == 1
    assert error_of(client.get("/v1/collections/nope/documents"))["code"] == "collection_not_found"


def test_more_like_this(client, new_collection, unique_name, error_of) -> None:  # type: ignore[no-untyped-def]
    name = new_collection(unique_name)
    hits = client.post(f"/v1/collections/{name}/similar", json={"doc_id": "stocks", "k": 2}).json()["data"]
    assert len(hits) == 2 and "stocks" not in {h["doc_id"] for h in hits}
    missing = client.post(f"/v1/collections/{name}/similar", json={"doc_id": "unicorns"})
    assert missing.status_code == 404 and error_of(missing)["code"] == "document_not_found"


def test_an_upload_is_ingested_and_a_second_one_is_unchanged(keyed) -> None:  # type: ignore[no-untyped-def]
    http, root = keyed
    assert http.post("/v1/collections", json={"name": "up"}).status_code == 201
    note = b"# Birds\n\nSparrows and <script>alert(1)</script> finches sing at dawn.\n"
    first = http.put("/v1/collections/up/files/birds notes.md", content=note).json()
    assert first["added"] == 1 and first["chunks"] >= 1
    assert http.put("/v1/collections/up/files/birds notes.md", content=note).json()["unchanged"] == 1
    assert (root / ".uploads" / "up" / "birds notes.md").read_bytes() == note
    skipped = http.put("/v1/collections/up/files/photo.txt", content=b"\x00\x01binary").json()
    assert skipped["skipped"][0]["source"] == "photo.txt" and "binary" in skipped["skipped"][0]["reason"]
    assert str(root) not in skipped["skipped"][0]["reason"]
    # A skipped upload leaves nothing on disk, and a skipped replacement leaves the stored file's bytes.
    assert not (root / ".uploads" / "up" / "photo.txt").exists()
    replaced = http.put("/v1/collections/up/files/birds notes.md", content=b"\x00binary now").json()
    assert replaced["skipped"] and (root / ".uploads" / "up" / "birds notes.md").read_bytes() == note


@pytest.mark.parametrize(
    "name", ["../../escape.md", "..%2F..%2Fescape.md", "%2E%2E/escape.md", ".hidden", "a/b.md", "..", "c:\\x.md"]
)
def test_upload_names_cannot_leave_the_uploads_folder(keyed, name: str) -> None:  # type: ignore[no-untyped-def]
    http, root = keyed
    http.post("/v1/collections", json={"name": "up2"})
    before = sorted(str(p) for p in root.parent.rglob("*"))
    answer = http.put(f"/v1/collections/up2/files/{name}", content=b"text")
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["error"]["message"]
    assert sorted(str(p) for p in root.parent.rglob("*")) == before


def test_uploads_are_size_limited_and_not_empty(keyed, error_of) -> None:  # type: ignore[no-untyped-def]
    http, root = keyed
    http.post("/v1/collections", json={"name": "up3"})
    big = http.put("/v1/collections/up3/files/big.txt", content=b"word " * 20_000)
    assert big.status_code == 413 and error_of(big)["code"] == "body_too_large"
    assert error_of(http.put("/v1/collections/up3/files/empty.txt", content=b""))["code"] == "invalid_input"
    missing = http.put("/v1/collections/nope/files/a.txt", content=b"text")
    assert missing.status_code == 404 and not (root / ".uploads" / "nope").exists()


def test_map_points_neighbours_and_a_query(client, new_collection, unique_name, error_of) -> None:  # type: ignore[no-untyped-def]
    name = new_collection(unique_name)
    found = client.get(f"/v1/collections/{name}/map", params={"color_by": "topic"}).json()
    assert (found["total"], found["shown"], found["sampled"]) == (5, 5, False)
    assert len(found["x"]) == len(found["y"]) == len(found["group"]) == 5
    assert {found["groups"][g] for g in found["group"]} == {"animals", "money", "food"}
    assert "topic" in found["fields"] and "year" in found["fields"]
    cats = found["ids"].index("cats#0")
    point = client.get(f"/v1/maps/{found['map_id']}/points/{cats}").json()
    assert point["text"].startswith("Cats purr") and len(point["neighbours"]) == 4
    assert cats not in {n["i"] for n in point["neighbours"]}
    placed = client.post(f"/v1/maps/{found['map_id']}/query", json={"query": "yeast flour bread"}).json()
    assert placed["neighbours"][0]["id"] == "bread#0"
    xs, ys = found["x"], found["y"]
    assert min(xs) <= placed["x"] <= max(xs) and min(ys) <= placed["y"] <= max(ys)
    unread = error_of(client.post(f"/v1/maps/{found['map_id']}/query", json={"query": "\u200b"}))
    assert "the query has nothing tokenlearn-static-64 can read" in unread["message"]  # placed among arbitrary chunks
    assert error_of(client.get("/v1/maps/0000/points/0"))["code"] == "map_expired"
    assert error_of(client.get(f"/v1/maps/{found['map_id']}/points/99"))["code"] == "not_found"
    assert error_of(client.get(f"/v1/collections/{name}/map", params={"method": "tsne"}))["param"] == "method"


def test_a_collection_made_again_under_a_deleted_ones_name_gets_its_own_map(client, unique_name) -> None:  # type: ignore[no-untyped-def]
    def made(prefix: str) -> None:  # the same number of writes each time: the same generation
        assert client.post("/v1/collections", json={"name": unique_name}).status_code == 201
        docs = [{"id": f"{prefix}{i}", "text": f"{prefix} note {i} about {prefix} things"} for i in range(3)]
        assert client.post(f"/v1/collections/{unique_name}/documents", json={"documents": docs}).status_code == 200

    made("old")
    assert client.get(f"/v1/collections/{unique_name}/map").json()["ids"][0] == "old0#0"
    assert client.delete(f"/v1/collections/{unique_name}").status_code == 200
    made("new")
    found = client.get(f"/v1/collections/{unique_name}/map").json()
    assert found["ids"] == ["new0#0", "new1#0", "new2#0"]  # not the deleted collection's chunks
    assert client.get(f"/v1/maps/{found['map_id']}/points/0").json()["text"] == "new note 0 about new things"


def test_a_large_collection_is_sampled_and_says_so(client, new_collection, unique_name, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from embedrag.server.routes import space

    monkeypatch.setattr(space, "MAX_POINTS", 3)  # the server runs in this process
    found = client.get(f"/v1/collections/{new_collection(unique_name)}/map").json()
    assert (found["total"], found["shown"], found["sampled"]) == (5, 3, True)


def test_words(client, error_of) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/v1/words/similar", json={"word": "frog", "k": 3}).json()["results"][0]["word"] == "snake"
    analogy = client.post("/v1/words/analogy", json={"expression": "king - man + woman", "k": 1}).json()
    assert analogy["results"][0]["word"] == "queen" and analogy["vectors"] == "glove-6B-50d"
    odd = client.post("/v1/words/odd", json={"words": ["breakfast", "cereal", "dinner", "lunch"]}).json()
    assert odd["results"][0]["word"] == "cereal"
    plot = client.post("/v1/words/plot", json={"words": ["paris"], "analogies": ["king - man + woman"]}).json()
    assert plot["words"] == ["paris", "man", "woman", "king", "queen"] and len(plot["arrows"]) == 2
    unknown = client.post("/v1/words/similar", json={"word": "qwxzzy"})
    assert unknown.status_code == 400 and "qwxzzy" in error_of(unknown)["message"]


def test_contextual_compare_with_the_static_line(client, error_of) -> None:  # type: ignore[no-untyped-def]
    body = {"word": "bank", "sentences": ["The grassy bank of the river.", "The bank raised its rates."]}
    answer = client.post("/v1/contextual/compare", json=body).json()
    assert answer["model"] == "all-MiniLM-L6-v2" and answer["static_vectors"] == "glove-6B-50d"
    layers = answer["result"]["layers"]
    assert len(layers) == 7 and layers[-1]["similarity"][0][1] < layers[0]["similarity"][0][1]
    assert answer["result"]["static"][0][1] == pytest.approx(1.0)
    missing = client.post("/v1/contextual/compare", json={"word": "cave", "sentences": ["a b", "c d"]})
    assert missing.status_code == 400 and "does not occur" in error_of(missing)["message"]


def test_an_eval_job_runs_in_the_background(client, error_of, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EMBEDRAG_CACHE", str(tmp_path))
    job = client.post("/v1/eval/jobs", json={"folder": str(TINY_BEIR), "modes": ["bm25", "dense"]})
    assert job.status_code == 202 and job.json()["status"] in ("queued", "running", "done")
    deadline = time.monotonic() + 120
    while (found := client.get(f"/v1/eval/jobs/{job.json()['id']}").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert found["error"] is None, found["error"]
    result = found["result"]
    assert set(result["results"]) == {"bm25", "dense"} and "ndcg@10" in result["results"]["bm25"]
    assert result["curve"]["k"][0] == 1 and set(result["curve"]["recall"]["dense"]) >= {"recall@1", "recall@100"}
    assert job.json()["id"] in {j["id"] for j in client.get("/v1/eval/jobs").json()["data"]}
    bad = client.post("/v1/eval/jobs", json={"folder": str(tmp_path / "nowhere")})
    assert bad.status_code == 400 and "not a folder" in error_of(bad)["message"]
    assert error_of(client.get("/v1/eval/jobs/eval-999"))["code"] == "job_not_found"
