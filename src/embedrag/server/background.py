"""Run the server: in the foreground (``embedrag serve``) or in a background thread (notebooks, tests)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from embedrag.server.app import create_app
from embedrag.server.settings import ServerSettings
from embedrag.server.state import ServerState

__all__ = ["GRACE_SECONDS", "run", "serve_in_thread"]

GRACE_SECONDS = 30
"""On shutdown, requests in flight get this long to finish before connections are closed."""


def _server(app: FastAPI, settings: ServerSettings, log_level: str) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        timeout_graceful_shutdown=GRACE_SECONDS,
        lifespan="on",
    )
    return uvicorn.Server(config)


def run(settings: ServerSettings, *, log_level: str = "info") -> None:
    """Serve until SIGINT/SIGTERM; then finish requests in flight and close collections."""
    _server(create_app(settings), settings, log_level).run()


@contextmanager
def serve_in_thread(settings: ServerSettings, *, log_level: str = "warning", timeout: float = 120) -> Iterator[str]:
    """Serve in a background thread; yields the base URL (``http://127.0.0.1:PORT``) once models are loaded.

    ``port=0`` picks a free port. Leaving the block shuts the server down gracefully.
    """
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this; without it a socket handed to uvicorn stalls each answer ~40 ms (Nagle).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((settings.host, settings.port))
    host, port = sock.getsockname()[:2]
    app = create_app(settings)
    server = _server(app, settings, log_level)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="embedrag-server", daemon=True)
    thread.start()
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    try:
        _wait_ready(app.state.embedrag, thread, timeout)
        yield url
    finally:
        server.should_exit = True
        thread.join(GRACE_SECONDS + 10)
        sock.close()


def _wait_ready(state: ServerState, thread: threading.Thread, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the server stopped during start-up (see its log)")
        if state.load_error is not None:
            raise RuntimeError(f"the server could not load its models: {state.load_error}")
        if state.ready:
            return
        time.sleep(0.05)
    raise TimeoutError(f"the server was not ready after {timeout} s")
