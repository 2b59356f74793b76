"""``embedrag serve --ray``: the same HTTP server as replicas of a Ray Serve deployment.

Each replica builds the FastAPI app of :func:`~embedrag.server.app.create_app` itself (Ray Serve's
ingress with a builder, so nothing that holds a model or a database is pickled), with the same
settings: the same routes, bodies, errors and answers as ``embedrag serve``. Ray Serve's proxy
listens on the host and port of the settings and spreads requests over the replicas; each replica
loads its models and opens its collections (read by many, written through SQLite's locks as by
several local processes). Needs the ``ray`` extra.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from embedrag.distributed.cluster import ray_module
from embedrag.errors import ConfigError
from embedrag.server.app import create_app
from embedrag.server.settings import ServerSettings

__all__ = ["APP_NAME", "deploy", "stop"]

APP_NAME = "embedrag"


def deploy(settings: ServerSettings, *, replicas: int = 1, cpus_per_replica: float = 1.0) -> Any:
    """Start ``replicas`` copies of the server on the connected Ray cluster, behind Ray Serve's proxy
    at ``settings.host:settings.port``; returns the deployment's handle (requests go over HTTP)."""
    if replicas < 1:
        raise ConfigError(f"--replicas must be at least 1, got {replicas}")
    ray = ray_module()
    from ray import serve

    if not ray.is_initialized():
        raise ConfigError("serving on Ray needs a cluster: connect first (--ray auto, local or host:port)")

    def build() -> FastAPI:
        return create_app(settings)

    replica = serve.deployment(name="server", num_replicas=replicas, ray_actor_options={"num_cpus": cpus_per_replica})
    deployment = replica(serve.ingress(build)())
    serve.start(http_options={"host": settings.host, "port": settings.port})
    return serve.run(deployment.bind(), name=APP_NAME, route_prefix="/")


def stop() -> None:
    """Remove the deployment and Ray Serve's proxy and controller from the cluster."""
    from ray import serve

    serve.shutdown()  # type: ignore[no-untyped-call]
