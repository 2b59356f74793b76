"""``POST /v1/embeddings`` (OpenAI-compatible), ``POST /v1/images/embeddings`` (CLIP) and ``GET /v1/models``."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import cast

import numpy as np
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from embedrag.embed import Embeddings
from embedrag.errors import InputError
from embedrag.server.dimensions import shorten, truncatable
from embedrag.server.errors import ApiError
from embedrag.server.routes._deps import blocking, get_state
from embedrag.server.schemas import (
    EmbeddingsRequest,
    EmbeddingsResponse,
    ImageEmbeddingsRequest,
    ModelCard,
    ModelList,
)
from embedrag.server.state import Served, ServerState
from embedrag.tokenize import BytePairTokenizer

__all__ = ["router"]

router = APIRouter(tags=["embeddings"])

OPENAI_TOKENIZER = "cl100k_base"
"""Whose ids OpenAI's API reads as integer inputs: what tiktoken, and so LangChain's OpenAIEmbeddings, send."""


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


async def _openai_texts(state: ServerState, inputs: list[list[int]]) -> list[str]:
    """The texts of cl100k ids, as OpenAI reads integer inputs; a bad or special id is a 400 naming it."""
    tokenizer = state.tokenizers.get(OPENAI_TOKENIZER)
    if not isinstance(tokenizer, BytePairTokenizer):
        tokenizer = state.tokenizers[OPENAI_TOKENIZER] = await blocking(BytePairTokenizer, OPENAI_TOKENIZER)
    try:
        return await blocking(_decoded, tokenizer, inputs)
    except InputError as exc:
        raise _bad_input(str(exc)) from None


def _decoded(tokenizer: BytePairTokenizer, inputs: list[list[int]]) -> list[str]:
    texts = []
    for index, ids in enumerate(inputs):
        try:
            texts.append(tokenizer.decode_ordinary(ids))
        except InputError as exc:
            raise InputError(f"input {index}: {exc}") from None
    return texts


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

    Token ids are cl100k_base ids, decoded and embedded as text, unless ``input_tokenizer`` is
    ``model``: then they are the served model's own ids.

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
    if body.input_tokenizer == OPENAI_TOKENIZER and not isinstance(inputs[0], str):
        inputs = await _openai_texts(state, inputs)
    for index, item in enumerate(inputs):
        if isinstance(item, str) and not item.strip():
            raise _bad_input(f"input {index} is empty")
    try:
        ids = await blocking(_content_ids, served, inputs)
    except InputError as exc:
        raise _bad_input(str(exc)) from None
    _check_long(served, ids, state.settings.long_inputs)
    try:
        result = await served.batcher.embed(ids)
    except InputError as exc:  # an input with no tokens to read (zero-width characters only)
        raise _bad_input(str(exc)) from None
    vectors = shorten(result.vectors, served.embedder, body.dimensions)
    payload = _payload(
        served.name,
        vectors,
        body.encoding_format,
        tokens=int(np.sum(result.tokens)),
        truncated=result.truncated,
        windowed=result.windowed,
    )
    return JSONResponse(payload, headers=_headers(result))


@router.post("/v1/images/embeddings", response_model=EmbeddingsResponse, summary="Create image embeddings (CLIP)")
async def create_image_embeddings(
    body: ImageEmbeddingsRequest, state: ServerState = Depends(get_state)
) -> JSONResponse:
    """Vectors of images in a CLIP model's space, comparable with its /v1/embeddings text vectors.

    Each input is the base64 of an image file; the answer has the shape of /v1/embeddings.
    """
    served = await state.model(body.model)
    if not served.embedder.encodes_images:
        raise ApiError(
            400,
            f"model '{served.name}' embeds text only; serve a CLIP folder to embed images",
            type="invalid_request_error",
            code="model_without_images",
            param="model",
        )
    items = [body.input] if isinstance(body.input, str) else body.input
    if not items:
        raise _bad_input("input is empty: give an image in base64 or a list of them")
    if len(items) > state.settings.max_inputs:
        raise _bad_input(f"{len(items)} inputs in one request; the limit is {state.settings.max_inputs}")
    try:
        vectors = await blocking(_encode_images, served, items)
    except InputError as exc:
        raise _bad_input(str(exc)) from None
    return JSONResponse(_payload(served.name, vectors, body.encoding_format, tokens=0))


def _encode_images(served: Served, items: list[str]) -> np.ndarray:
    """Decode the base64 images (400 naming the first bad one) and embed them, in a worker thread."""
    from embedrag.embed.images import decode_image

    images = []
    for index, item in enumerate(items):
        encoded = item.split(",", 1)[1] if item.startswith("data:") and "," in item else item
        try:
            data = base64.b64decode(encoded, validate=True)
        except ValueError:  # binascii.Error, or a character that is not ASCII
            raise InputError(f"input {index} is not base64: give the bytes of an image file in base64") from None
        images.append(decode_image(data, f"input {index}"))
    return served.embedder.encode_images(images)


def _payload(
    model: str,
    vectors: np.ndarray,
    encoding: str,
    *,
    tokens: int,
    truncated: Sequence[int] = (),
    windowed: Sequence[int] = (),
) -> dict[str, object]:
    if encoding == "base64":
        little = vectors.astype("<f4", copy=False)
        data = [base64.b64encode(row.tobytes()).decode("ascii") for row in little]
    else:
        data = vectors.tolist()
    return {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": e} for i, e in enumerate(data)],
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        "truncated": list(truncated),
        "windowed": list(windowed),
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
            images=s.embedder.encodes_images,
        )
        for name, s in state.served.items()
    ]
    cards += [ModelCard(id=name, type="rerank") for name in state.rerankers]
    return ModelList(data=cards)
