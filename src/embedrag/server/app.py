"""``create_app(settings)``: the FastAPI application, ready for uvicorn or an in-process test client."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from embedrag import __version__
from embedrag.models import resolve
from embedrag.server.errors import ERROR_RESPONSES, error_json, install_error_handlers
from embedrag.server.guard import Guard
from embedrag.server.routes import (
    browse,
    collections,
    embeddings,
    evaljobs,
    explore,
    heads,
    health,
    rerank,
    search,
    space,
    tokenize,
    ui,
)
from embedrag.server.settings import ServerSettings, exposure_warning
from embedrag.server.state import ServerState

__all__ = ["create_app"]

log = logging.getLogger("embedrag.server")

DESCRIPTION = """Embeddings (OpenAI-compatible), reranking, tokenization and collection search.

Errors always have the body `{"error": {"message", "type", "param", "code"}}`.
With an API key configured, every route but `/health` needs `Authorization: Bearer <key>`.
"""


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The server as an ASGI app. Models load in the background once it starts (see ``/ready``).

    Model names are checked here, so a typo fails at once rather than after start-up.
    """
    settings = settings or ServerSettings()
    for name in (*settings.models, *([settings.rerank_model] if settings.rerank_model else [])):
        resolve(name)  # raises ModelNotFoundError naming every place it looked
    if settings.heads is not None:
        resolve(settings.heads)
    state = ServerState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warning = exposure_warning(settings.host, settings.api_key)
        if warning is not None:
            log.warning("embedrag server: %s", warning)
        state.start()
        try:
            yield
        finally:
            await state.close()  # uvicorn has let in-flight requests finish by now
            log.info("embedrag server: stopped; collections closed")

    app = FastAPI(
        title="embedrag",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    app.state.embedrag = state
    install_error_handlers(app)

    async def server_fault(request: Request, exc: Exception) -> JSONResponse:
        # Logged with its traceback by the server (Starlette re-raises after answering).
        return error_json(500, f"internal error: {type(exc).__name__}: {exc}", code="internal_error", type="api_error")

    app.add_exception_handler(500, server_fault)
    for module in (
        embeddings,
        rerank,
        tokenize,
        browse,
        collections,
        search,
        health,
        space,
        explore,
        evaljobs,
        heads,
        ui,
    ):
        app.include_router(module.router)
    # The web UI's files; its pages and files need no key (they hold no data), its API calls do.
    app.mount(ui.OPEN_PREFIX.rstrip("/"), StaticFiles(directory=ui.ASSETS), name="ui")
    app.add_middleware(
        Guard,
        api_key=settings.api_key,
        open_paths=ui.OPEN_PATHS,
        open_prefix=ui.OPEN_PREFIX,
        max_body_bytes=settings.max_body_bytes,
        metrics=state.metrics,
    )
    return app
