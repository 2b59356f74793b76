"""The browser tests' world: one real ``embedrag serve`` (the CLI, as a subprocess on a free port,
with an API key) and one headless Chromium from Debian, shared by every test of the session.

Playwright's own browser download fails offline, so the Debian ``chromium`` binary is used
(``make test`` installs it when missing); without it these tests fail, naming the fix.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

STATIC = "tokenlearn-static-64"
KEY = "ui-test-key"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("no chromium on PATH: `make test` installs it (apt-get install -y chromium)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    url: str
    collections: Path
    key: str = KEY

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, headers={"Authorization": f"Bearer {KEY}"})


def start_server(
    collections: Path, *, models: tuple[str, ...], api_key: str | None, env: dict[str, str], extra: tuple[str, ...] = ()
) -> Any:
    """``embedrag serve`` (with ``extra`` options) as a subprocess; returns (process, url) once /ready answers."""
    port = free_port()
    command = [sys.executable, "-m", "embedrag", "serve", "--port", str(port), "--collections", str(collections)]
    command += [arg for model in models for arg in ("--model", model)]
    command += ["--api-key", api_key] if api_key else []
    command += list(extra)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"embedrag serve stopped: {process.stderr.read() if process.stderr else ''}")
        try:
            if httpx.get(f"{url}/ready", headers=headers, timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise TimeoutError("embedrag serve was not ready after 120 s")


def stop(process: Any) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real CLI server with the static model, an API key and an empty collections folder."""
    root = tmp_path_factory.mktemp("ui-browser")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "EMBEDRAG_CACHE": str(root / "cache")}
    process, url = start_server(root / "collections", models=(STATIC,), api_key=KEY, env=env)
    try:
        yield Server(url, root / "collections")
    finally:
        stop(process)


@pytest.fixture(scope="session")
def heads_server(tmp_path_factory: pytest.TempPathFactory, tiny_bert_folder: Any) -> Iterator[Server]:
    """A second real CLI server, with ``--heads``: a tiny random BertForPreTraining (MiniLM's vocabulary)."""
    root = tmp_path_factory.mktemp("ui-heads")
    folder = tiny_bert_folder(root / "pretraining", "BertForPreTraining")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "EMBEDRAG_CACHE": str(root / "cache")}
    extra = ("--heads", str(folder))
    process, url = start_server(root / "collections", models=(STATIC,), api_key=KEY, env=env, extra=extra)
    try:
        yield Server(url, root / "collections")
    finally:
        stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh tab that already holds the API key in its sessionStorage (as after typing it once)."""
    # bypass_csp: Playwright's polling evaluates strings, which the pages' CSP forbids; it also means the
    # XSS tests check the escaping itself, not the CSP behind it (tests/server checks the header).
    context = browser.new_context(base_url=server.url, viewport={"width": 1200, "height": 900}, bypass_csp=True)
    context.add_init_script(f"sessionStorage.setItem('embedrag-api-key', {KEY!r})")
    context.set_default_timeout(30_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
