"""RAG context: numbered, cited passages that fit a token budget, and the prompt around them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from embedrag._identity import chunk_id, split_chunk_id
from embedrag.errors import InputError
from embedrag.tokenize import Tokenizer
from embedrag.types import Hit

__all__ = ["CONTEXT_TOKENIZER", "Context", "build_context"]

CONTEXT_TOKENIZER = "cl100k_base"
"""What prompt budgets are counted in by default: GPT-4's tokens."""

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


def build_context(
    question: str, hits: Sequence[Hit], *, tokenizer: Tokenizer, budget: int = 3000, join_neighbours: bool = True
) -> Context:
    """Number ``hits`` in rank order and keep those that fit in ``budget`` tokens with the question.

    A passage that does not fit is skipped whole (and counted), never truncated; later,
    shorter passages may still fit. With ``join_neighbours``, hits that are consecutive chunks
    of one document become one passage (id ``doc#2-3``), their overlap written once, at the
    rank of the best of them.
    """
    if not question.strip():
        raise InputError("the question is empty")
    tail = f"Question: {question.strip()}\n"
    used = tokenizer.count(tail)
    if used > budget:
        raise InputError(f"the question alone takes {used} tokens, over the budget of {budget}")
    groups = _join_neighbours(hits) if join_neighbours else [(hit, 1) for hit in hits]
    kept: list[Hit] = []
    parts: list[str] = []
    skipped = 0
    for hit, members in groups:
        text = _passage(len(kept) + 1, hit)
        cost = tokenizer.count(text)
        if used + cost > budget:
            skipped += members
            continue
        kept.append(hit)
        parts.append(text)
        used += cost
    prompt = "\n".join([*parts, tail])
    messages = ({"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt})
    return Context(question.strip(), tuple(kept), skipped, tokenizer.count(prompt), messages)


def _join_neighbours(hits: Sequence[Hit]) -> list[tuple[Hit, int]]:
    """(passage, number of hits in it) in rank order: runs of consecutive chunks of a document joined.

    Hits without character offsets or a ``doc#position`` id stay as they are.
    """
    where: dict[tuple[str, int], Hit] = {}
    for hit in hits:
        position = _position(hit)
        if position is not None and (hit.doc_id, position) not in where:
            where[hit.doc_id, position] = hit
    groups: list[tuple[Hit, int]] = []
    done: set[int] = set()
    for hit in hits:
        if id(hit) in done:
            continue
        position = _position(hit)
        if position is None or where.get((hit.doc_id, position)) is not hit:
            groups.append((hit, 1))
            continue
        first, last = position, position
        while (hit.doc_id, first - 1) in where:
            first -= 1
        while (hit.doc_id, last + 1) in where:
            last += 1
        run = [where[hit.doc_id, p] for p in range(first, last + 1)]
        done.update(id(member) for member in run)
        groups.append((_joined(run, first, last), len(run)))
    return groups


def _position(hit: Hit) -> int | None:
    doc_id, position = split_chunk_id(hit.id)
    if hit.start is None or hit.end is None or doc_id != hit.doc_id or not position.isdigit():
        return None
    return int(position)


def _joined(run: list[Hit], first: int, last: int) -> Hit:
    """One hit for consecutive chunks: the text once (overlaps dropped), the best score."""
    if len(run) == 1:
        return run[0]
    text, end = run[0].text, run[0].end
    for hit in run[1:]:
        assert hit.start is not None and hit.end is not None and end is not None  # checked by _position
        text += hit.text[end - hit.start :] if hit.start <= end else "\n" + hit.text
        end = max(end, hit.end)
    best = max(run, key=lambda h: h.score)
    return replace(run[0], id=chunk_id(run[0].doc_id, f"{first}-{last}"), score=best.score, text=text, end=end)
