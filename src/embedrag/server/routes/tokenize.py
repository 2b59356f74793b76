"""``POST /tokenize`` and ``POST /detokenize`` with a served model's tokenizer or a catalogue one."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from embedrag.errors import InputError
from embedrag.models import find
from embedrag.server.errors import ApiError
from embedrag.server.routes._deps import blocking, get_state
from embedrag.server.schemas import DetokenizeRequest, DetokenizeResponse, TokenizeRequest, TokenizeResponse
from embedrag.server.state import ServerState
from embedrag.tokenize import Tokenizer, load_tokenizer

__all__ = ["router"]

router = APIRouter(tags=["tokenize"])


async def _tokenizer(state: ServerState, name: str | None) -> tuple[str, Tokenizer, int | None]:
    """(name, tokenizer, max tokens) for a served model or a catalogue tokenizer; never a path."""
    await state.wait_ready()
    info = find(name) if name is not None else None
    if info is not None and info.kind == "tokenizer":
        key, source, limit = info.name, info.name, None
    else:
        served = await state.model(name)
        key, source, limit = served.name, str(served.embedder.model_path), served.embedder.max_tokens
    if key not in state.tokenizers:
        state.tokenizers[key] = await blocking(load_tokenizer, source)
    return key, state.tokenizers[key], limit


@router.post("/tokenize", response_model=TokenizeResponse, summary="Text to token ids")
async def tokenize(body: TokenizeRequest, state: ServerState = Depends(get_state)) -> TokenizeResponse:
    """The ids a model sees for ``text`` (special tokens included), with readable pieces. Never truncated."""
    name, tokenizer, limit = await _tokenizer(state, body.model)
    ids, pieces = await blocking(lambda: (tokenizer.encode(body.text), tokenizer.tokens(body.text)))
    return TokenizeResponse(model=name, tokens=ids, pieces=pieces, count=len(ids), max_tokens=limit)


@router.post("/detokenize", response_model=DetokenizeResponse, summary="Token ids to text")
async def detokenize(body: DetokenizeRequest, state: ServerState = Depends(get_state)) -> DetokenizeResponse:
    """The text of ``tokens``; ids outside the vocabulary are a 400 naming the first one."""
    name, tokenizer, _ = await _tokenizer(state, body.model)
    try:
        text = await blocking(tokenizer.decode, body.tokens)
    except InputError as exc:  # an id outside the vocabulary
        raise ApiError(400, str(exc), type="invalid_request_error", code="invalid_input", param="tokens") from None
    return DetokenizeResponse(model=name, text=text)
