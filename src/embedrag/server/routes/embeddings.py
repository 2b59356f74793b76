"""``POST /v1/embeddings`` (OpenAI-compatible) and ``GET /v1/models``."""

from __future__ import annotations

import base64
from typing import cast

import numpy as np
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from embedrag.embed import Embeddings
from embedrag.errors import InputError
from embedrag.server.dimensions import shorten, truncatable
from embedrag.server.errors import ApiError
from embedrag.server.routes._deps import blocking, get_state
from embedrag.server.schemas import EmbeddingsRequest, EmbeddingsResponse, ModelCard, ModelList
from embedrag.server.state import Served, ServerState

__all__ = ["router"]

router = APIRouter(tags=["embeddings"])


def _bad_input(message: str) -> ApiError:
    return ApiError(400, message, type="invalid_request_error", code="invalid_input", param="input")


def _inputs(body: EmbeddingsRequest) -> list[str] | list[list[int]]:
    """The request's inputs as a list of texts or a list of token-id lists (pydantic never mixes them)."""
    value = body.input
    if isinstance(value, str):
        return [value]
    if value and all(isinstance(v, int) for v in value):
        return [cast(list[int], value)]  # one input given as token ids
    return cast("list[str] | list[list[int]]", value)


def _content_ids(served: Served, inputs: list[str] | list[list[int]]) -> list[list[int]]:
    embedder = served.embedder
    texts = [i for i in inputs if isinstance(i, str)]
    if len(texts) == len(inputs):
        return embedder.token_ids(texts)
    return embedder.content_ids(inputs)  # type: ignore[arg-type]


def _check_long(served: Served, ids: list[list[int]], policy: str) -> None:
    limit = served.embedder.max_tokens
    if policy != "error" or limit is None:
        return
    usable = limit - served.embedder.special_tokens
    long = [i for i, t in enumerate(ids) if len(t) > usable]
    if long:
        raise _bad_input(
            f"{len(long)} input(s) exceed {served.name}'s limit of {limit} tokens "
            f"(indices {long[:10]}{' ...' if len(long) > 10 else ''}); this server's policy is 'error'"
        )


@router.post("/v1/embeddings", response_model=EmbeddingsResponse, summary="Create embeddings (OpenAI-compatible)")
async def create_embeddings(body: EmbeddingsRequest, state: ServerState = Depends(get_state)) -> JSONResponse:
    """Vectors for a text, texts, or token ids, as OpenAI's API returns them.

    Inputs longer than the model's limit follow the server's policy: ``truncate`` lists them
    in ``truncated`` (and the ``X-Embedrag-Truncated`` header), ``window`` in ``windowed``,
    ``error`` answers 400.
    """
    served = await state.model(body.model)
    inputs = _inputs(body)
    if not inputs:
        raise _bad_input("input is empty: give a text, a list of texts or token ids")
    if len(inputs) > state.settings.max_inputs:
        raise _bad_input(f"{len(inputs)} inputs in one request; the limit is {state.settings.max_inputs}")
    for index, item in enumerate(inputs):
        if isinstance(item, str) and not item.strip():
            raise _bad_input(f"input {index} is empty")
    try:
        ids = await blocking(_content_ids, served, inputs)
    except InputError as exc:
        raise _bad_input(str(exc)) from None
    _check_long(served, ids, state.settings.long_inputs)
    result = await served.batcher.embed(ids)
    vectors = shorten(result.vectors, served.embedder, body.dimensions)
    return JSONResponse(_payload(served.name, vectors, result, body.encoding_format), headers=_headers(result))


def _payload(model: str, vectors: np.ndarray, result: Embeddings, encoding: str) -> dict[str, object]:
    if encoding == "base64":
        little = vectors.astype("<f4", copy=False)
        data = [base64.b64encode(row.tobytes()).decode("ascii") for row in little]
    else:
        data = vectors.tolist()
    tokens = int(np.sum(result.tokens))
    return {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": e} for i, e in enumerate(data)],
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        "truncated": list(result.truncated),
        "windowed": list(result.windowed),
    }


def _headers(result: Embeddings) -> dict[str, str]:
    return {"X-Embedrag-Truncated": ",".join(map(str, result.truncated))} if result.truncated else {}


@router.get("/v1/models", response_model=ModelList, summary="List the served models")
async def list_models(state: ServerState = Depends(get_state)) -> ModelList:
    """Embedding models (usable in /v1/embeddings and /tokenize) and rerankers (/v1/rerank)."""
    await state.wait_ready()
    cards = [
        ModelCard(
            id=name,
            type="embedding",
            dims=s.embedder.dims,
            max_tokens=s.embedder.max_tokens,
            truncatable=truncatable(s.embedder),
        )
        for name, s in state.served.items()
    ]
    cards += [ModelCard(id=name, type="rerank") for name in state.rerankers]
    return ModelList(data=cards)
