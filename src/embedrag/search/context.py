"""RAG context: numbered, cited passages that fit a token budget, and the prompt around them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from embedrag.errors import InputError
from embedrag.tokenize import Tokenizer
from embedrag.types import Hit

__all__ = ["Context", "build_context"]

SYSTEM_PROMPT = (
    "Answer the question using only the numbered passages below. "
    "Cite the passages you use with their numbers in square brackets, like [1]. "
    "If the passages do not contain the answer, say that you do not know."
)


@dataclass(frozen=True)
class Context:
    """The passages that fit, their numbering, and the chat messages to send to an LLM."""

    question: str
    passages: tuple[Hit, ...]
    """In citation order: passage ``[n]`` is ``passages[n - 1]``."""
    skipped: int
    """Hits left out because the budget was full (never cut mid-passage)."""
    tokens: int
    """Tokens of the user message, counted with the tokenizer given."""
    messages: tuple[dict[str, str], ...]

    @property
    def prompt(self) -> str:
        """The user message: the numbered passages, then the question."""
        return self.messages[-1]["content"]


def _passage(number: int, hit: Hit) -> str:
    return f"[{number}] (source: {hit.source})\n{hit.text.strip()}\n"


def build_context(question: str, hits: Sequence[Hit], *, tokenizer: Tokenizer, budget: int = 3000) -> Context:
    """Number ``hits`` in rank order and keep those that fit in ``budget`` tokens with the question.

    A passage that does not fit is skipped whole (and counted), never truncated; later,
    shorter passages may still fit.
    """
    if not question.strip():
        raise InputError("the question is empty")
    tail = f"Question: {question.strip()}\n"
    used = tokenizer.count(tail)
    if used > budget:
        raise InputError(f"the question alone takes {used} tokens, over the budget of {budget}")
    kept: list[Hit] = []
    parts: list[str] = []
    for hit in hits:
        text = _passage(len(kept) + 1, hit)
        cost = tokenizer.count(text)
        if used + cost > budget:
            continue
        kept.append(hit)
        parts.append(text)
        used += cost
    prompt = "\n".join([*parts, tail])
    messages = ({"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt})
    return Context(question.strip(), tuple(kept), len(hits) - len(kept), tokenizer.count(prompt), messages)
