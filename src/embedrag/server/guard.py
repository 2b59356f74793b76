"""The ASGI layer in front of every route: API key, body size limit, and request metrics.

Pure ASGI (no per-request objects beyond the scope) so it also guards requests that match
no route, and counts the answers it gives itself (401, 413).
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from embedrag.server.metrics import ServerMetrics

__all__ = ["OPEN_PATHS", "Guard"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

OPEN_PATHS = frozenset({"/health"})
"""Answered without the API key: liveness probes carry no secrets."""


def _error(status: int, message: str, code: str, type: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": type, "param": None, "code": code}}).encode()


class _Rejected(Exception):
    def __init__(self, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.status, self.body, self.headers = status, body, headers or []


class Guard:
    """Checks the bearer key (constant-time) and the body size, then records status and latency."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        api_key: str | None,
        max_body_bytes: int,
        metrics: ServerMetrics,
        open_paths: frozenset[str] = frozenset(),
        open_prefix: str | None = None,
    ) -> None:
        self.app = app
        self._open = OPEN_PATHS | open_paths
        self._open_prefix = open_prefix
        self._key = api_key.encode() if api_key else None
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            self._authorize(scope)
            receive = await self._buffered(scope, receive)
        except _Rejected as rejected:
            await _answer(send_status, rejected)
        else:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.inc(route=label, status=str(status[0]))
            self.metrics.latency.observe(time.perf_counter() - started, route=label)

    def _authorize(self, scope: Scope) -> None:
        path = scope["path"]
        if self._key is None or path in self._open or (self._open_prefix and path.startswith(self._open_prefix)):
            return
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, token = header.partition(b" ")
        if scheme.lower() != b"bearer" or not hmac.compare_digest(token.strip(), self._key):
            message = "missing or wrong API key: send 'Authorization: Bearer <key>'"
            raise _Rejected(
                401, _error(401, message, "invalid_api_key", "authentication_error"), [(b"www-authenticate", b"Bearer")]
            )

    async def _buffered(self, scope: Scope, receive: Receive) -> Receive:
        """Read the whole body (413 past the limit), then hand it to the app as one message."""
        too_large = _Rejected(
            413,
            _error(413, f"the request body is over {self.max_body_bytes} bytes", "body_too_large", "request_too_large"),
        )
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            raise too_large
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return _replay([message], receive)
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body_bytes:
                raise too_large
            more = message.get("more_body", False)
        return _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}], receive)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


async def _answer(send: Send, rejected: _Rejected) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(rejected.body)).encode())]
    await send({"type": "http.response.start", "status": rejected.status, "headers": headers + rejected.headers})
    await send({"type": "http.response.body", "body": rejected.body})
