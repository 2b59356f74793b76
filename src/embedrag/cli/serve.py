"""``embedrag serve``: the HTTP server (needs the ``server`` extra)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from embedrag.cli._output import err_console

if TYPE_CHECKING:
    from embedrag.server import ServerSettings


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port", "-p", help="TCP port."),
    model: list[str] = typer.Option(
        ["all-MiniLM-L6-v2"], "--model", "-m", help="Embedding model to serve (repeatable; the first is the default)."
    ),
    variant: str = typer.Option("fp32", "--variant", help="fp32 or int8."),
    collections: Path | None = typer.Option(None, "--collections", help="Directory of collections to serve."),
    api_key: str | None = typer.Option(
        None, "--api-key", envvar="EMBEDRAG_API_KEY", help="Require 'Authorization: Bearer KEY' ($EMBEDRAG_API_KEY)."
    ),
    rerank_model: str | None = typer.Option(None, "--rerank-model", help="Cross-encoder folder ([hf] extra)."),
    long_inputs: str = typer.Option("truncate", "--long-inputs", help="truncate (reported), window or error."),
    max_inputs: int = typer.Option(2048, "--max-inputs", help="Inputs per request."),
    max_body_mb: float = typer.Option(16, "--max-body-mb", help="Largest request body, in MiB."),
    heads: Path | None = typer.Option(
        None, "--heads", help="BERT folder with masked-LM / next-sentence heads, for /v1/fill-mask ([hf] extra)."
    ),
    llm_url: str | None = typer.Option(
        None, "--llm-url", help="OpenAI-compatible chat endpoint for /ask answers, e.g. http://localhost:8080/v1."
    ),
    llm_model: str = typer.Option("default", "--llm-model", help="Model name sent to the LLM endpoint."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
    ray_address: str | None = typer.Option(
        None, "--ray", help="Serve as Ray Serve replicas on a cluster: auto, local or host:port (docs/scaling.md)."
    ),
    replicas: int = typer.Option(2, "--replicas", help="With --ray: copies of the server, each with its models."),
    cpus_per_replica: float = typer.Option(1.0, "--cpus-per-replica", help="With --ray: CPUs each replica takes."),
) -> None:
    """Serve embeddings (OpenAI-compatible), rerank, tokenize and collections over HTTP.

    With --llm-url, /ask (and the web UI's ask panel) answers with the LLM's reply; the endpoint's
    key, if it needs one, comes from $EMBEDRAG_LLM_API_KEY.

    Example: embedrag serve --collections ./collections --api-key s3cret
    """
    from embedrag.server import ServerSettings, exposure_warning
    from embedrag.server.background import run

    settings = ServerSettings(
        host=host,
        port=port,
        models=tuple(model),
        variant=variant,  # type: ignore[arg-type]
        collections=collections,
        api_key=api_key,
        rerank_model=rerank_model,
        long_inputs=long_inputs,  # type: ignore[arg-type]
        max_inputs=max_inputs,
        max_body_bytes=int(max_body_mb * 1024 * 1024),
        heads=heads,
        llm_url=llm_url,
        llm_model=llm_model,
        llm_api_key=os.environ.get("EMBEDRAG_LLM_API_KEY"),
    )
    warning = exposure_warning(host, api_key)
    if warning is not None:
        err_console.print(f"[bold yellow]warning:[/] {warning}", markup=True, highlight=False)
    if ray_address is not None:
        _serve_on_ray(settings, ray_address, replicas, cpus_per_replica)
        return
    run(settings, log_level=log_level)


def _serve_on_ray(settings: ServerSettings, address: str, replicas: int, cpus: float) -> None:
    """Deploy the replicas, say where they listen, and keep them until Ctrl-C."""
    import time

    from embedrag.distributed.cluster import connected
    from embedrag.server.ray_serve import deploy, stop

    with connected(address):
        deploy(settings, replicas=replicas, cpus_per_replica=cpus)
        where = f"http://{settings.host}:{settings.port}"
        err_console.print(f"serving {replicas} replicas on Ray at {where} (Ctrl-C stops)")
        try:
            while True:
                time.sleep(3600)
        finally:
            stop()
