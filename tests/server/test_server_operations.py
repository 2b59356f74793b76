"""/health, /ready, /metrics, graceful shutdown, and the embedrag serve command."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from embedrag.server import ServerSettings, exposure_warning
from embedrag.server.metrics import Registry


def test_health_and_ready(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json() == {"status": "ready", "models": ["tokenlearn-static-64"], "detail": None}


SAMPLE = re.compile(r'[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? [-+0-9.eInf]+')
"""One sample line of the Prometheus text format: name, optional labels, value."""


def test_metrics_count_requests_batches_and_queue(client) -> None:  # type: ignore[no-untyped-def]
    client.post("/v1/embeddings", json={"input": ["one", "two"]})
    client.post("/v1/embeddings", json={"input": 5})
    text = client.get("/metrics").text
    ok = re.search(r'^embedrag_requests_total\{route="/v1/embeddings",status="200"\} (\S+)$', text, re.M)
    bad = re.search(r'^embedrag_requests_total\{route="/v1/embeddings",status="422"\} (\S+)$', text, re.M)
    assert ok and float(ok.group(1)) >= 1 and bad and float(bad.group(1)) >= 1
    assert re.search(r'^embedrag_batch_inputs_count\{model="tokenlearn-static-64"\} [1-9]', text, re.M)
    assert re.search(r'^embedrag_request_seconds_bucket\{route="/v1/embeddings",le="\+Inf"\} [1-9]', text, re.M)
    assert 'embedrag_queue_depth{model="tokenlearn-static-64"} 0.0' in text
    for line in text.splitlines():  # every sample line is `name{labels} number`
        assert line.startswith("#") or SAMPLE.fullmatch(line), line


def test_histogram_buckets_are_cumulative() -> None:
    reg = Registry()
    hist = reg.histogram("h", "A histogram.", (1, 10))
    for value in (0.5, 5, 50):
        hist.observe(value)
    lines = reg.render().splitlines()
    buckets = ['h_bucket{le="1.0"} 1', 'h_bucket{le="10.0"} 2', 'h_bucket{le="+Inf"} 3']
    assert lines[2:] == [*buckets, "h_sum 55.5", "h_count 3"]


def test_in_flight_requests_finish_and_collections_close_on_shutdown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from embedrag.server import serve_in_thread

    settings = ServerSettings(port=0, models=("tokenlearn-static-64",), collections=tmp_path)
    results: list[tuple[int, float]] = []

    def post(http: httpx.Client, texts: list[str]) -> None:
        status = http.post("/v1/embeddings", json={"input": texts}).status_code
        results.append((status, time.monotonic()))

    with serve_in_thread(settings) as url:
        http = httpx.Client(base_url=url, timeout=60)
        http.post("/v1/collections", json={"name": "kept"})
        http.post("/v1/collections/kept/documents", json={"documents": [{"id": "a", "text": "cats purr"}]})
        texts = [f"text number {i} " * 40 for i in range(2000)]  # about 2 s of work on this machine
        worker = threading.Thread(target=post, args=(http, texts))
        worker.start()
        time.sleep(0.3)
        shutdown_at = time.monotonic()
    worker.join(30)
    [(status, answered_at)] = results
    assert answered_at > shutdown_at  # it was in flight when shutdown began...
    assert status == 200  # ...and was answered in full
    from embedrag import Collection

    with Collection.open(tmp_path / "kept", create=False) as col:  # closed cleanly: opens, holds the document
        assert col.stats()["documents"] == 1


def test_exposure_warning_only_off_localhost_without_key() -> None:
    assert exposure_warning("127.0.0.1", None) is None
    assert exposure_warning("::1", None) is None
    assert exposure_warning("localhost", None) is None
    assert exposure_warning("0.0.0.0", "key") is None
    assert "without an API key" in (exposure_warning("0.0.0.0", None) or "")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_command_answers_then_stops_on_sigterm(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import httpx

    port = _free_port()
    command = [sys.executable, "-m", "embedrag", "serve", "--port", str(port), "--model", "tokenlearn-static-64"]
    env = {**os.environ, "EMBEDRAG_API_KEY": "from-env"}
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, **pipes)  # type: ignore[call-overload]
    try:
        deadline, status, key = time.monotonic() + 120, None, {"Authorization": "Bearer from-env"}
        while time.monotonic() < deadline and status != 200 and process.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/ready", headers=key).status_code
            except httpx.TransportError:  # not listening yet, or busy loading on a loaded machine
                time.sleep(0.2)
        assert status == 200
        assert httpx.get(f"http://127.0.0.1:{port}/ready").status_code == 401  # the key came from the environment
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    # uvicorn re-raises the signal once shut down, so the exit status says "ended by SIGTERM"
    assert process.returncode in (0, -signal.SIGTERM), err
    assert "Application shutdown complete" in err


def test_serve_command_warns_when_exposed_and_fails_cleanly_on_unknown_model(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("serve", "--host", "0.0.0.0", "--model", "no-such-model")
    assert result.code == 1
    assert "without an API key" in result.err
    assert "model 'no-such-model' not found" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    "option",
    [{"models": ()}, {"port": 70000}, {"api_key": " "}, {"max_inputs": 0}, {"variant": "fp16"}, {"long_inputs": "cut"}],
)
def test_settings_refuse_bad_values(option) -> None:  # type: ignore[no-untyped-def]
    from embedrag.errors import ConfigError

    with pytest.raises(ConfigError):
        ServerSettings(**option)


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)


def test_without_the_extra_the_import_and_the_command_say_what_to_install() -> None:
    block = "import sys; sys.modules['fastapi'] = None\n"  # as if fastapi were not installed
    imported = _python(block + "import embedrag.server")
    hint = "The HTTP server needs the 'fastapi' package: pip install 'embedrag-toolkit[server]'"
    assert f"MissingDependencyError: {hint}" in imported.stderr
    command = _python(block + "from embedrag.cli.app import main; raise SystemExit(main(['serve']))")
    assert command.returncode == 1
    assert command.stderr.strip().splitlines() == [
        "error: The HTTP server needs the 'fastapi' package: pip install 'embedrag-toolkit[server]'"
    ]


def test_the_server_runs_without_torch() -> None:
    code = """
import sys, httpx
from embedrag.server import ServerSettings, serve_in_thread
with serve_in_thread(ServerSettings(port=0, models=("all-MiniLM-L6-v2",))) as url:
    size = len(httpx.post(url + "/v1/embeddings", json={"input": "torch-free"}).json()["data"][0]["embedding"])
    late = httpx.post(url + "/v1/rerank", json={"query": "q", "documents": ["a", "b"]}).status_code
print(size, late, sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules))
"""
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "384 200 []"
