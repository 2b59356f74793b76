"""What every route needs: the server state, and blocking work moved off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request

from embedrag.server.state import ServerState

__all__ = ["blocking", "get_state"]

T = TypeVar("T")


def get_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.embedrag
    return state


async def blocking(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Run ``fn`` in a worker thread: the event loop keeps serving other requests meanwhile."""
    return await asyncio.to_thread(fn, *args, **kwargs)
