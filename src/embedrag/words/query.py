"""Read analogies: the short form ``"king - man + woman"``, and proportions ``"man:woman::king:queen"``."""

from __future__ import annotations

import re

from embedrag.errors import InputError

__all__ = ["parse_analogy", "parse_proportion"]

# An operator is '+', or '-' at the start of a term; a '-' inside a word ("well-known") is kept.
_TOKEN = re.compile(r"\+|(?<![^\s+])-|[^\s+]+")


def parse_analogy(expression: str) -> tuple[list[str], list[str]]:
    """Split ``"a - b + c"`` into ``(positive, negative)`` words; an unsigned first word is positive.

    >>> parse_analogy("king - man + woman")
    (['king', 'woman'], ['man'])
    >>> parse_analogy("paris -france +italy")
    (['paris', 'italy'], ['france'])
    """
    positive: list[str] = []
    negative: list[str] = []
    pending: str | None = None
    for token in _TOKEN.findall(expression):
        if token in "+-":
            if pending is not None:
                raise InputError(f"two operators in a row in {expression!r}; write it like 'king - man + woman'")
            pending = token
            continue
        if pending is None and (positive or negative):
            raise InputError(
                f"missing '+' or '-' before {token!r} in {expression!r}; write it like 'king - man + woman'"
            )
        (negative if pending == "-" else positive).append(token)
        pending = None
    if not positive or pending is not None:
        raise InputError(f"cannot read the analogy {expression!r}; write it like 'king - man + woman'")
    return positive, negative


def parse_proportion(text: str) -> tuple[str, str, str, str]:
    """Read ``"a:b::c:d"`` (*a is to b as c is to d*) into its four words.

    >>> parse_proportion("man:woman::king:queen")
    ('man', 'woman', 'king', 'queen')
    """
    halves = text.split("::")
    pairs = [half.split(":") for half in halves]
    words = [word.strip() for pair in pairs for word in pair]
    if len(halves) != 2 or any(len(pair) != 2 for pair in pairs) or not all(words):
        raise InputError(f"cannot read the analogy {text!r}; write it like 'man:woman::king:queen'")
    return words[0], words[1], words[2], words[3]
