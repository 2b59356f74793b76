"""``POST /v1/fill-mask`` and ``/v1/next-sentence``: BERT's two pre-training heads, from the folder
the server was started with (``embedrag serve --heads DIR``, ``hf`` extra), as ``embedrag fill``
and ``embedrag nsp`` give them. The Inside page shows their forms when they are served."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends

from embedrag.server.errors import ApiError
from embedrag.server.routes._deps import blocking, get_state
from embedrag.server.schemas import (
    Candidate,
    FillMaskRequest,
    FillMaskResponse,
    NextSentenceRequest,
    NextSentenceResponse,
)
from embedrag.server.state import ServerState

__all__ = ["router"]

router = APIRouter(tags=["heads"])


def _not_served(state: ServerState, route: str) -> ApiError:
    """The 404 for a head this server does not serve, saying why."""
    if state.settings.heads is None:
        message = f"this server has no {route} head: start it with --heads DIR (a BERT folder with its heads)"
    else:
        message = f"this server has no {route} head: {state.heads_missing.get(route, 'not loaded')}"
    return ApiError(404, message, type="not_found_error", code="head_not_served")


def _name(state: ServerState) -> str:
    return Path(state.settings.heads or "").name


@router.post("/v1/fill-mask", response_model=FillMaskResponse, summary="Fill [MASK] with BERT's masked-LM head")
async def fill_mask(body: FillMaskRequest, state: ServerState = Depends(get_state)) -> FillMaskResponse:
    """The ``top_k`` most probable word pieces for each ``[MASK]``; 400 when the text has none."""
    await state.wait_ready()
    head = state.fill_mask
    if head is None:
        raise _not_served(state, "fill-mask")
    masks = await blocking(head.fill, body.text, top_k=body.top_k)
    return FillMaskResponse(
        model=_name(state),
        mask=head.mask,
        masks=[[Candidate(token=f.token, probability=f.probability) for f in mask] for mask in masks],
    )


@router.post("/v1/next-sentence", response_model=NextSentenceResponse, summary="P(IsNext) by BERT's next-sentence head")
async def next_sentence(body: NextSentenceRequest, state: ServerState = Depends(get_state)) -> NextSentenceResponse:
    """How likely ``second`` is the sentence after ``first``."""
    await state.wait_ready()
    head = state.next_sentence
    if head is None:
        raise _not_served(state, "next-sentence")
    return NextSentenceResponse(model=_name(state), is_next=await blocking(head.score, body.first, body.second))
