"""The web UI: its pages at ``/``, ``/search``, ... (one HTML shell, state in the URL) and its
static files under ``/ui/``, all inside the package; and ``GET /v1/ui/config``, what the pages can offer.

The pages and files are answered without the API key (they hold no data); every call they
make to the API sends the key the person typed, kept in the tab's sessionStorage.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from embedrag.models import find, names
from embedrag.server.routes._deps import get_state
from embedrag.server.state import ServerState

__all__ = ["ASSETS", "OPEN_PATHS", "OPEN_PREFIX", "PAGES", "router"]

ASSETS = Path(__file__).resolve().parents[1] / "ui"
"""The UI's files: index.html, style.css and the JavaScript modules."""
PAGES = ("search", "collections", "tokenizer", "words", "space", "inside", "eval")
OPEN_PREFIX = "/ui/"
OPEN_PATHS = frozenset({"/", *(f"/{page}" for page in PAGES)})
"""Paths the API key does not guard: the page shell and its static files."""

# The shell runs only its own scripts and styles and talks only to this server: an injected
# <script> or inline handler would not run even if some text slipped through unescaped.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(tags=["ui"])


async def _shell() -> FileResponse:
    return FileResponse(ASSETS / "index.html", media_type="text/html", headers=SECURITY_HEADERS)


router.add_api_route("/", _shell, methods=["GET"], include_in_schema=False)
for _page in PAGES:
    router.add_api_route(f"/{_page}", _shell, methods=["GET"], include_in_schema=False)


class UiConfig(BaseModel):
    models: list[str] = Field(description="Served embedding models; the first is the default.")
    tokenizers: list[dict[str, str]] = Field(description="Tokenizers /tokenize accepts: name and label.")
    rerankers: list[str]
    collections: bool = Field(description="Whether the server was started with a collections directory.")
    map_methods: list[str] = Field(description="pca, and umap when the umap extra is installed.")
    auth: bool = Field(description="Whether the API needs a key.")
    llm: bool = Field(description="Whether /ask answers with an LLM's reply (the server has --llm-url).")
    heads: list[str] = Field(description="BERT heads served (--heads): fill-mask, next-sentence.")


_KINDS = {"tokenizer-json": "WordPiece", "tiktoken-bpe": "byte-level BPE"}


@router.get("/v1/ui/config", response_model=UiConfig, summary="What the web UI can offer on this server")
async def config(state: ServerState = Depends(get_state)) -> UiConfig:
    await state.wait_ready()
    tokenizers = []
    for name in names("tokenizer"):
        info = find(name)
        kind = _KINDS.get(info.format, info.format) if info is not None else "?"
        tokenizers.append({"name": name, "label": f"{name} ({kind})"})
    for name, served in state.served.items():
        kind = "SentencePiece Unigram" if served.embedder.spec.backend == "static" else "model's own"
        tokenizers.append({"name": name, "label": f"{name} ({kind})"})
    methods = ["pca"] + (["umap"] if importlib.util.find_spec("umap") is not None else [])
    return UiConfig(
        models=list(state.served),
        tokenizers=tokenizers,
        rerankers=list(state.rerankers),
        collections=state.settings.collections is not None,
        map_methods=methods,
        auth=state.settings.api_key is not None,
        llm=state.settings.llm_url is not None,
        heads=[
            name
            for name, head in (("fill-mask", state.fill_mask), ("next-sentence", state.next_sentence))
            if head is not None
        ],
    )
