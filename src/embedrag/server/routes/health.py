"""``GET /health`` (liveness), ``GET /ready`` (models loaded) and ``GET /metrics`` (Prometheus)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel

from embedrag.server.routes._deps import get_state
from embedrag.server.state import ServerState

__all__ = ["router"]

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    status: Literal["ready", "loading", "failed", "stopping"]
    models: list[str]
    detail: str | None = None


@router.get("/health", response_model=Health, summary="Liveness: the process answers")
async def health() -> Health:
    return Health()


@router.get(
    "/ready",
    response_model=Ready,
    responses={503: {"model": Ready, "description": "Models still loading, failed to load, or shutting down"}},
    summary="Readiness: models loaded",
)
async def ready(state: ServerState = Depends(get_state)) -> JSONResponse:
    if state.shutting_down:
        answer, code = Ready(status="stopping", models=[]), 503
    elif state.load_error is not None:
        answer, code = Ready(status="failed", models=[], detail=str(state.load_error)), 503
    elif not state.ready:
        answer, code = Ready(status="loading", models=[]), 503
    else:
        answer, code = Ready(status="ready", models=list(state.served)), 200
    return JSONResponse(answer.model_dump(), status_code=code)


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    summary="Prometheus metrics",
)
async def metrics(state: ServerState = Depends(get_state)) -> PlainTextResponse:
    """Requests by route and status, latencies, encoder batch sizes and queue depth (text format 0.0.4)."""
    return PlainTextResponse(state.metrics.registry.render(), media_type="text/plain; version=0.0.4")
