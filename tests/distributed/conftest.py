"""One real local Ray cluster for every test of this folder: started once, shut down at the end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import ModuleType

import pytest

STATIC = "tokenlearn-static-64"


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[ModuleType]:
    """Ray connected to a 2-CPU local cluster (dashboard off, usage stats off)."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield ray
    finally:
        ray.shutdown()
