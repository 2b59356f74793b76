"""What ``embedrag serve`` adds when given an LLM endpoint (``--llm-url``): ``/ask`` answers with its
reply, and a failing endpoint is a 502 naming it (the LLM is a real tiny chat server on localhost);
and when given BERT's heads (``--heads DIR``): ``/v1/fill-mask`` and ``/v1/next-sentence`` (tiny
random BERTs built here, so the tests check shapes, vocabulary and agreement with the library)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

STATIC = "tokenlearn-static-64"
DOCS = [
    {"id": "bread", "text": "Bake bread with flour, water, salt and yeast for forty minutes."},
    {"id": "cats", "text": "Cats purr, sleep most of the day and hunt mice at night."},
]


class _FakeChat(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint: ``/ok/v1/chat/completions`` answers citing the prompt's
    ``[n]`` numbers; ``/broken/...`` answers HTTP 500. Every request is kept in ``server.seen``."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})  # type: ignore[attr-defined]
        if self.path.startswith("/broken/"):
            self._answer(500, {"error": "the model crashed"})
            return
        prompt = body["messages"][-1]["content"]
        cited = sorted(set(re.findall(r"\[(\d+)\]", prompt)), key=int)
        reply = "From " + " and ".join(f"[{n}]" for n in cited) + ": bake it <b>forty</b> minutes."
        self._answer(200, {"choices": [{"message": {"role": "assistant", "content": reply}}]})

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass  # keep the test output clean; requests are recorded in server.seen


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[Any]:
    """The fake chat server: ``.url`` is its base, ``.seen`` the requests it got."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeChat)
    server.seen = []  # type: ignore[attr-defined]
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _with_docs(http: Any) -> Any:
    assert http.post("/v1/collections", json={"name": "kitchen"}).status_code == 201
    assert http.post("/v1/collections/kitchen/documents", json={"documents": DOCS}).status_code == 200
    return http


