"""``POST /v1/rerank``: order documents by relevance to a query (Cohere / Jina shape)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from embedrag.embed import Embedder
from embedrag.errors import InputError
from embedrag.server.errors import ApiError
from embedrag.server.routes._deps import blocking, get_state
from embedrag.server.schemas import RerankDocument, RerankRequest, RerankResponse, RerankResult
from embedrag.server.state import LATE, ServerState
from embedrag.tokenize.protocol import check_text
from embedrag.types import Hit

__all__ = ["router"]

router = APIRouter(tags=["rerank"])


@router.post("/v1/rerank", response_model=RerankResponse, summary="Rerank documents for a query")
async def rerank(body: RerankRequest, state: ServerState = Depends(get_state)) -> RerankResponse:
    """Scores every document against the query, best first.

    ``late`` scores with MaxSim over the embedding model's token vectors (no extra model);
    a served cross-encoder gives probabilities in 0..1.
    """
    name, reranker = await state.reranker(body.model)
    texts = [d if isinstance(d, str) else d.text for d in body.documents]
    if len(texts) > state.settings.max_inputs:
        raise ApiError(
            400,
            f"{len(texts)} documents in one request; the limit is {state.settings.max_inputs}",
            type="invalid_request_error",
            code="invalid_input",
            param="documents",
        )
    for index, text in enumerate(texts):
        if not text.strip():
            raise _bad(f"document {index} is empty", "documents")
    if not body.query.strip():
        raise _bad("the query is empty", "query")
    default = next(iter(state.served.values())).embedder
    counts = await blocking(_counts, default, body.query, texts)
    # Rerankers score search hits; each document becomes a hit whose id is its position.
    hits = [Hit(str(i), 0.0, text, "", {}, str(i)) for i, text in enumerate(texts)]
    ranked = await blocking(reranker, body.query, hits)
    usable = None if default.max_tokens is None else default.max_tokens - default.special_tokens
    cut = [i for i, n in enumerate(counts[1:]) if usable is not None and n > usable] if name == LATE else []
    results = [
        RerankResult(
            index=int(hit.id),
            relevance_score=hit.score,
            document=RerankDocument(text=hit.text) if body.return_documents else None,
        )
        for hit in ranked[: body.top_n]
    ]
    return RerankResponse(model=name, results=results, usage={"total_tokens": sum(counts)}, truncated=cut)


def _bad(message: str, param: str) -> ApiError:
    return ApiError(400, message, type="invalid_request_error", code="invalid_input", param=param)


def _counts(embedder: Embedder, query: str, texts: list[str]) -> list[int]:
    """Tokens of the query and of each document, by the default model; 400 naming one it reads nothing of
    (only control or zero-width characters), which every reranker would score 0 without a word."""
    named = [("the query", "query", query)] + [(f"document {i}", "documents", t) for i, t in enumerate(texts)]
    for what, param, text in named:
        try:
            check_text(text, what=what)
        except InputError as exc:
            raise _bad(str(exc), param) from None
    counts = [len(ids) for ids in embedder.token_ids([query, *texts])]
    for (what, param, _), count in zip(named, counts, strict=True):
        if count == 0:
            raise _bad(f"{what} has no tokens {embedder.name} reads (only control or zero-width characters)", param)
    return counts
