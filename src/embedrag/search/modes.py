"""The search modes: a table of functions from a query to scored chunk ids, over an index and an encoder.

``dense`` embeds the query and asks the vector index; ``bm25`` asks the lexical index; ``hybrid``
fuses both with a method of :data:`embedrag.search.fusion.FUSION`. The encoder is passed as a
function so that a BM25 search never loads a model.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from embedrag.embed import Embedder, Embeddings
from embedrag.errors import InputError, TruncationWarning
from embedrag.index import Index
from embedrag.index.bm25 import CorpusStats
from embedrag.index.filters import Filters
from embedrag.index.retrieval import Scored, check_k
from embedrag.search.fusion import FUSION, fuse
from embedrag.tokenize.protocol import check_text

__all__ = ["CANDIDATES", "MODES", "Mode", "Query", "SearchMode", "check_options", "check_search", "embed_query"]

Mode = Literal["dense", "bm25", "hybrid"]

CANDIDATES = 50
"""Results each retriever contributes before fusion or reranking (at least ``k``)."""


@dataclass(frozen=True)
class Query:
    """One search, already checked: the text, how many results, filters as data, and the options."""

    text: str
    n: int
    filters: Filters | None
    exact: bool
    fusion: str
    stats: CorpusStats | None = None
    """BM25's corpus statistics when they are not the index's own (a shard of a sharded collection)."""


def embed_query(encoder: Embedder, text: str) -> Embeddings:
    """``text`` embedded by ``encoder``, or an :class:`InputError` when the model reads nothing in it.

    A query of characters its tokenizer drops (``"\u200b"``) is its special tokens alone, and a static
    model's pieces may carry no vector: either vector would rank chunks by nothing the query says.
    """
    unreadable = InputError(f"the query has nothing {encoder.name} can read: its vector would have no direction")
    if not encoder.token_ids([text])[0]:
        raise unreadable
    result = encoder.embed([text])
    if not result.vectors[0].any():
        raise unreadable
    return result


def dense(index: Index, embedder: Callable[[], Embedder], q: Query) -> Scored:
    encoder = embedder()
    result = embed_query(encoder, q.text)
    if result.truncated:  # BM25 reads the whole query; the encoder only its start: say so, once per search
        warnings.warn(
            TruncationWarning(
                f"the query has {int(result.tokens[0])} word pieces; {encoder.name} read the first "
                f"{encoder.max_tokens} for dense search (BM25 reads all of it)"
            ),
            stacklevel=4,
        )
    return index.dense(result.vectors[0], q.n, q.filters, exact=q.exact)


def bm25(index: Index, embedder: Callable[[], Embedder], q: Query) -> Scored:
    return index.lexical(q.text, q.n, q.filters, stats=q.stats)


def hybrid(index: Index, embedder: Callable[[], Embedder], q: Query) -> Scored:
    lists = [dense(index, embedder, q), bm25(index, embedder, q)]
    fused = fuse(q.fusion, lists, chunks=index.chunk_count)
    return [(int(chunk_id), score) for chunk_id, score in fused]  # type: ignore[call-overload]


SearchMode = Callable[[Index, Callable[[], Embedder], Query], Scored]
MODES: dict[str, SearchMode] = {"dense": dense, "bm25": bm25, "hybrid": hybrid}


def check_search(query: str, k: int, mode: str, fusion: str) -> None:
    """An :class:`InputError` for an empty or malformed query, a ``k`` that is not a positive
    integer, or an unknown ``mode`` or ``fusion``: what every search checks before it starts."""
    if not isinstance(query, str) or not query.strip():
        raise InputError("the query is empty")
    check_text(query, what="the query")  # bm25 alone would drop the bad characters and find nothing
    check_options(mode, fusion)
    check_k(k)


def check_options(mode: str, fusion: str) -> None:
    """An :class:`InputError` naming the choices when ``mode`` or ``fusion`` is unknown."""
    if mode not in get_args(Mode):
        raise InputError(f"unknown mode {mode!r}; choose one of {', '.join(get_args(Mode))}")
    if fusion not in FUSION:
        raise InputError(f"unknown fusion {fusion!r}; choose one of {', '.join(FUSION)}")
