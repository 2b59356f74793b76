"""Rerankers: rescore the top candidates of a search with a slower, better model.

``late``: MaxSim over the contextual token vectors of the collection's own encoder (no
extra weights): read from the collection when it keeps them (one query encoding and a gather),
else encoded for every candidate at query time. Any other value is a cross-encoder model (a local directory or a
catalogue name; needs the ``hf`` extra).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from embedrag._identity import split_chunk_id
from embedrag.embed import Embedder
from embedrag.index.token_vectors import Quantized, quantize
from embedrag.search.late import maxsim_many, maxsim_stored
from embedrag.types import Hit

__all__ = ["Reranker", "make_reranker"]


class Reranker(Protocol):
    def __call__(self, query: str, hits: Sequence[Hit]) -> list[Hit]: ...


StoredTokens = Callable[[Sequence[tuple[str, int]]], Mapping[tuple[str, int], Quantized]]
"""The token vectors a collection keeps, for chunks named ``(doc_id, position)``; those it has none of are left out."""


PassageText = Callable[[Hit], str]
"""What a collection embedded for a hit's chunk (its text under its title and headings, say)."""


def _late(embedder: Embedder, stored: StoredTokens | None = None, passage_text: PassageText | None = None) -> Reranker:
    text_of = passage_text or (lambda hit: hit.text)

    def rerank(query: str, hits: Sequence[Hit]) -> list[Hit]:
        if not hits:
            return []
        if stored is None:
            query_tokens, *doc_tokens = embedder.token_vectors([query, *(text_of(h) for h in hits)])
            return _sorted(hits, maxsim_many(query_tokens, doc_tokens))
        return _sorted(hits, _stored_scores(embedder, stored, query, [text_of(h) for h in hits], hits))

    return rerank


def _stored_scores(
    embedder: Embedder, stored: StoredTokens, query: str, texts: Sequence[str], hits: Sequence[Hit]
) -> np.ndarray:
    """MaxSim against the kept token vectors: one query encoding and a gather. A chunk without kept
    vectors (stored with vectors made elsewhere, or damaged) is encoded here from ``texts`` (what the
    collection embedded for each hit), as the ingest would have."""
    names = [_chunk_name(hit) for hit in hits]
    found = dict(stored(names))
    missing = [i for i, name in enumerate(names) if name not in found]
    if missing:
        _, fresh = embedder.for_role("document").embed_with_token_vectors([texts[i] for i in missing])
        for i, tokens in zip(missing, fresh, strict=True):
            found[names[i]] = quantize(tokens)
    parts = [found[name] for name in names]
    lengths = np.array([len(values) for values, _ in parts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    values = np.concatenate([v for v, _ in parts])
    scales = np.concatenate([s for _, s in parts])
    [query_tokens] = embedder.token_vectors([query])
    return maxsim_stored(query_tokens, values, scales, starts)


def _chunk_name(hit: Hit) -> tuple[str, int]:
    """``(doc_id, position)`` of a hit's chunk; a hit that is no single stored chunk gets position -1 (none kept)."""
    doc_id, position = split_chunk_id(hit.id)
    return doc_id, int(position) if position.isdigit() else -1


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


def make_reranker(
    name: str, embedder: Embedder, *, stored: StoredTokens | None = None, passage_text: PassageText | None = None
) -> Reranker:
    """``late`` (built in), or a cross-encoder model name / directory.

    ``stored``: the token vectors a collection keeps; ``late`` then reads them instead of encoding
    every candidate (see :mod:`embedrag.index.token_vectors`). ``passage_text``: what the collection
    embedded for a hit, which ``late`` encodes for a candidate it has no kept vectors of (default:
    the hit's text).
    """
    if name == "late":
        return _late(embedder, stored, passage_text)
    factory = RERANKERS.get(name)
    return factory(embedder) if factory is not None else _cross(name)
