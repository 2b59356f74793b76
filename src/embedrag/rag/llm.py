"""Send a chat to any OpenAI-compatible chat-completions endpoint (llama.cpp, Ollama, vLLM, ...)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence

from embedrag.errors import InputError, LLMError

__all__ = ["chat", "completions_url"]


def completions_url(url: str) -> str:
    """The chat-completions address for a base URL (``http://host:8080/v1``) or a full one.

    >>> completions_url("http://localhost:8080/v1")
    'http://localhost:8080/v1/chat/completions'
    >>> completions_url("http://localhost:11434/v1/chat/completions")
    'http://localhost:11434/v1/chat/completions'
    """
    if not url.startswith(("http://", "https://")):
        raise InputError(f"--llm must be an http(s) URL, got {url!r}")
    url = url.rstrip("/")
    return url if url.endswith("/chat/completions") else f"{url}/chat/completions"


def chat(
    url: str,
    messages: Sequence[dict[str, str]],
    *,
    model: str = "default",
    api_key: str | None = None,
    timeout: float = 120.0,
    temperature: float = 0.0,
) -> str:
    """The assistant's reply to ``messages``; :class:`LLMError` with the reason on any failure."""
    body = json.dumps({"model": model, "messages": list(messages), "temperature": temperature}).encode()
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(completions_url(url), data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", errors="replace")[:200]
        raise LLMError(f"LLM endpoint answered HTTP {exc.code}: {detail}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise LLMError(f"cannot reach the LLM endpoint {url}: {getattr(exc, 'reason', exc)}") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise LLMError(f"the LLM endpoint {url} did not answer with JSON") from None
    try:
        return str(payload["choices"][0]["message"]["content"])
    except (KeyError, IndexError, TypeError):
        raise LLMError(f"unexpected answer shape from {url}: {str(payload)[:200]}") from None
