from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from embedrag.errors import InputError, LLMError
from embedrag.rag.llm import chat

received: list[dict[str, object]] = []


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        received.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        if body["model"] == "broken":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"model crashed")
            return
        answer = {"choices": [{"message": {"role": "assistant", "content": "Alpha won [1]."}}]}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def test_chat_posts_openai_shape_and_returns_the_answer(server: str) -> None:
    messages = [{"role": "user", "content": "Who won?"}]
    assert chat(server, messages, model="tiny", api_key="secret") == "Alpha won [1]."
    last = received[-1]
    assert last["path"] == "/v1/chat/completions"
    assert last["auth"] == "Bearer secret"
    assert last["body"] == {"model": "tiny", "messages": messages, "temperature": 0.0}


def test_http_error_is_reported_with_status(server: str) -> None:
    with pytest.raises(LLMError, match="HTTP 500: model crashed"):
        chat(server, [{"role": "user", "content": "x"}], model="broken")


def test_unreachable_endpoint_is_a_clear_error() -> None:
    with pytest.raises(LLMError, match="cannot reach the LLM endpoint"):
        chat("http://127.0.0.1:9/v1", [{"role": "user", "content": "x"}], timeout=2)


def test_non_http_url_is_refused() -> None:
    with pytest.raises(InputError, match="must be an http"):
        chat("ftp://example", [])
