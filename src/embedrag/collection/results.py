"""What a collection hands out besides hits: an answer with its cited context, stored chunks, hits as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from embedrag.rag.context import Context
from embedrag.types import Hit

__all__ = ["LLM", "Answer", "StoredChunk", "hit_dict"]


@dataclass(frozen=True)
class LLM:
    """An OpenAI-compatible chat endpoint (llama.cpp, Ollama, vLLM, ...) that :meth:`Collection.ask` can ask."""

    url: str
    """Its base URL (``http://localhost:8080/v1``) or its chat-completions URL."""
    model: str = "default"
    """The model name sent to it."""
    api_key: str | None = None


@dataclass(frozen=True)
class Answer:
    """What :meth:`Collection.ask` returns: the cited context and, given an LLM endpoint, its reply."""

    context: Context
    """The numbered passages that fit the budget, the prompt and the chat messages."""
    text: str | None = None
    """The LLM's answer; ``None`` when no endpoint was given."""


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as stored, from :meth:`Collection.chunks`."""

    id: str
    """``<doc_id>#<position>``, as in :class:`Hit`."""
    doc_id: str
    text: str
    source: str
    metadata: dict[str, Any]
    """The document's metadata, overlaid by the chunk's."""
    start: int | None
    end: int | None
    vector: NDArray[np.float32] | None = None
    """Its embedding, when asked for (``with_vectors=True``)."""


def hit_dict(hit: Hit) -> dict[str, Any]:
    """A hit as plain JSON values: the one shape the CLI and the server print (the CLI leaves out ``doc_id``).

    >>> hit_dict(Hit("a#0", 0.5, "text", "a.txt", {"year": 2004}, "a", 0, 4))["doc_id"]
    'a'
    """
    return {
        "id": hit.id,
        "doc_id": hit.doc_id,
        "score": hit.score,
        "text": hit.text,
        "source": hit.source,
        "metadata": dict(hit.metadata),
        "start": hit.start,
        "end": hit.end,
    }
