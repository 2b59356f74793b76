"""Send a chat to any OpenAI-compatible chat-completions endpoint (llama.cpp, Ollama, vLLM, ...)."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Sequence
from typing import Any

from embedrag.errors import InputError, LLMError, TruncationWarning

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
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:
        raise InputError(f"--llm {url!r} is not a valid URL: {exc}") from None
    if not parts.hostname:
        raise InputError(f"--llm {url!r} names no host")
    try:
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        raise InputError(f"--llm {url!r}: its port must be a number from 0 to 65535") from None
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
    except http.client.IncompleteRead as exc:
        raise LLMError(f"the LLM endpoint {url} broke off its answer ({exc!r})") from None
    except http.client.HTTPException as exc:  # a status line that is not HTTP's, say
        raise LLMError(f"the LLM endpoint {url} did not answer in HTTP ({type(exc).__name__}: {exc!s:.100})") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise LLMError(f"the LLM endpoint {url} did not answer with JSON") from None
    return _reply_text(payload, url)


def _reply_text(payload: Any, url: str) -> str:
    """The first choice's message text; a reply without one (null content: a tool call, a refusal) is an error,
    and one the endpoint cut at its token limit (finish_reason 'length') warns with :class:`TruncationWarning`."""
    try:
        choice = payload["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LLMError(f"unexpected answer shape from {url}: {str(payload)[:200]}") from None
    if not isinstance(content, str):
        shown = "null" if content is None else f"a {type(content).__name__}"
        reason = choice.get("finish_reason") if isinstance(choice, dict) else None
        raise LLMError(
            f"the LLM endpoint {url} answered no text: its message content is {shown} (finish_reason {reason!r})"
        )
    if choice.get("finish_reason") == "length":
        warnings.warn(
            TruncationWarning("the LLM stopped at its token limit (finish_reason 'length'): the answer is cut off"),
            stacklevel=3,
        )
    return content