@pytest.fixture(scope="module")
def llm_client(serve, fake_llm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    import httpx

    root = tmp_path_factory.mktemp("llm-collections")
    url = f"{fake_llm.url}/ok/v1"
    settings = {"llm_url": url, "llm_model": "tiny-chat", "llm_api_key": "llm-key"}
    with serve(models=(STATIC,), collections=root, **settings) as base, httpx.Client(base_url=base, timeout=60) as http:
        yield _with_docs(http)


def test_ask_answers_with_the_llm_reply_citing_the_passages(llm_client, fake_llm) -> None:  # type: ignore[no-untyped-def]
    body = llm_client.post("/v1/collections/kitchen/ask", json={"question": "How long do I bake bread?"}).json()
    numbers = [p["n"] for p in body["passages"]]
    assert numbers == [1, 2]
    assert body["answer"] == "From [1] and [2]: bake it <b>forty</b> minutes."
    sent = fake_llm.seen[-1]
    assert sent["path"] == "/ok/v1/chat/completions"
    assert sent["model"] == "tiny-chat" and sent["auth"] == "Bearer llm-key"
    assert sent["messages"] == body["messages"]
    assert llm_client.get("/v1/ui/config").json()["llm"] is True


def test_ask_without_an_llm_has_no_answer(client, new_collection, unique_name) -> None:  # type: ignore[no-untyped-def]
    name = new_collection(unique_name)
    body = client.post(f"/v1/collections/{name}/ask", json={"question": "How do I bake bread?", "k": 2}).json()
    assert body["answer"] is None and len(body["passages"]) == 2
    assert client.get("/v1/ui/config").json()["llm"] is False


def test_a_failing_llm_endpoint_is_a_502_naming_it(serve, fake_llm, tmp_path, error_of) -> None:  # type: ignore[no-untyped-def]
    import httpx

    broken = f"{fake_llm.url}/broken/v1"
    with (
        serve(models=(STATIC,), collections=tmp_path, llm_url=broken) as base,
        httpx.Client(base_url=base, timeout=60) as http,
    ):
        response = _with_docs(http).post("/v1/collections/kitchen/ask", json={"question": "bread?"})
    assert response.status_code == 502
    error = error_of(response)
    assert error["code"] == "llm_error"
    assert "HTTP 500" in error["message"] and "the model crashed" in error["message"]


def test_serve_takes_the_llm_from_flags_and_its_key_from_the_environment(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import embedrag.server.background as background

    started: list[Any] = []
    monkeypatch.setattr(background, "run", lambda settings, **_: started.append(settings))
    monkeypatch.setenv("EMBEDRAG_LLM_API_KEY", "from-env")
    url = "http://127.0.0.1:9/v1"
    result = cli("serve", "--model", STATIC, "--llm-url", url, "--llm-model", "qwen", "--heads", "some/dir")
    assert result.code == 0, result.err
    (settings,) = started
    assert (settings.llm_url, settings.llm_model, settings.llm_api_key) == (url, "qwen", "from-env")
    assert str(settings.heads) == "some/dir"
    assert "from-env" not in repr(settings)
    bad = cli("serve", "--model", STATIC, "--llm-url", "localhost:8080")
    assert bad.code != 0 and "http(s) URL" in bad.err


# -- BERT's heads ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def heads_folder(tiny_bert_folder, tmp_path_factory: pytest.TempPathFactory) -> Any:  # type: ignore[no-untyped-def]
    """A tiny random BertForPreTraining: both heads, MiniLM's vocabulary."""
    return tiny_bert_folder(tmp_path_factory.mktemp("pretraining"), "BertForPreTraining")


@pytest.fixture(scope="module")
def heads_client(serve, heads_folder) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    import httpx

    with serve(models=(STATIC,), heads=heads_folder) as base, httpx.Client(base_url=base, timeout=60) as http:
        yield http


def test_fill_mask_gives_vocabulary_pieces_as_the_library_does(heads_client, heads_folder) -> None:  # type: ignore[no-untyped-def]
    from embedrag.heads import MaskedLM

    text = "The cat sat on the [MASK] and ate the [MASK]."
    body = heads_client.post("/v1/fill-mask", json={"text": text, "top_k": 4}).json()
    assert body["mask"] == "[MASK]" and body["model"] == heads_folder.name
    assert [len(mask) for mask in body["masks"]] == [4, 4]
    vocabulary = set((heads_folder / "vocab.txt").read_text(encoding="utf-8").splitlines())
    for mask in body["masks"]:
        probabilities = [c["probability"] for c in mask]
        assert all(c["token"] in vocabulary for c in mask)
        assert probabilities == sorted(probabilities, reverse=True)
        assert all(0 < p <= 1 for p in probabilities) and sum(probabilities) <= 1 + 1e-6
    expected = MaskedLM(heads_folder).fill(text, top_k=4)
    assert [[c["token"] for c in mask] for mask in body["masks"]] == [[f.token for f in mask] for mask in expected]
    got = [c["probability"] for mask in body["masks"] for c in mask]
    assert got == pytest.approx([f.probability for mask in expected for f in mask], rel=1e-5)


def test_fill_mask_refuses_text_without_a_mask_and_bad_options(heads_client, error_of) -> None:  # type: ignore[no-untyped-def]
    no_mask = heads_client.post("/v1/fill-mask", json={"text": "Nothing is missing here."})
    assert no_mask.status_code == 400
    assert "[MASK]" in error_of(no_mask)["message"]
    assert heads_client.post("/v1/fill-mask", json={"text": "a [MASK]", "top_k": 0}).status_code == 422
    assert heads_client.post("/v1/fill-mask", json={"text": ""}).status_code == 422


def test_next_sentence_is_a_probability_as_the_library_gives_it(heads_client, heads_folder, error_of) -> None:  # type: ignore[no-untyped-def]
    from embedrag.heads import NextSentence

    pair = {"first": "I went to the shop.", "second": "I bought some milk."}
    body = heads_client.post("/v1/next-sentence", json=pair).json()
    assert 0 <= body["is_next"] <= 1 and body["model"] == heads_folder.name
    assert body["is_next"] == pytest.approx(NextSentence(heads_folder).score(pair["first"], pair["second"]), rel=1e-5)
    blank = heads_client.post("/v1/next-sentence", json={"first": "Hello.", "second": "   "})
    assert blank.status_code == 400 and "second sentence is empty" in error_of(blank)["message"]
    assert heads_client.get("/v1/ui/config").json()["heads"] == ["fill-mask", "next-sentence"]


def test_without_heads_the_routes_say_how_to_serve_them(client, error_of) -> None:  # type: ignore[no-untyped-def]
    for path, body in (("/v1/fill-mask", {"text": "a [MASK]"}), ("/v1/next-sentence", {"first": "a", "second": "b"})):
        response = client.post(path, json=body)
        assert response.status_code == 404
        error = error_of(response)
        assert error["code"] == "head_not_served" and "--heads DIR" in error["message"]
    assert client.get("/v1/ui/config").json()["heads"] == []


def test_a_folder_with_only_the_masked_lm_head_serves_fill_mask_alone(
    serve, tiny_bert_folder, tmp_path, error_of
) -> None:  # type: ignore[no-untyped-def]
    import httpx

    folder = tiny_bert_folder(tmp_path / "mlm", "BertForMaskedLM")
    with serve(models=(STATIC,), heads=folder) as base, httpx.Client(base_url=base, timeout=60) as http:
        assert http.get("/v1/ui/config").json()["heads"] == ["fill-mask"]
        assert len(http.post("/v1/fill-mask", json={"text": "a [MASK] day"}).json()["masks"]) == 1
        missing = http.post("/v1/next-sentence", json={"first": "a", "second": "b"})
    assert missing.status_code == 404
    assert "no trained next-sentence head" in error_of(missing)["message"]


def test_a_folder_without_either_head_stops_the_server_loading(serve, tiny_bert_folder, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tiny_bert_folder(tmp_path / "bare", "BertModel")
    with (
        pytest.raises(RuntimeError, match="neither a masked-LM nor a next-sentence head"),
        serve(heads=folder, models=(STATIC,)),
    ):
        pass
