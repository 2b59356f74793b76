from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from embedrag.errors import InputError, LLMError, TruncationWarning
from embedrag.rag.llm import chat

received: list[dict[str, object]] = []
REPLIES: dict[str, object] = {"no-text": None, "parts": [{"type": "text", "text": "Alpha"}]}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        received.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        if body["model"] == "broken":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"model crashed")
            return
        content = REPLIES.get(str(body["model"]), "Alpha won [1].")
        reason = "length" if body["model"] == "long" else "tool_calls"
        answer = {"choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": reason}]}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        # "cut": the connection closes before the length announced
        self.send_header("Content-Length", str(len(data) + (50 if body["model"] == "cut" else 0)))
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


@pytest.mark.parametrize(("model", "shown"), [("no-text", "null"), ("parts", "a list")])
def test_a_reply_without_text_is_an_error_not_the_string_none(server: str, model: str, shown: str) -> None:
    # str(None) was returned: 'None' printed as the answer.
    with pytest.raises(LLMError, match=rf"no text: its message content is {shown} \(finish_reason 'tool_calls'\)"):
        chat(server, [{"role": "user", "content": "x"}], model=model)


def test_an_answer_cut_off_mid_body_is_an_llm_error(server: str) -> None:
    # http.client.IncompleteRead escaped as a traceback.
    with pytest.raises(LLMError, match="broke off its answer"):
        chat(server, [{"role": "user", "content": "x"}], model="cut")


def test_an_endpoint_that_does_not_speak_http_is_an_llm_error() -> None:
    # http.client.BadStatusLine escaped as a traceback (an SSH port given as --llm, say).
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def greet() -> None:
            conn, _ = listener.accept()
            conn.recv(65536)
            conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
            conn.close()

        threading.Thread(target=greet, daemon=True).start()
        with pytest.raises(LLMError, match="did not answer in HTTP"):
            chat(f"http://127.0.0.1:{listener.getsockname()[1]}/v1", [{"role": "user", "content": "x"}], timeout=5)


@pytest.mark.parametrize(
    ("url", "reason"),
    [("http://localhost:80a/v1", "its port"), ("http://[::1/v1", "not a valid URL"), ("http:///v1", "no host")],
)
def test_a_malformed_url_is_an_input_error(url: str, reason: str) -> None:
    # ValueError / http.client.InvalidURL escaped as tracebacks.
    with pytest.raises(InputError, match=reason):
        chat(url, [{"role": "user", "content": "x"}])


def test_an_answer_the_llm_stopped_at_its_token_limit_says_it_is_cut_off(server: str) -> None:
    # finish_reason 'length': the reply ends where the endpoint's max_tokens did, and read as whole.
    with pytest.warns(TruncationWarning, match="stopped at its token limit"):
        assert chat(server, [{"role": "user", "content": "Who won?"}], model="long") == "Alpha won [1]."
