"""What the web UI's routes keep between requests: loaded word vectors and encoders, maps, jobs.

One :class:`UiState` per app (``app.state.embedrag_ui``), created on first use; each heavy
part loads once, in a worker thread, under its own lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import Request

from embedrag.server.routes._jobs import Jobs

if TYPE_CHECKING:
    from embedrag.embed.contextual import ContextualEncoder
    from embedrag.words import WordVectors

__all__ = ["UiState", "ui_state"]

T = TypeVar("T")
MAPS_KEPT = 4
"""Maps held in memory (each holds its sample's vectors); the oldest is dropped first."""


class UiState:
    def __init__(self) -> None:
        self.jobs = Jobs()
        self._parts: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.maps: OrderedDict[str, Any] = OrderedDict()
        self.maps_lock = threading.Lock()

    def part(self, key: str, load: Callable[[], T]) -> T:
        """The part called ``key``, loaded by ``load`` the first time (blocking: call it in a thread)."""
        with self._lock:
            if key not in self._parts:
                self._parts[key] = load()
            value: T = self._parts[key]
            return value

    def word_vectors(self) -> WordVectors:
        from embedrag.words import DEFAULT_VECTORS, WordVectors

        return self.part("words", lambda: WordVectors.load(DEFAULT_VECTORS))

    def contextual(self) -> ContextualEncoder:
        from embedrag.embed.contextual import ContextualEncoder

        return self.part("contextual", ContextualEncoder)

    def keep_map(self, key: str, value: Any) -> None:
        with self.maps_lock:
            self.maps[key] = value
            self.maps.move_to_end(key)
            while len(self.maps) > MAPS_KEPT:
                self.maps.popitem(last=False)


def ui_state(request: Request) -> UiState:
    """The app's :class:`UiState`, made on first use."""
    app_state = request.app.state
    if not hasattr(app_state, "embedrag_ui"):
        app_state.embedrag_ui = UiState()
    state: UiState = app_state.embedrag_ui
    return state
