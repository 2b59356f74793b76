"""``POST /v1/collections/{name}/search`` and ``/ask``: the CLI's search and ask, over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from embedrag.collection import LLM, Answer, hit_dict
from embedrag.errors import LLMError
from embedrag.rag.context import CONTEXT_TOKENIZER
from embedrag.server.collection_schemas import AskRequest, AskResponse, HitOut, Passage, SearchRequest, SearchResponse
from embedrag.server.errors import ApiError, ErrorResponse
from embedrag.server.routes._deps import blocking, get_state
from embedrag.server.routes.collections import NAME
from embedrag.server.state import LATE, ServerState
from embedrag.tokenize import load_tokenizer
from embedrag.types import Hit

__all__ = ["router"]

router = APIRouter(tags=["collections"])


def _llm(state: ServerState) -> LLM | None:
    s = state.settings
    return None if s.llm_url is None else LLM(s.llm_url, s.llm_model, s.llm_api_key)


def _rerank_target(state: ServerState, name: str | None) -> str | None:
    """What ``Collection.search(rerank=...)`` takes for a served reranker name; 404 for others."""
    if name is None or name == LATE:
        return name
    if state.settings.rerank_model is not None and name == state.rerank_name:
        return state.settings.rerank_model
    raise ApiError(
        404,
        f"reranker {name!r} is not served here; rerankers: {', '.join(state.rerankers)}",
        type="not_found_error",
        code="model_not_found",
        param="rerank",
    )


async def _search(state: ServerState, name: str, query: str, **options: Any) -> list[Hit]:
    registry = await state.registry()
    options["rerank"] = _rerank_target(state, options.get("rerank"))

    def run() -> list[Hit]:
        with registry.use(name) as col:
            return col.search(query, **options)

    return await blocking(run)


@router.post("/v1/collections/{name}/search", response_model=SearchResponse, summary="Search a collection")
async def search(body: SearchRequest, name: str = NAME, state: ServerState = Depends(get_state)) -> SearchResponse:
    """The ``k`` best chunks: dense, bm25 or hybrid, with filters and an optional rerank."""
    hits = await _search(
        state,
        name,
        body.query,
        k=body.k,
        mode=body.mode,
        filters=body.filters,
        rerank=body.rerank,
        fusion=body.fusion,
        exact=body.exact,
    )
    return SearchResponse(data=[HitOut(**hit_dict(h)) for h in hits])


@router.post(
    "/v1/collections/{name}/ask",
    response_model=AskResponse,
    summary="Cited context for a question, and the LLM's answer when one is configured",
    responses={502: {"model": ErrorResponse, "description": "The LLM endpoint failed or could not be reached"}},
)
async def ask(body: AskRequest, name: str = NAME, state: ServerState = Depends(get_state)) -> AskResponse:
    """Numbered passages that fit the token budget, the chat messages to send to an LLM, and the
    reply of the server's LLM endpoint (``--llm-url``) when it has one (502 when that endpoint fails)."""
    registry = await state.registry()
    rerank = _rerank_target(state, body.rerank)
    if CONTEXT_TOKENIZER not in state.tokenizers:
        state.tokenizers[CONTEXT_TOKENIZER] = await blocking(load_tokenizer, CONTEXT_TOKENIZER)
    tokenizer = state.tokenizers[CONTEXT_TOKENIZER]

    def run() -> Answer:
        with registry.use(name) as col:
            return col.ask(
                body.question,
                k=body.k,
                mode=body.mode,
                filters=body.filters,
                rerank=rerank,
                budget=body.budget,
                context_tokenizer=tokenizer,
                llm=llm,
            )

    llm = _llm(state)
    try:
        result = await blocking(run)
    except LLMError as exc:
        raise ApiError(502, str(exc), type="api_error", code="llm_error") from None
    context = result.context
    return AskResponse(
        answer=result.text,
        question=context.question,
        passages=[Passage(n=n, **hit_dict(h)) for n, h in enumerate(context.passages, start=1)],
        skipped=context.skipped,
        tokens=context.tokens,
        prompt=context.prompt,
        messages=list(context.messages),
    )
