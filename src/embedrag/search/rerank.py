"""Rerankers: rescore the top candidates of a search with a slower, better model.

``late``: MaxSim over the contextual token vectors of the collection's own encoder (no
extra weights). Any other value is a cross-encoder model (a local directory or a
catalogue name; needs the ``hf`` extra).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from embedrag.embed import Embedder
from embedrag.search.late import maxsim_many
from embedrag.types import Hit

__all__ = ["Reranker", "make_reranker"]


class Reranker(Protocol):
    def __call__(self, query: str, hits: Sequence[Hit]) -> list[Hit]: ...


def _late(embedder: Embedder) -> Reranker:
    def rerank(query: str, hits: Sequence[Hit]) -> list[Hit]:
        if not hits:
            return []
        query_tokens, *doc_tokens = embedder.token_vectors([query, *(h.text for h in hits)])
        return _sorted(hits, maxsim_many(query_tokens, doc_tokens))

    return rerank


def _cross(model: str) -> Reranker:
    from embedrag.heads import CrossEncoder

    encoder = CrossEncoder(model)

    def rerank(query: str, hits: Sequence[Hit]) -> list[Hit]:
        return _sorted(hits, encoder.score([(query, h.text) for h in hits])) if hits else []

    return rerank


def _sorted(hits: Sequence[Hit], scores: np.ndarray) -> list[Hit]:
    order = np.argsort(-scores, kind="stable")
    return [replace(hits[i], score=float(scores[i])) for i in order]


RERANKERS: dict[str, Callable[[Embedder], Reranker]] = {"late": _late}


def make_reranker(name: str, embedder: Embedder) -> Reranker:
    """``late`` (built in), or a cross-encoder model name / directory."""
    factory = RERANKERS.get(name)
    return factory(embedder) if factory is not None else _cross(name)
