"""What a running server holds: its settings, loaded models, batchers, collections and metrics.

Models load in a worker thread after start-up, so ``/health`` answers at once and ``/ready``
says when loading is done; requests that need a model wait for it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from embedrag.embed import Embedder
from embedrag.models import find
from embedrag.server.batcher import MicroBatcher
from embedrag.server.errors import ApiError
from embedrag.server.metrics import ServerMetrics
from embedrag.server.registry import CollectionRegistry
from embedrag.server.settings import ServerSettings

if TYPE_CHECKING:
    from embedrag.heads import MaskedLM, NextSentence
    from embedrag.search.rerank import Reranker
    from embedrag.tokenize import Tokenizer

__all__ = ["LATE", "Served", "ServerState"]

log = logging.getLogger("embedrag.server")

LATE = "late"
"""The reranker every server has: MaxSim over the default embedding model's token vectors."""


@dataclass
class Served:
    """One embedding model and the batcher in front of it."""

    name: str
    embedder: Embedder
    batcher: MicroBatcher


class ServerState:
    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.metrics = ServerMetrics()
        self.served: dict[str, Served] = {}
        self._aliases: dict[str, str] = {}
        self.rerankers: dict[str, Reranker] = {}
        self.tokenizers: dict[str, Tokenizer] = {}
        self.fill_mask: MaskedLM | None = None
        self.next_sentence: NextSentence | None = None
        self.heads_missing: dict[str, str] = {}
        """Why a head of the ``heads`` folder is not served (the folder lacks it), by route name."""
        self.collections: CollectionRegistry | None = None
        self.load_error: BaseException | None = None
        self.shutting_down = False
        self._loading: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Begin loading the models (in a thread); call on the running event loop."""
        self._loading = asyncio.get_running_loop().create_task(self._load(), name="embedrag-load-models")

    async def _load(self) -> None:
        try:
            embedders = await asyncio.to_thread(self._load_embedders)
            for name, embedder in embedders.items():
                batcher = MicroBatcher(
                    embedder.embed_ids, name=name, token_budget=self.settings.batch_tokens, metrics=self.metrics
                )
                batcher.start()
                self.served[name] = Served(name, embedder, batcher)
            self.rerankers = await asyncio.to_thread(self._load_rerankers)
            if self.settings.heads is not None:
                await asyncio.to_thread(self._load_heads, Path(self.settings.heads))
            if self.settings.collections is not None:
                self.collections = CollectionRegistry(Path(self.settings.collections), lambda: self.embedders)
        except Exception as exc:
            self.load_error = exc
            log.exception("embedrag server: loading failed")

    def _load_embedders(self) -> dict[str, Embedder]:
        out: dict[str, Embedder] = {}
        s = self.settings
        for requested in s.models:
            embedder = Embedder(requested, variant=s.variant, threads=s.threads, long_inputs=s.long_inputs)
            out[embedder.name] = embedder
            info = find(embedder.name)
            for alias in {requested, embedder.name, *(info.aliases if info else ())}:
                self._aliases[alias.casefold()] = embedder.name
            log.info("embedrag server: loaded %s (%d dims)", embedder.name, embedder.dims)
        return out

    def _load_rerankers(self) -> dict[str, Reranker]:
        from embedrag.search.rerank import make_reranker

        default = self.embedders[next(iter(self.embedders))]
        # late interaction needs contextual token vectors: a transformer, not a static model
        rerankers = {LATE: make_reranker(LATE, default)} if default.spec.backend == "onnx" else {}
        if self.settings.rerank_model is not None:
            rerankers[self.rerank_name] = make_reranker(self.settings.rerank_model, default)
        return rerankers

    def _load_heads(self, folder: Path) -> None:
        """BERT's heads in ``folder``: at least one must be there; a missing one is noted, not fatal."""
        from embedrag.errors import ModelFormatError
        from embedrag.heads import MaskedLM, NextSentence

        try:
            self.fill_mask = MaskedLM(folder)
        except ModelFormatError as exc:
            self.heads_missing["fill-mask"] = str(exc)
        try:
            self.next_sentence = NextSentence(folder)
        except ModelFormatError as exc:
            self.heads_missing["next-sentence"] = str(exc)
        if self.fill_mask is None and self.next_sentence is None:
            raise ModelFormatError(f"--heads {folder} has neither a masked-LM nor a next-sentence head")
        for name, reason in self.heads_missing.items():
            log.warning("embedrag server: no %s: %s", name, reason)
        log.info("embedrag server: heads from %s", folder)

    async def close(self) -> None:
        """Finish queued encoder work, then close every collection."""
        self.shutting_down = True
        if self._loading is not None:
            await self._loading
        for served in self.served.values():
            await served.batcher.close()
        if self.collections is not None:
            await asyncio.to_thread(self.collections.close_all)

    # -- lookups ---------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self._loading is not None and self._loading.done() and self.load_error is None

    @property
    def embedders(self) -> dict[str, Embedder]:
        return {name: s.embedder for name, s in self.served.items()}

    @property
    def rerank_name(self) -> str:
        """The name clients use for the configured cross-encoder: its folder name."""
        return Path(self.settings.rerank_model or LATE).name

    async def wait_ready(self) -> None:
        """Return once the models are loaded; 503 if loading failed."""
        if self._loading is None:
            raise ApiError(503, "the server has not started", type="service_unavailable", code="not_started")
        await asyncio.shield(self._loading)
        if self.load_error is not None:
            raise ApiError(
                503, f"models failed to load: {self.load_error}", type="service_unavailable", code="load_failed"
            )

    async def model(self, name: str | None) -> Served:
        """The served model called ``name`` (or an alias; the default when ``None``); 404 if unknown."""
        await self.wait_ready()
        if name is None:
            return next(iter(self.served.values()))
        key = self._aliases.get(name.casefold())
        if key is None:
            raise ApiError(
                404,
                f"model {name!r} is not served here; models: {', '.join(self.served)}",
                type="not_found_error",
                code="model_not_found",
                param="model",
            )
        return self.served[key]

    async def reranker(self, name: str | None) -> tuple[str, Reranker]:
        """The reranker called ``name`` (default: the cross-encoder if configured, else ``late``); 404 if unknown."""
        await self.wait_ready()
        chosen = name or (self.rerank_name if self.settings.rerank_model else LATE)
        if chosen not in self.rerankers:
            raise ApiError(
                404,
                f"reranker {chosen!r} is not served here; rerankers: {', '.join(self.rerankers) or 'none'}",
                type="not_found_error",
                code="model_not_found",
                param="model",
            )
        return chosen, self.rerankers[chosen]

    async def registry(self) -> CollectionRegistry:
        """The collections; 404 when the server was started without a collections directory."""
        await self.wait_ready()
        if self.collections is None:
            raise ApiError(
                404,
                "this server has no collections: start it with --collections DIR",
                type="not_found_error",
                code="collections_disabled",
            )
        return self.collections
