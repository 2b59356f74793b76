"""Ray for what outgrows one process: embedding data sets, ingesting, sharded collections, serving.

Needs the ``ray`` extra (``pip install 'embedrag-toolkit[ray]'``); see docs/scaling.md. Importing
this package does not import Ray: each function reaches the cluster when it is called.
"""

from __future__ import annotations

from embedrag.distributed.dataset import DatasetReport, Workers, embed_dataset
from embedrag.distributed.ingest import ingest_on_ray

__all__ = ["DatasetReport", "Workers", "embed_dataset", "ingest_on_ray"]
